// SPDX-License-Identifier: MIT
/* Tests of the ECU restart client against a recording HTTP server on 127.0.0.1.
 * usage: test_restart PYTHON3 http_recorder.py */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aps_check.h"
#include "restart.h"

/* No call may wait for the peer: the stalling peers below hold their answer
 * (or the connection) for 300 ms, so a call that waits takes that long.  Not
 * a speed figure (a loaded machine, ASan and preemption reach 5 ms): the
 * slowest call is printed, and the benchmarks measure. */
#define STEP_LIMIT_US 100000

static const char *python_bin, *recorder_script;
static char workdir[] = "/tmp/aps-restart-XXXXXX";

/* The form fields of most cases: every character that must be encoded. */
static const char ssid_hard[] = "My Net&=+%\xc3\xa9";                          /* ...é */
static const char passwd_hard[] = "pa ss&w=rd+%\xc3\xbc\xe2\x82\xac@";         /* ...ü€@ */
static const char body_hard[] = "SSID=My+Net%26%3D%2B%25%C3%A9&channel=0&method=2&psk_wep=&psk_wpa="
                                "pa+ss%26w%3Drd%2B%25%C3%BC%E2%82%AC%40";

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t mono_ms(void)
{
	return mono_us() / 1000u;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL) return -1;
	int n = 0;
	while (readdir(d) != NULL) n++;
	closedir(d);
	return n;
}

/* ---- the recording server ---------------------------------------------- */

struct server {
	pid_t pid;
	int port;
	char port_file[64];
	char log_file[64];
};

static void server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
		}
	}
	s->pid = -1;
	unlink(s->port_file);
	unlink(s->log_file);
}

static int server_start(struct server *s, const char *mode)
{
	memset(s, 0, sizeof(*s));
	s->pid = -1;
	snprintf(s->port_file, sizeof(s->port_file), "%s/port", workdir);
	snprintf(s->log_file, sizeof(s->log_file), "%s/requests.jsonl", workdir);
	unlink(s->port_file);
	unlink(s->log_file);

	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) return -1;
	if (pid == 0) {
		/* Dies with us, even if a sanitizer aborts this test midway. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) _exit(1);
		execl(python_bin, python_bin, recorder_script, s->port_file, s->log_file, mode, (char *)NULL);
		_exit(127);
	}
	s->pid = pid;
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(s->port_file, "r");
		if (f != NULL) {
			int ok = fscanf(f, "%d", &s->port) == 1 && s->port > 0 && s->port < 65536;
			fclose(f);
			if (ok) return 0;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			s->pid = -1;
			break;
		}
		sleep_ms(10);
	}
	printf("recording server (mode %s) did not start\n", mode);
	server_stop(s);
	return -1;
}

/* The log's requests, as a JSON array (caller frees), or NULL. */
static cJSON *server_requests(const struct server *s)
{
	cJSON *all = cJSON_CreateArray();
	FILE *f = fopen(s->log_file, "r");
	if (f == NULL) return all;
	char line[16384];
	while (fgets(line, sizeof(line), f) != NULL) {
		cJSON *one = cJSON_Parse(line);
		if (one == NULL) {
			printf("unparsable log line: %s\n", line);
			continue;
		}
		cJSON_AddItemToArray(all, one);
	}
	fclose(f);
	return all;
}

static const char *json_string(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* The one value of a header (NULL when absent); *count gets how many. */
static const char *header_value(const cJSON *req, const char *name, int *count)
{
	const char *found = NULL;
	*count = 0;
	const cJSON *pair;
	cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(req, "headers")) {
		const cJSON *k = cJSON_GetArrayItem(pair, 0), *v = cJSON_GetArrayItem(pair, 1);
		if (cJSON_IsString(k) && cJSON_IsString(v) && strcasecmp(k->valuestring, name) == 0) {
			found = v->valuestring;
			(*count)++;
		}
	}
	return found;
}

/* The single decoded value of a form field, or NULL. */
static const char *form_value(const cJSON *req, const char *field)
{
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(req, "form"), field);
	if (!cJSON_IsArray(values) || cJSON_GetArraySize(values) != 1) return NULL;
	const cJSON *v = cJSON_GetArrayItem(values, 0);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool hex_equals(const char *hex, const char *text)
{
	size_t n = strlen(text);
	if (hex == NULL || strlen(hex) != 2 * n) return false;
	for (size_t i = 0; i < n; i++) {
		unsigned byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || byte != (unsigned char)text[i]) return false;
	}
	return true;
}

/* ---- driving the client ------------------------------------------------- */

struct run {
	int start_rc;
	enum restart_result result;
	uint64_t elapsed_ms;
	uint64_t max_call_us;
	int steps;
	char error[sizeof(((struct restart_request *)0)->error)];
};

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

/* tick_style: no poll(), every call guesses POLLIN|POLLOUT, like a broker tick
 * that calls us every few milliseconds.  Gives up (result PENDING) well
 * after the client's own deadline. */
static void drive(struct restart_request *r, int port, const char *host, const char *ssid,
                  const char *passwd, uint32_t timeout_ms, bool tick_style, struct run *out)
{
	struct sockaddr_in sin = loopback(port);
	memset(out, 0, sizeof(*out));
	uint64_t begin = mono_ms();

	uint64_t t0 = mono_us();
	out->start_rc = restart_start(r, (const struct sockaddr *)&sin, sizeof(sin), host, ssid, passwd,
	                              mono_ms(), timeout_ms);
	out->max_call_us = mono_us() - t0;

	for (;;) {
		short revents = 0;
		if (tick_style) {
			sleep_ms(2);
			revents = POLLIN | POLLOUT;
		} else {
			short events = 0;
			int fd = restart_fd(r, &events);
			if (fd >= 0) {
				struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
				if (poll(&pfd, 1, 10) > 0) revents = pfd.revents;
			}
		}
		t0 = mono_us();
		out->result = restart_step(r, revents, mono_ms());
		uint64_t took = mono_us() - t0;
		if (took > out->max_call_us) out->max_call_us = took;
		out->steps++;
		if (out->result != RESTART_PENDING) break;
		if (mono_ms() - begin > timeout_ms + 5000u) {
			printf("client still pending %u ms after its deadline\n", 5000u);
			restart_close(r);
			out->result = RESTART_PENDING;
			break;
		}
	}
	out->elapsed_ms = mono_ms() - begin;
	snprintf(out->error, sizeof(out->error), "%s", restart_error(r));
	short events = 0;
	CHECK(restart_fd(r, &events) == -1 && events == 0); /* finished: socket closed */
	CHECK(restart_step(r, POLLIN, mono_ms()) == out->result); /* and the result stays */
}

/* Checks every run must pass, whatever its outcome. */
static void check_common(const struct run *run, const char *ssid, const char *passwd, const char *name)
{
	if (run->max_call_us >= STEP_LIMIT_US)
		printf("%s: a call took %llu us\n", name, (unsigned long long)run->max_call_us);
	CHECK(run->max_call_us < STEP_LIMIT_US);
	CHECK(strchr(run->error, '\n') == NULL);
	CHECK(strstr(run->error, passwd) == NULL);
	CHECK(strstr(run->error, ssid) == NULL);
	CHECK(strstr(run->error, "pa+ss") == NULL); /* nor the encoded password */
	printf("  %-12s -> %-9s after %3llu ms, %4d steps, slowest call %4llu us: %s\n", name,
	       restart_result_name(run->result), (unsigned long long)run->elapsed_ms, run->steps,
	       (unsigned long long)run->max_call_us, run->error[0] ? run->error : "(no error)");
}

/* Runs one request against a server in mode; returns the result. */
static enum restart_result run_mode(const char *mode, uint32_t timeout_ms, bool tick_style, struct run *run)
{
	struct server srv;
	struct restart_request req = { 0 };
	memset(run, 0, sizeof(*run));
	run->result = RESTART_PENDING;
	if (server_start(&srv, mode) < 0) {
		CHECK(!"server started");
		return RESTART_PENDING;
	}
	drive(&req, srv.port, "127.0.0.1", ssid_hard, passwd_hard, timeout_ms, tick_style, run);
	restart_close(&req);
	check_common(run, ssid_hard, passwd_hard, mode);

	/* Whatever the answer, the request that went out was complete. */
	cJSON *reqs = server_requests(&srv);
	CHECK(cJSON_GetArraySize(reqs) == 1);
	CHECK(hex_equals(json_string(cJSON_GetArrayItem(reqs, 0), "body_hex"), body_hard));
	cJSON_Delete(reqs);
	server_stop(&srv);
	return run->result;
}

/* ---- the cases ---------------------------------------------------------- */

static void test_request_exact(void)
{
	struct server srv;
	struct restart_request req = { 0 };
	struct run run;
	if (server_start(&srv, "ok") < 0) {
		CHECK(!"server started");
		return;
	}
	drive(&req, srv.port, "127.0.0.1", ssid_hard, passwd_hard, 3000, false, &run);
	check_common(&run, ssid_hard, passwd_hard, "ok");
	CHECK(run.start_rc == 0);
	CHECK(run.result == RESTART_OK);
	CHECK(strcmp(run.error, "") == 0);

	cJSON *reqs = server_requests(&srv);
	CHECK(cJSON_GetArraySize(reqs) == 1);
	const cJSON *r = cJSON_GetArrayItem(reqs, 0);
	const char *s = json_string(r, "requestline");
	CHECK(s != NULL && strcmp(s, "POST /index.php/management/set_wlan_ap HTTP/1.0") == 0);
	s = json_string(r, "method");
	CHECK(s != NULL && strcmp(s, "POST") == 0);
	s = json_string(r, "path");
	CHECK(s != NULL && strcmp(s, "/index.php/management/set_wlan_ap") == 0);

	int n = 0;
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "headers")) == 5);
	s = header_value(r, "Host", &n);
	CHECK(n == 1 && s != NULL && strcmp(s, "127.0.0.1") == 0);
	s = header_value(r, "X-Requested-With", &n);
	CHECK(n == 1 && s != NULL && strcmp(s, "XMLHttpRequest") == 0);
	s = header_value(r, "Content-Type", &n);
	CHECK(n == 1 && s != NULL && strcmp(s, "application/x-www-form-urlencoded") == 0);
	s = header_value(r, "Connection", &n);
	CHECK(n == 1 && s != NULL && strcmp(s, "close") == 0);
	char length[16];
	snprintf(length, sizeof(length), "%zu", strlen(body_hard));
	s = header_value(r, "Content-Length", &n);
	CHECK(n == 1 && s != NULL && strcmp(s, length) == 0);

	CHECK(hex_equals(json_string(r, "body_hex"), body_hard));
	/* ...and Python's own form decoder reads back exactly what we sent. */
	s = form_value(r, "SSID");
	CHECK(s != NULL && strcmp(s, ssid_hard) == 0);
	s = form_value(r, "psk_wpa");
	CHECK(s != NULL && strcmp(s, passwd_hard) == 0);
	s = form_value(r, "channel");
	CHECK(s != NULL && strcmp(s, "0") == 0);
	s = form_value(r, "method");
	CHECK(s != NULL && strcmp(s, "2") == 0);
	s = form_value(r, "psk_wep");
	CHECK(s != NULL && strcmp(s, "") == 0);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "form")) == 5);
	cJSON_Delete(reqs);

	restart_close(&req);
	restart_close(&req);
	server_stop(&srv);
}

/* The longest host, SSID and password, all needing %XX: the request buffer fits them. */
static void test_longest_fields(void)
{
	char host[RESTART_HOST_MAX + 1], ssid[RESTART_SSID_MAX + 1], passwd[RESTART_PASSWD_MAX + 1];
	memset(host, 'h', RESTART_HOST_MAX);
	host[RESTART_HOST_MAX] = '\0';
	memset(ssid, '%', RESTART_SSID_MAX);
	ssid[RESTART_SSID_MAX] = '\0';
	for (int i = 0; i < RESTART_PASSWD_MAX; i += 3) memcpy(passwd + i, "\xe2\x82\xac", 3); /* 21 x € */
	passwd[RESTART_PASSWD_MAX] = '\0';

	struct server srv;
	struct restart_request req = { 0 };
	struct run run;
	if (server_start(&srv, "ok") < 0) {
		CHECK(!"server started");
		return;
	}
	drive(&req, srv.port, host, ssid, passwd, 3000, false, &run);
	check_common(&run, ssid, passwd, "longest");
	CHECK(run.result == RESTART_OK);
	cJSON *reqs = server_requests(&srv);
	const cJSON *r = cJSON_GetArrayItem(reqs, 0);
	int n = 0;
	const char *s = header_value(r, "Host", &n);
	CHECK(s != NULL && strcmp(s, host) == 0);
	s = form_value(r, "SSID");
	CHECK(s != NULL && strcmp(s, ssid) == 0);
	s = form_value(r, "psk_wpa");
	CHECK(s != NULL && strcmp(s, passwd) == 0);
	s = header_value(r, "Content-Length", &n);
	CHECK(s != NULL && atoi(s) == 5 + 3 * RESTART_SSID_MAX + 37 + 3 * RESTART_PASSWD_MAX);
	cJSON_Delete(reqs);
	server_stop(&srv);
}

static void test_answers(void)
{
	struct run run;

	CHECK(run_mode("ok_spaces", 3000, false, &run) == RESTART_OK);
	CHECK(run_mode("value1", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "value") != NULL);
	CHECK(run_mode("notfound", 3000, false, &run) == RESTART_NOT_FOUND);
	CHECK(strstr(run.error, "404") != NULL);
	CHECK(run_mode("error500", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "500") != NULL);
	CHECK(run_mode("drip", 5000, false, &run) == RESTART_OK);
	CHECK(run.steps > 20); /* the answer really came in pieces */
	CHECK(run_mode("oversize", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "longer") != NULL);
	CHECK(run_mode("bigheaders", 3000, false, &run) == RESTART_FAILED);
	CHECK(run_mode("truncated", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "closed") != NULL);
	CHECK(run_mode("silentclose", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "before a status line") != NULL);
	CHECK(run_mode("biglength", 3000, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "Content-Length") != NULL);
	CHECK(run_mode("badstatus", 3000, false, &run) == RESTART_FAILED);
	CHECK(run_mode("chunked", 3000, false, &run) == RESTART_FAILED);
	CHECK(run_mode("echo", 3000, false, &run) == RESTART_FAILED); /* the body holds the password */
	/* Driven like the broker does: no poll(), revents guessed on every tick. */
	CHECK(run_mode("ok", 3000, true, &run) == RESTART_OK);
	CHECK(run_mode("drip", 5000, true, &run) == RESTART_OK);
}

static void test_timeout(void)
{
	struct run run;
	CHECK(run_mode("hang", 300, false, &run) == RESTART_FAILED);
	CHECK(strstr(run.error, "timed out") != NULL);
	CHECK(run.elapsed_ms >= 300 && run.elapsed_ms < 1500);
	CHECK(run.steps > 5); /* it kept coming back rather than waiting inside a call */
	CHECK(run_mode("hang", 300, true, &run) == RESTART_FAILED);
	CHECK(run.elapsed_ms >= 300 && run.elapsed_ms < 1500);
}

/* A listener whose accept queue is full drops further SYNs, so the connect
 * stays in progress: the client must time out without blocking in connect(). */
static void test_connect_hang(void)
{
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = loopback(0);
	socklen_t len = sizeof(sin);
	CHECK(listener >= 0 && bind(listener, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(listen(listener, 0) == 0 && getsockname(listener, (struct sockaddr *)&sin, &len) == 0);
	int fillers[2];
	for (int i = 0; i < 2; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		CHECK(fillers[i] >= 0);
		connect(fillers[i], (struct sockaddr *)&sin, sizeof(sin)); /* EINPROGRESS, never accepted */
	}
	sleep_ms(50);

	struct restart_request req = { 0 };
	struct run run;
	drive(&req, ntohs(sin.sin_port), "127.0.0.1", ssid_hard, passwd_hard, 300, false, &run);
	check_common(&run, ssid_hard, passwd_hard, "connecthang");
	CHECK(run.result == RESTART_FAILED);
	CHECK(strstr(run.error, "timed out after 300 ms connecting") != NULL);
	CHECK(run.elapsed_ms >= 300 && run.elapsed_ms < 1500);
	drive(&req, ntohs(sin.sin_port), "127.0.0.1", ssid_hard, passwd_hard, 300, true, &run);
	check_common(&run, ssid_hard, passwd_hard, "connhang/tick");
	CHECK(run.result == RESTART_FAILED);
	CHECK(strstr(run.error, "timed out after 300 ms connecting") != NULL);

	for (int i = 0; i < 2; i++) close(fillers[i]);
	close(listener);
}

static void test_refused(void)
{
	/* A port that was just free: nobody listens there now. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = loopback(0);
	socklen_t len = sizeof(sin);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	CHECK(getsockname(s, (struct sockaddr *)&sin, &len) == 0);
	close(s);

	struct restart_request req = { 0 };
	struct run run;
	drive(&req, ntohs(sin.sin_port), "127.0.0.1", ssid_hard, passwd_hard, 3000, false, &run);
	check_common(&run, ssid_hard, passwd_hard, "refused");
	CHECK(run.result == RESTART_REFUSED);
	CHECK(run.elapsed_ms < 1000);
	drive(&req, ntohs(sin.sin_port), "127.0.0.1", ssid_hard, passwd_hard, 3000, true, &run);
	check_common(&run, ssid_hard, passwd_hard, "refused/tick");
	CHECK(run.result == RESTART_REFUSED);
}

static void test_bad_arguments(void)
{
	struct sockaddr_in sin = loopback(9); /* never reached: every call fails first */
	const struct sockaddr *sa = (const struct sockaddr *)&sin;
	char long_ssid[RESTART_SSID_MAX + 2], long_passwd[RESTART_PASSWD_MAX + 2], long_host[RESTART_HOST_MAX + 2];
	memset(long_ssid, 's', sizeof(long_ssid) - 1);
	long_ssid[sizeof(long_ssid) - 1] = '\0';
	memset(long_passwd, 'p', sizeof(long_passwd) - 1);
	long_passwd[sizeof(long_passwd) - 1] = '\0';
	memset(long_host, 'h', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	struct {
		const char *host, *ssid, *passwd;
	} bad[] = {
		{ "127.0.0.1", "", "secret-pass-1" },
		{ "127.0.0.1", NULL, "secret-pass-1" },
		{ "127.0.0.1", long_ssid, "secret-pass-1" },
		{ "127.0.0.1", "MySsid", "short7!" },
		{ "127.0.0.1", "MySsid", long_passwd },
		{ "127.0.0.1", "MySsid", NULL },
		{ "127.0.0.1\r\nX-Evil: 1", "MySsid", "secret-pass-1" },
		{ "", "MySsid", "secret-pass-1" },
		{ NULL, "MySsid", "secret-pass-1" },
		{ long_host, "MySsid", "secret-pass-1" },
	};
	int before = count_open_fds();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct restart_request req = { 0 };
		short events = 1;
		CHECK(restart_start(&req, sa, sizeof(sin), bad[i].host, bad[i].ssid, bad[i].passwd, 0, 1000) == -1);
		CHECK(restart_fd(&req, &events) == -1 && events == 0);
		CHECK(restart_step(&req, 0, 0) == RESTART_FAILED);
		const char *err = restart_error(&req);
		CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
		if (bad[i].passwd != NULL) CHECK(strstr(err, bad[i].passwd) == NULL);
		if (bad[i].ssid != NULL && bad[i].ssid[0] != '\0') CHECK(strstr(err, bad[i].ssid) == NULL);
		restart_close(&req);
	}
	CHECK(count_open_fds() == before);
}

static void test_close(void)
{
	/* A zeroed request owns no socket: closing it must not close fd 0. */
	if (fcntl(0, F_GETFD) < 0) CHECK(open("/dev/null", O_RDONLY) == 0);
	struct restart_request idle = { 0 };
	restart_close(&idle);
	restart_close(&idle);
	CHECK(fcntl(0, F_GETFD) >= 0);
	CHECK(restart_step(&idle, POLLIN, 0) == RESTART_FAILED); /* never started */

	/* Abandoning a pending request closes its socket and ends it FAILED. */
	struct server srv;
	if (server_start(&srv, "hang") < 0) {
		CHECK(!"server started");
		return;
	}
	int before = count_open_fds();
	struct sockaddr_in sin = loopback(srv.port);
	struct restart_request req = { 0 };
	CHECK(restart_start(&req, (const struct sockaddr *)&sin, sizeof(sin), "127.0.0.1", ssid_hard, passwd_hard,
	                    mono_ms(), 3000) == 0);
	CHECK(count_open_fds() == before + 1);
	uint64_t until = mono_ms() + 500;
	short events = 0;
	while (mono_ms() < until && restart_fd(&req, &events) >= 0 && events != POLLIN) {
		struct pollfd pfd = { .fd = restart_fd(&req, &events), .events = events, .revents = 0 };
		poll(&pfd, 1, 10);
		CHECK(restart_step(&req, pfd.revents, mono_ms()) == RESTART_PENDING);
	}
	CHECK(events == POLLIN); /* sent; waiting for the answer that never comes */
	restart_close(&req);
	CHECK(count_open_fds() == before);
	CHECK(restart_fd(&req, &events) == -1);
	CHECK(restart_step(&req, POLLIN, mono_ms()) == RESTART_FAILED);
	CHECK(strstr(restart_error(&req), "abandoned") != NULL);
	restart_close(&req);
	CHECK(count_open_fds() == before);

	/* A second start on the same struct reuses it cleanly. */
	CHECK(restart_start(&req, (const struct sockaddr *)&sin, sizeof(sin), "127.0.0.1", ssid_hard, passwd_hard,
	                    mono_ms(), 3000) == 0);
	CHECK(restart_start(&req, (const struct sockaddr *)&sin, sizeof(sin), "127.0.0.1", ssid_hard, passwd_hard,
	                    mono_ms(), 3000) == 0);
	CHECK(count_open_fds() == before + 1); /* the first socket was closed by the second start */
	restart_close(&req);
	CHECK(count_open_fds() == before);
	server_stop(&srv);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PYTHON3 http_recorder.py\n", argv[0]);
		return 2;
	}
	python_bin = argv[1];
	recorder_script = argv[2];
	signal(SIGPIPE, SIG_IGN);
	alarm(30); /* a client call that blocks forever must still end this test (and its server) */
	if (mkdtemp(workdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	/* libcurl's multi handle holds two descriptors while open (restart.h):
	 * open before counting, closed before the last count. */
	CHECK(restart_http_open() == 0);
	int fds_at_start = count_open_fds();

	test_bad_arguments();
	test_request_exact();
	test_longest_fields();
	test_answers();
	test_timeout();
	test_refused();
	test_connect_hang();
	test_close();

	restart_http_close();
	CHECK(restart_http_open() == 0);
	CHECK(count_open_fds() == fds_at_start); /* no socket leaked on any path */
	restart_http_close();
	rmdir(workdir);
	return aps_check_report("test_restart");
}
