// SPDX-License-Identifier: MIT
/* bench_http.c - what the HTTP exchange (plugin/net/http.c, libcurl multi)
 * costs the process that runs it: resident memory before libcurl is set up,
 * with its multi handle open, and after exchanges; CPU per exchange and the
 * longest single call (the tick budget is 0.3 ms).  The server is a forked
 * child answering a meter-graph-sized body, so that getrusage() of this
 * process counts the client alone.
 * usage: bench_http [--exchanges N] [--body-bytes B] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* A line of /proc/self/status, in kB. */
static long status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == ':') kb = atol(line + n + 1);
	if (f) fclose(f);
	return kb;
}

/* The child: answers every connection with answer, then closes it. */
static void serve(int listener, const char *answer, size_t len)
{
	for (;;) {
		int fd = accept(listener, NULL, NULL);
		if (fd < 0) continue;
		char buf[4096];
		size_t got = 0;
		while (got < sizeof buf - 1) {
			ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
			if (n <= 0) break;
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n")) break;
		}
		for (size_t off = 0; off < len;) {
			ssize_t n = send(fd, answer + off, len - off, MSG_NOSIGNAL);
			if (n <= 0) break;
			off += (size_t)n;
		}
		close(fd);
	}
}

int main(int argc, char **argv)
{
	unsigned exchanges = 200;
	size_t body_bytes = 34 * 1024; /* a day of meter graph points */
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--exchanges") == 0) exchanges = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--body-bytes") == 0) body_bytes = (size_t)atol(argv[i + 1]);
	}
	if (exchanges == 0 || body_bytes == 0 || body_bytes > 200 * 1024) {
		fprintf(stderr, "usage: bench_http [--exchanges N] [--body-bytes B (1..204800)]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	char head[96];
	int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body_bytes);
	size_t answer_len = (size_t)hl + body_bytes;
	char *answer = malloc(answer_len);
	memcpy(answer, head, (size_t)hl);
	memset(answer + hl, '7', body_bytes);

	int listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t slen = sizeof sin;
	if (listener < 0 || bind(listener, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(listener, 16) != 0 ||
	    getsockname(listener, (struct sockaddr *)&sin, &slen) != 0) {
		perror("listener");
		return 1;
	}
	pid_t child = fork();
	if (child == 0) serve(listener, answer, answer_len);
	close(listener);
	free(answer);

	long rss_base = status_kb("VmRSS"), anon_base = status_kb("RssAnon");
	uint64_t t_open = mono_us();
	if (http_global_open() != 0) return 1;
	t_open = mono_us() - t_open;
	long rss_open = status_kb("VmRSS"), anon_open = status_kb("RssAnon");

	const struct http_request req = { .method = HTTP_GET,
		                          .path = "/index.php/meter/old_meter_power_graph",
		                          .host_header = "127.0.0.1",
		                          .answer_max = 128 * 1024,
		                          .timeout_ms = 5000 };
	long rss_during = 0, rss_first = 0;
	uint64_t longest_call_us = 0, longest_start_us = 0, steps = 0, failed = 0;
	uint64_t step_us[64] = { 0 }; /* histogram of step durations, 10 us buckets */
	uint64_t start_us[64] = { 0 };
	uint64_t cpu0 = 0, wall0 = 0;
	for (unsigned i = 0; i <= exchanges; i++) {
		if (i == 1) { /* the first exchange warms libcurl up: not counted */
			cpu0 = cpu_us();
			wall0 = mono_us();
		}
		struct http_exchange x = { 0 };
		uint64_t t = mono_us();
		enum http_result res = http_start(&x, (struct sockaddr *)&sin, slen, &req, mono_us() / 1000) == 0
		                               ? HTTP_PENDING
		                               : http_step(&x, 0, mono_us() / 1000);
		uint64_t took = mono_us() - t;
		if (i == 0) printf("global_open_us=%llu first_start_us=%llu\n", (unsigned long long)t_open,
		                   (unsigned long long)took);
		if (i > 0 && took > longest_start_us) longest_start_us = took;
		if (i > 0) start_us[took / 10 < 63 ? took / 10 : 63]++;
		while (res == HTTP_PENDING) {
			short events;
			int fd = http_fd(&x, &events);
			struct pollfd pfd = { .fd = fd, .events = events };
			uint64_t wait = http_wait_ms(&x, mono_us() / 1000);
			poll(&pfd, fd >= 0 ? 1 : 0, wait > 100 ? 100 : (int)wait);
			t = mono_us();
			res = http_step(&x, pfd.revents, mono_us() / 1000);
			took = mono_us() - t;
			if (i > 0 && took > longest_call_us) longest_call_us = took;
			if (i > 0) step_us[took / 10 < 63 ? took / 10 : 63]++;
			steps++;
			if (i == exchanges / 2 && rss_during == 0) rss_during = status_kb("VmRSS");
		}
		if (res != HTTP_OK) failed++;
		http_close(&x);
		if (i == 0) rss_first = status_kb("VmRSS");
	}
	uint64_t cpu = cpu_us() - cpu0, wall = mono_us() - wall0;
	long rss_after = status_kb("VmRSS"), anon_after = status_kb("RssAnon");
	http_global_close();
	long rss_closed = status_kb("VmRSS");
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);

	printf("bench_http: %u exchanges of a %zu-byte answer over loopback (answer_max 128 KiB)\n", exchanges,
	       body_bytes);
	printf("rss_kb before=%ld multi_open=%ld after_first=%ld during=%ld after_all=%ld after_global_close=%ld "
	       "peak=%ld\n",
	       rss_base, rss_open, rss_first, rss_during, rss_after, rss_closed, status_kb("VmHWM"));
	printf("rss_anon_kb before=%ld multi_open=%ld after_all=%ld (the rest is libcurl's code paged in, shared)\n",
	       anon_base, anon_open, anon_after);
	uint64_t counted = 0, p99 = 0, counted_start = 0, start_p50 = 0, start_p99 = 0, all_steps = 0;
	for (int b = 0; b < 64; b++) all_steps += step_us[b];
	for (int b = 0; b < 64; b++) {
		counted += step_us[b];
		if (p99 == 0 && counted * 100 >= all_steps * 99) p99 = (uint64_t)(b + 1) * 10;
		counted_start += start_us[b];
		if (start_p50 == 0 && counted_start * 2 >= exchanges) start_p50 = (uint64_t)(b + 1) * 10;
		if (start_p99 == 0 && counted_start * 100 >= (uint64_t)exchanges * 99) start_p99 = (uint64_t)(b + 1) * 10;
	}
	printf("start_p50_us<=%llu start_p99_us<=%llu\n", (unsigned long long)start_p50, (unsigned long long)start_p99);
	printf("cpu_us_per_exchange=%.1f wall_us_per_exchange=%.1f steps_per_exchange=%.1f longest_start_us=%llu "
	       "longest_step_us=%llu step_p99_us<=%llu failed=%llu\n",
	       (double)cpu / exchanges, (double)wall / exchanges, (double)steps / (exchanges + 1),
	       (unsigned long long)longest_start_us, (unsigned long long)longest_call_us, (unsigned long long)p99,
	       (unsigned long long)failed);
	return failed == 0 ? 0 : 1;
}
