// SPDX-License-Identifier: MIT
/* harness.c - run `aps-ecu simulate` as a child and talk to it over loopback. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#define MAX_CHILDREN 64
#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 3000

int aps_check_passed, aps_check_failed; /* declared by aps_check.h */
char aps_check_label[APS_CHECK_LABEL_MAX];
static const char *aps_ecu;
static char scratch[64];
static volatile pid_t children[MAX_CHILDREN];
static unsigned started;

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void kill_children(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] > 0) kill(children[i], SIGKILL);
}

static void remove_scratch(void)
{
	kill_children();
	DIR *d = opendir(scratch);
	if (!d) return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[sizeof scratch + sizeof e->d_name + 1];
		if (e->d_name[0] == '.') continue;
		snprintf(path, sizeof path, "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(scratch);
}

/* The whole test is bounded: a hung check must not leave children behind. */
static void on_alarm(int sig)
{
	(void)sig;
	kill_children();
	static const char msg[] = "FAIL: test took too long, children killed\n";
	if (write(2, msg, sizeof msg - 1) < 0) {}
	_exit(1);
}

void harness_init(const char *aps_ecu_path)
{
	aps_ecu = aps_ecu_path;
	snprintf(scratch, sizeof scratch, "/tmp/aps-sim-test.XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(remove_scratch);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(55);
}

const char *harness_dir(void)
{
	return scratch;
}

static void forget_child(pid_t pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (children[i] == pid) children[i] = 0;
}

static pid_t spawn(const char *const *args, const char *port_file)
{
	const char *argv[48];
	int n = 0;
	argv[n++] = aps_ecu;
	argv[n++] = "simulate";
	if (port_file) {
		argv[n++] = "--port";
		argv[n++] = "0";
		argv[n++] = "--port-file";
		argv[n++] = port_file;
		argv[n++] = "--quiet";
	}
	for (int i = 0; args[i] && n < 47; i++) argv[n++] = args[i];
	argv[n] = NULL;

	pid_t pid = fork();
	if (pid == 0) {
		if (!port_file) { /* expected to fail: keep its message out of the way */
			int devnull = open("/dev/null", O_WRONLY);
			if (devnull >= 0) {
				dup2(devnull, 1);
				dup2(devnull, 2);
			}
		}
		execv(aps_ecu, (char *const *)argv);
		_exit(127);
	}
	if (pid > 0) {
		for (int i = 0; i < MAX_CHILDREN; i++)
			if (children[i] == 0) {
				children[i] = pid;
				break;
			}
	}
	return pid;
}

/* waitpid with a deadline; returns the wait status, or -1 if still running. */
static int reap(pid_t pid, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			forget_child(pid);
			return status;
		}
		if (r < 0 || now_ms() >= end) return -1;
		sleep_ms(5);
	}
}

int sim_start(struct sim *s, const char *const *args)
{
	char port_file[128];
	snprintf(port_file, sizeof port_file, "%s/port.%u", scratch, started++);
	memset(s, 0, sizeof *s);
	s->pid = spawn(args, port_file);
	CHECKF(s->pid > 0, "fork: %s", strerror(errno));
	if (s->pid <= 0) return -1;

	int64_t end = now_ms() + START_TIMEOUT_MS;
	while (now_ms() < end) {
		FILE *f = fopen(port_file, "r");
		if (f) {
			int got = fscanf(f, "%u", &s->port);
			fclose(f);
			CHECKF(got == 1 && s->port > 0, "port file %s unreadable", port_file);
			s->started_ms = now_ms();
			return got == 1 ? 0 : -1;
		}
		int status = reap(s->pid, 0);
		if (status != -1) {
			CHECKF(false, "simulator exited at start (status %d)", status);
			s->pid = 0;
			return -1;
		}
		sleep_ms(5);
	}
	CHECKF(false, "simulator wrote no port file within %d ms", START_TIMEOUT_MS);
	sim_stop(s);
	return -1;
}

void sim_stop(struct sim *s)
{
	if (s->pid <= 0) return;
	kill(s->pid, SIGTERM);
	int status = reap(s->pid, STOP_TIMEOUT_MS);
	if (status == -1) {
		kill(s->pid, SIGKILL);
		status = reap(s->pid, STOP_TIMEOUT_MS);
		CHECKF(false, "simulator ignored SIGTERM");
	} else {
		CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "simulator exit status %d", status);
	}
	s->pid = 0;
}

int sim_run_to_exit(const char *const *args)
{
	pid_t pid = spawn(args, NULL);
	if (pid <= 0) return -1;
	int status = reap(pid, STOP_TIMEOUT_MS);
	if (status == -1) {
		kill(pid, SIGKILL);
		reap(pid, STOP_TIMEOUT_MS);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int tcp_connect(unsigned port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval tv = {2, 0};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

size_t read_until_end(int fd, uint8_t *buf, size_t cap, int timeout_ms, int *end)
{
	size_t got = 0;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		if (got == cap) {
			*end = ENOBUFS;
			return got;
		}
		int64_t left = deadline - now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			*end = ETIMEDOUT;
			return got;
		}
		ssize_t n = recv(fd, buf + got, cap - got, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) continue;
		*end = n == 0 ? 0 : errno;
		return got;
	}
}

size_t exchange(unsigned port, const char *request, uint8_t *buf, size_t cap, int *end)
{
	int fd = tcp_connect(port);
	if (fd < 0) {
		*end = errno;
		return 0;
	}
	size_t len = strlen(request);
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		*end = errno;
		close(fd);
		return 0;
	}
	size_t got = read_until_end(fd, buf, cap, 3000, end);
	close(fd);
	return got;
}

void write_file_atomic(const char *path, const char *line)
{
	char tmp[256];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	CHECKF(f != NULL, "cannot write %s", tmp);
	if (!f) return;
	fprintf(f, "%s\n", line);
	fclose(f);
	CHECKF(rename(tmp, path) == 0, "rename %s: %s", tmp, strerror(errno));
}
