// SPDX-License-Identifier: MIT
/* The HTTP exchange (plugin/net/http.c) against an in-process listener on
 * loopback: what it sends (method, path, headers, form), what it makes of
 * each answer (status, body, bounds), refused, timeout, IPv6, and that no
 * call waits.  Single-threaded: the listener's side is stepped between the
 * client's steps, with non-blocking sockets. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aps_check.h"
#include "http.h"

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

struct server {
	int listener, peer;
	char request[8192];
	size_t request_len;
	bool request_done;
	const char *answer;
	size_t answer_len, answer_sent;
	bool hang;     /* never answer */
	bool closed;
};

static int listen_on(int family, struct sockaddr_storage *addr, socklen_t *len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)addr;
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		*len = sizeof(*in6);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)addr, *len) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)addr, len) < 0) {
		if (fd >= 0) close(fd);
		return -1;
	}
	return fd;
}

/* The whole request is in: headers and Content-Length bytes of body. */
static bool request_complete(struct server *s)
{
	s->request[s->request_len] = '\0';
	char *end = strstr(s->request, "\r\n\r\n");
	if (end == NULL) return false;
	const char *cl = strcasestr(s->request, "\r\nContent-Length:");
	size_t want = cl != NULL && cl < end ? (size_t)atol(cl + 17) : 0;
	return s->request_len >= (size_t)(end + 4 - s->request) + want;
}

/* One non-blocking step of the listener's side. */
static void server_step(struct server *s)
{
	if (s->closed) return;
	if (s->peer < 0) {
		s->peer = accept4(s->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s->peer < 0) return;
	}
	while (!s->request_done && s->request_len < sizeof(s->request) - 1) {
		ssize_t n = recv(s->peer, s->request + s->request_len, sizeof(s->request) - 1 - s->request_len, 0);
		if (n <= 0) break;
		s->request_len += (size_t)n;
		s->request_done = request_complete(s);
	}
	if (!s->request_done || s->hang) return;
	while (s->answer_sent < s->answer_len) {
		ssize_t n = send(s->peer, s->answer + s->answer_sent, s->answer_len - s->answer_sent, MSG_NOSIGNAL);
		if (n <= 0) return;
		s->answer_sent += (size_t)n;
	}
	close(s->peer);
	s->peer = -1;
	s->closed = true;
}

struct outcome {
	enum http_result result;
	int status;
	char body[300];
	size_t body_len;
	char error[HTTP_ERROR_MAX];
	uint64_t max_call_us;
	unsigned steps;
	bool sent;
};

/* Runs one exchange against s (or, with s NULL, against addr as it is). */
static void run(struct server *s, const struct sockaddr *addr, socklen_t len, const struct http_request *req,
                struct outcome *out)
{
	struct http_exchange x = { 0 };
	memset(out, 0, sizeof(*out));
	uint64_t t0 = mono_us();
	int rc = http_start(&x, addr, len, req, mono_ms());
	out->max_call_us = mono_us() - t0;
	uint64_t give_up = mono_ms() + 5000;
	enum http_result res = rc == 0 ? HTTP_PENDING : http_step(&x, 0, mono_ms());
	while (res == HTTP_PENDING && mono_ms() < give_up) {
		short events = 0;
		int fd = http_fd(&x, &events);
		struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
		uint64_t wait = http_wait_ms(&x, mono_ms());
		poll(&pfd, fd >= 0 ? 1 : 0, wait < 2 ? (int)wait : 2);
		if (s != NULL) server_step(s);
		t0 = mono_us();
		res = http_step(&x, pfd.revents, mono_ms());
		uint64_t took = mono_us() - t0;
		if (took > out->max_call_us) out->max_call_us = took;
		out->steps++;
	}
	out->result = res;
	out->status = http_status(&x);
	size_t blen = 0;
	const char *body = http_body(&x, &blen);
	if (body != NULL) {
		CHECK(body[blen] == '\0');
		out->body_len = blen;
		memcpy(out->body, body, blen < sizeof(out->body) - 1 ? blen : sizeof(out->body) - 1);
	}
	snprintf(out->error, sizeof(out->error), "%s", http_error(&x));
	out->sent = http_sent(&x);
	short ev;
	CHECK(http_fd(&x, &ev) == -1 && ev == 0); /* finished: no socket */
	CHECK(http_wait_ms(&x, mono_ms()) == UINT64_MAX);
	CHECK(http_step(&x, POLLIN, mono_ms()) == res); /* the result stays */
	http_close(&x);
	CHECK(http_body(&x, NULL) == NULL); /* the body went with close */
	http_close(&x);
}

static void exchange(int family, const struct http_request *req, const char *answer, size_t answer_len,
                     struct outcome *out, struct server *keep)
{
	struct server s = { .peer = -1, .answer = answer, .answer_len = answer_len };
	struct sockaddr_storage addr;
	socklen_t len;
	s.listener = listen_on(family, &addr, &len);
	if (!CHECK(s.listener >= 0)) return;
	if (keep != NULL) s.hang = keep->hang;
	run(&s, (struct sockaddr *)&addr, len, req, out);
	if (s.peer >= 0) close(s.peer);
	close(s.listener);
	if (keep != NULL) *keep = s;
}

static const struct http_request POST = {
	.method = HTTP_POST_FORM,
	.path = "/index.php/configuration/set_maxpower",
	.form = "id=703000030246&maxpower=300",
	.host_header = "127.0.0.1",
	.answer_max = 4096,
	.timeout_ms = 3000,
};

static void test_request_and_answers(void)
{
	struct outcome o;
	struct server s = { 0 };
	const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"message\":1}\n";

	aps_check_case("POST: what goes out");
	exchange(AF_INET, &POST, ok, strlen(ok), &o, &s);
	CHECK(o.result == HTTP_OK && o.status == 200);
	CHECK(o.body_len == 14 && strcmp(o.body, "{\"message\":1}\n") == 0);
	CHECK(strncmp(s.request, "POST /index.php/configuration/set_maxpower HTTP/1.0\r\n", 53) == 0);
	CHECK(strstr(s.request, "\r\nX-Requested-With: XMLHttpRequest\r\n") != NULL);
	CHECK(strstr(s.request, "\r\nHost: 127.0.0.1\r\n") != NULL);
	CHECK(strstr(s.request, "\r\nContent-Type: application/x-www-form-urlencoded\r\n") != NULL);
	CHECK(strstr(s.request, "\r\nContent-Length: 28\r\n") != NULL);
	CHECK(strstr(s.request, "\r\nAccept:") == NULL);
	CHECK(strstr(s.request, "\r\n\r\nid=703000030246&maxpower=300") != NULL);
	printf("POST: %u steps, longest call %llu us\n", o.steps, (unsigned long long)o.max_call_us);

	aps_check_case("GET: what goes out");
	struct http_request get = POST;
	get.method = HTTP_GET;
	get.form = NULL;
	get.path = "/index.php/meter/old_meter_power_graph";
	get.host_header = "ecu.example:8080";
	exchange(AF_INET, &get, ok, strlen(ok), &o, &s);
	CHECK(o.result == HTTP_OK);
	CHECK(strncmp(s.request, "GET /index.php/meter/old_meter_power_graph HTTP/1.0\r\n", 53) == 0);
	CHECK(strstr(s.request, "\r\nX-Requested-With: XMLHttpRequest\r\n") != NULL);
	CHECK(strstr(s.request, "\r\nHost: ecu.example:8080\r\n") != NULL);
	CHECK(strstr(s.request, "Content-Type") == NULL && strstr(s.request, "Content-Length") == NULL);

	aps_check_case("IPv6");
	exchange(AF_INET6, &POST, ok, strlen(ok), &o, NULL);
	CHECK(o.result == HTTP_OK);

	struct {
		const char *answer;
		enum http_result want;
		int status;
		const char *error_part;
	} cases[] = {
		{ "HTTP/1.0 200\r\n\r\n0", HTTP_OK, 200, "" },
		{ "HTTP/1.1 200 OK\nContent-Length: 1\n\n0", HTTP_OK, 200, "" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n0trailing", HTTP_OK, 200, "" },
		{ "HTTP/1.1 200 OK\r\n\r\n", HTTP_OK, 200, "" },
		{ "HTTP/1.1 404 Not Found\r\n\r\n<html>gone</html>", HTTP_STATUS, 404, "404" },
		{ "HTTP/1.1 500 Oops\r\n\r\n", HTTP_STATUS, 500, "500" },
		{ "HTTP/1.1 301 Moved\r\nLocation: /\r\n\r\n", HTTP_STATUS, 301, "301" },
		{ "HTTP/1.1 100 Continue\r\n\r\n", HTTP_STATUS, 100, "100" },
		{ "HTTP/1.1 404 Not Found", HTTP_FAILED, 0, "" },
		{ "HTTP/2 200 OK\r\n\r\n0", HTTP_FAILED, 0, "status line" },
		{ "HTTP/1.1  200 OK\r\n\r\n0", HTTP_FAILED, 0, "status line" },
		{ "garbage\r\n\r\n", HTTP_FAILED, 0, "status line" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 11x\r\n\r\n0", HTTP_FAILED, 200, "Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n0", HTTP_FAILED, 200, "Content-Length" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n0", HTTP_FAILED, 200, "Content-Length" },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n0\r\n0\r\n\r\n", HTTP_FAILED, 200,
		  "Transfer-Encoding" },
		{ "HTTP/1.1 200 OK\r\nno colon\r\n\r\n0", HTTP_FAILED, 200, "header" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0", HTTP_FAILED, 200, "closed" },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n", HTTP_FAILED, 200, "closed inside the headers" },
		{ "", HTTP_FAILED, 0, "before a status line" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aps_check_case("answer %zu", i);
		exchange(AF_INET, &POST, cases[i].answer, strlen(cases[i].answer), &o, NULL);
		CHECKF(o.result == cases[i].want, "got %s (%s)", http_result_name(o.result), o.error);
		CHECK_INT(o.status, cases[i].status);
		CHECK_HAS(o.error, cases[i].error_part);
		CHECK(o.result == HTTP_OK || o.body_len == 0);
	}
}

static void test_bounds(void)
{
	struct outcome o;
	/* A meter-sized answer (100 KB) with a bound to match, then one byte over. */
	size_t body = 100 * 1024;
	char head[64];
	int hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
	size_t total = (size_t)hl + body;
	char *big = malloc(total);
	memcpy(big, head, (size_t)hl);
	memset(big + hl, 'x', body);
	struct http_request get = POST;
	get.method = HTTP_GET;
	get.form = NULL;
	get.answer_max = total;
	aps_check_case("bounds: exactly answer_max");
	exchange(AF_INET, &get, big, total, &o, NULL);
	CHECKF(o.result == HTTP_OK, "got %s (%s)", http_result_name(o.result), o.error);
	CHECK(o.body_len == body);
	printf("100 KB answer: %u steps, longest call %llu us\n", o.steps, (unsigned long long)o.max_call_us);
	aps_check_case("bounds: one byte over");
	get.answer_max = total - 1;
	exchange(AF_INET, &get, big, total, &o, NULL);
	CHECK(o.result == HTTP_TOO_LARGE);
	CHECK_HAS(o.error, "longer than");
	/* Without Content-Length, ended by the close. */
	hl = snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\n\r\n");
	memcpy(big, head, (size_t)hl);
	memset(big + hl, 'y', total - (size_t)hl);
	get.answer_max = total;
	aps_check_case("bounds: no Content-Length");
	exchange(AF_INET, &get, big, total, &o, NULL);
	CHECK(o.result == HTTP_OK && o.body_len == total - (size_t)hl);
	get.answer_max = total - 1;
	exchange(AF_INET, &get, big, total, &o, NULL);
	CHECK(o.result == HTTP_TOO_LARGE);
	free(big);

	/* answer_max is clamped: tiny becomes HTTP_ANSWER_MIN. */
	aps_check_case("bounds: clamp");
	get.answer_max = 1;
	const char ok[] = "HTTP/1.1 200 OK\r\n\r\n0";
	exchange(AF_INET, &get, ok, strlen(ok), &o, NULL);
	CHECK(o.result == HTTP_OK);
}

static void test_failures(void)
{
	struct outcome o;
	/* Refused: a port nobody listens on (bound, then closed). */
	aps_check_case("refused");
	struct sockaddr_storage addr;
	socklen_t len;
	int fd = listen_on(AF_INET, &addr, &len);
	close(fd);
	run(NULL, (struct sockaddr *)&addr, len, &POST, &o);
	CHECK(o.result == HTTP_REFUSED && !o.sent);
	CHECK_HAS(o.error, "refused");

	/* Timeout: the server reads and never answers. */
	aps_check_case("timeout");
	struct http_request slow = POST;
	slow.timeout_ms = 300;
	struct server s = { .hang = true };
	uint64_t t0 = mono_ms();
	exchange(AF_INET, &slow, "", 0, &o, &s);
	uint64_t took = mono_ms() - t0;
	CHECK(o.result == HTTP_TIMEOUT);
	CHECK_HAS(o.error, "timed out after 300 ms");
	CHECK(took >= 290 && took < 3000);
	CHECK(o.sent); /* the request went out: a command may have been acted on */

	/* Bad arguments: finished at once, no socket. */
	struct {
		const char *path, *form, *host;
		enum http_method method;
	} bad[] = {
		{ "/x", "a=1", "", HTTP_POST_FORM },
		{ "/x", "a=1", NULL, HTTP_POST_FORM },
		{ "/x", "a=1", "bad host", HTTP_POST_FORM },
		{ "/x", "a=1", "evil\r\nX: 1", HTTP_POST_FORM },
		{ "x", "a=1", "h", HTTP_POST_FORM },
		{ "/x y", "a=1", "h", HTTP_POST_FORM },
		{ NULL, "a=1", "h", HTTP_POST_FORM },
		{ "/x", NULL, "h", HTTP_POST_FORM },
		{ "/x", "a=1", "h", HTTP_GET },
	};
	fd = listen_on(AF_INET, &addr, &len);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aps_check_case("bad argument %zu", i);
		struct http_request req = POST;
		req.path = bad[i].path;
		req.form = bad[i].form;
		req.host_header = bad[i].host;
		req.method = bad[i].method;
		struct http_exchange x = { 0 };
		short events;
		CHECK(http_start(&x, (struct sockaddr *)&addr, len, &req, 0) == -1);
		CHECK(http_fd(&x, &events) == -1 && events == 0);
		CHECK(http_step(&x, 0, 0) == HTTP_FAILED);
		CHECK(http_error(&x)[0] != '\0');
		http_close(&x);
	}
	char longform[HTTP_FORM_MAX + 1];
	memset(longform, 'a', HTTP_FORM_MAX);
	longform[HTTP_FORM_MAX] = '\0';
	struct http_request req = POST;
	req.form = longform;
	struct http_exchange x = { 0 };
	CHECK(http_start(&x, (struct sockaddr *)&addr, len, &req, 0) == -1);
	http_close(&x);
	struct sockaddr un = { .sa_family = AF_UNIX };
	CHECK(http_start(&x, &un, sizeof(un), &POST, 0) == -1);
	CHECK_HAS(http_error(&x), "IPv4 or IPv6");
	http_close(&x);

	/* Abandoned while pending; never started. */
	aps_check_case("abandoned");
	CHECK(http_start(&x, (struct sockaddr *)&addr, len, &POST, mono_ms()) == 0);
	http_close(&x);
	CHECK(http_step(&x, POLLIN, mono_ms()) == HTTP_FAILED);
	CHECK_HAS(http_error(&x), "abandoned");
	http_close(&x);
	struct http_exchange idle = { 0 };
	http_close(&idle);
	CHECK(http_step(&idle, 0, 0) == HTTP_FAILED);
	http_close(&idle);
	close(fd);

	/* A secret form is wiped once done. */
	aps_check_case("secret form");
	fd = listen_on(AF_INET, &addr, &len);
	req = POST;
	req.form = "psk_wpa=secretpassword";
	req.form_is_secret = true;
	struct http_exchange y = { 0 };
	CHECK(http_start(&y, (struct sockaddr *)&addr, len, &req, mono_ms()) == 0);
	http_close(&y);
	CHECK(memmem(&y, sizeof(y), "secretpassword", 14) == NULL);
	close(fd);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	alarm(50);
	test_request_and_answers();
	test_bounds();
	test_failures();
	http_global_close();
	return aps_check_report("test_http");
}
