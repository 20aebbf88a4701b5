// SPDX-License-Identifier: MIT
/* The restart client's reading of answers, byte for byte: an in-process
 * listener on 127.0.0.1 sends canned answers (no Python needed). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aps_check.h"
#include "restart.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Steps the client (polling up to 10 ms a time) until it finishes or, with
 * until_receiving, until the whole request has gone out. */
static enum restart_result pump(struct restart_request *r, int until_receiving)
{
	uint64_t give_up = mono_ms() + 3000;
	enum restart_result res = RESTART_PENDING;
	while (res == RESTART_PENDING && mono_ms() < give_up) {
		short events = 0;
		int fd = restart_fd(r, &events);
		if (until_receiving && events == POLLIN) break;
		struct pollfd pfd = { .fd = fd, .events = events, .revents = 0 };
		if (fd >= 0 && poll(&pfd, 1, 10) < 0) pfd.revents = 0;
		res = restart_step(r, pfd.revents, mono_ms());
	}
	return res;
}

/* One exchange: the client posts, we read its request and answer with
 * answer[0..len), then close. */
static enum restart_result exchange(const char *answer, size_t len, char *error, size_t errlen)
{
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = 0 };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t slen = sizeof(sin);
	if (listener < 0 || bind(listener, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(listener, 4) < 0 ||
	    getsockname(listener, (struct sockaddr *)&sin, &slen) < 0) {
		perror("listener");
		if (listener >= 0) close(listener);
		return RESTART_PENDING;
	}

	struct restart_request req = { 0 };
	restart_start(&req, (struct sockaddr *)&sin, sizeof(sin), "127.0.0.1", "Ssid", "password", mono_ms(), 2000);
	enum restart_result res = pump(&req, 1);
	int peer = res == RESTART_PENDING ? accept(listener, NULL, NULL) : -1;
	if (peer >= 0) {
		/* Read the whole request, so that our close sends FIN, not RST. */
		char buf[2048];
		struct pollfd pfd = { .fd = peer, .events = POLLIN, .revents = 0 };
		while (poll(&pfd, 1, 50) > 0 && recv(peer, buf, sizeof(buf), MSG_DONTWAIT) > 0) {
		}
		size_t off = 0;
		while (off < len) {
			ssize_t n = send(peer, answer + off, len - off, MSG_NOSIGNAL);
			if (n <= 0) break;
			off += (size_t)n;
		}
		close(peer);
		res = pump(&req, 0);
	}
	snprintf(error, errlen, "%s", restart_error(&req));
	restart_close(&req);
	close(listener);
	return res;
}

struct answer_case {
	const char *answer;
	enum restart_result want;
};

static const struct answer_case cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"value\":0}", RESTART_OK },
	{ "HTTP/1.0 200\r\n\r\n{\"value\":0}", RESTART_OK },                      /* no reason, ends at close */
	{ "HTTP/1.1 200 OK\nContent-Length: 11\n\n{\"value\":0}", RESTART_OK },   /* bare LF line ends */
	{ "HTTP/1.1 200 OK\r\ncontent-length:  15 \r\n\r\n{ \"value\" : 0 }", RESTART_OK },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"value\":0}trailing", RESTART_OK }, /* past the length */
	{ "HTTP/1.1 200 OK\r\n\r\n\t{\"value\":0}\r\n\r\n", RESTART_OK },
	{ "HTTP/1.1 404 Not Found\r\n\r\n", RESTART_NOT_FOUND },
	{ "HTTP/1.1 404 Not Found", RESTART_FAILED }, /* closed inside the status line */
	{ "HTTP/1.1 301 Moved\r\nLocation: /\r\n\r\n", RESTART_FAILED },
	{ "HTTP/1.1 100 Continue\r\n\r\n", RESTART_FAILED },
	{ "HTTP/2 200 OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "http/1.1 200 OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1  200 OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 2000 OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 099 OK\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Length: 12\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11x\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n{\"value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"value\":1}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":-1}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":\"0\"}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":0,\"x\":1}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":0}}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"Value\":0}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":0", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\n\r\n{\"value\":12345678901234567890}", RESTART_FAILED },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n", RESTART_FAILED }, /* closed inside the headers */
	{ "", RESTART_FAILED },
};

int main(void)
{
	char error[200];
	signal(SIGPIPE, SIG_IGN);
	alarm(30);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum restart_result got = exchange(cases[i].answer, strlen(cases[i].answer), error, sizeof(error));
		if (got != cases[i].want)
			printf("case %zu: got %s (%s), want %s\n", i, restart_result_name(got), error,
			       restart_result_name(cases[i].want));
		CHECK(got == cases[i].want);
		CHECK(strstr(error, "password") == NULL && strchr(error, '\n') == NULL);
	}

	/* The cap: an answer of exactly RESTART_RESPONSE_MAX bytes is read, one more is not. */
	static char big[RESTART_RESPONSE_MAX + 2];
	const char head[] = "HTTP/1.1 200 OK\r\n\r\n{\"value\":0}";
	memset(big, ' ', sizeof(big));
	memcpy(big, head, sizeof(head) - 1);
	CHECK(exchange(big, RESTART_RESPONSE_MAX, error, sizeof(error)) == RESTART_OK);
	CHECK(exchange(big, RESTART_RESPONSE_MAX + 1, error, sizeof(error)) == RESTART_FAILED);
	CHECK(strstr(error, "longer than 4096") != NULL);

	return aps_check_report("test_restart_parse");
}
