// SPDX-License-Identifier: MIT
/*
 * query_net.c - connect, send, read one framed reply, close.
 *
 * A reply is framed by its own length field, never by a timeout or by what
 * one recv() returned; everything runs against one CLOCK_MONOTONIC deadline
 * per request, so a silent or dripping ECU costs at most --timeout.
 */
#define _DEFAULT_SOURCE /* getaddrinfo's NI/AI flags, MSG_NOSIGNAL */
#include "query_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bytes 0..8 hold the signature, version and length field. */
#define FRAME_HEADER_LEN 9

static bool parse_port(const char *s, char out[6])
{
	size_t n = strlen(s);
	if (n == 0 || n > 5 || strspn(s, "0123456789") != n) return false;
	long port = strtol(s, NULL, 10);
	if (port < 1 || port > 65535) return false;
	snprintf(out, 6, "%ld", port);
	return true;
}

int ecu_target_parse(const char *arg, struct ecu_target *t, char *why, size_t why_cap)
{
	const char *port = NULL;
	size_t host_len;
	bool ipv6 = false;

	memset(t, 0, sizeof(*t));
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			snprintf(why, why_cap, "'%s': expected [IPV6] or [IPV6]:PORT", arg);
			return -1;
		}
		arg++;
		host_len = (size_t)(close - arg);
		if (close[1] == ':') port = close + 2;
		ipv6 = true;
	} else {
		const char *colon = strchr(arg, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			host_len = strlen(arg);  /* a bare IPv6 address: no port possible */
			ipv6 = true;
		} else {
			host_len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
			if (colon != NULL) port = colon + 1;
		}
	}
	if (host_len == 0 || host_len >= sizeof(t->host)) {
		snprintf(why, why_cap, "'%s': bad host", arg);
		return -1;
	}
	memcpy(t->host, arg, host_len);
	if (port == NULL) snprintf(t->port, sizeof(t->port), "%d", APS_ECU_PORT);
	else if (!parse_port(port, t->port)) {
		snprintf(why, why_cap, "'%s': port must be 1..65535", port);
		return -1;
	}
	snprintf(t->label, sizeof(t->label), ipv6 ? "[%s]:%s" : "%s:%s", t->host, t->port);
	return 0;
}

int ecu_target_resolve(const struct ecu_target *t, struct addrinfo **list, char *why, size_t why_cap)
{
	struct addrinfo hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int rc = getaddrinfo(t->host, t->port, &hints, list);
	if (rc != 0) {
		snprintf(why, why_cap, "resolve: %s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_for(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0) return 1;
		if (rc < 0 && errno != EINTR) return -1;
	}
}

/* One non-blocking connect; returns the fd, or -1 with why (and *timed_out). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, bool *timed_out, char *why,
                       size_t why_cap)
{
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0) {
		snprintf(why, why_cap, "socket: %s", strerror(errno));
		return -1;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		snprintf(why, why_cap, "fcntl: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		snprintf(why, why_cap, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	int rc = wait_for(fd, POLLOUT, deadline);
	int err = 0;
	socklen_t len = sizeof(err);
	if (rc == 0) {
		*timed_out = true;
		snprintf(why, why_cap, "connect: timed out");
	} else if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
		snprintf(why, why_cap, "connect: %s", strerror(errno));
	} else if (err != 0) {
		snprintf(why, why_cap, "connect: %s", strerror(err));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

static int connect_any(const struct addrinfo *list, int64_t deadline, char *why, size_t why_cap)
{
	snprintf(why, why_cap, "no address to connect to");
	for (const struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
		bool timed_out = false;
		int fd = connect_one(ai, deadline, &timed_out, why, why_cap);
		if (fd >= 0 || timed_out) return fd;
	}
	return -1;
}

static int send_all(int fd, const char *data, size_t len, int64_t deadline, char *why, size_t why_cap)
{
	size_t sent = 0;
	while (sent < len) {
		/* MSG_NOSIGNAL: a peer that went away is an error to report, not SIGPIPE. */
		ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
		if (n > 0) {
			sent += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_for(fd, POLLOUT, deadline);
			if (rc > 0) continue;
			snprintf(why, why_cap, "send: %s", rc == 0 ? "timed out" : strerror(errno));
			return -1;
		}
		snprintf(why, why_cap, "send: %s", n < 0 ? strerror(errno) : "nothing sent");
		return -1;
	}
	return 0;
}

/* The frame's total length from its header, or 0 while the header is incomplete. */
static size_t declared_length(const struct ecu_reply *r)
{
	if (r->len < FRAME_HEADER_LEN) return 0;
	size_t n = 0;
	for (size_t i = 5; i < 9; i++) n = n * 10 + (size_t)(r->buf[i] - '0');  /* digits: checked */
	return n + 1;
}

static void describe_progress(const struct ecu_reply *r, char *out, size_t cap)
{
	size_t total = declared_length(r);
	if (r->len == 0) snprintf(out, cap, "no reply");
	else if (total > 0) snprintf(out, cap, "%zu of %zu bytes", r->len, total);
	else snprintf(out, cap, "%zu bytes, length field incomplete", r->len);
}

static int read_frame(int fd, enum aps_command cmd, int64_t deadline, int timeout_ms,
                      struct ecu_reply *r, char *why, size_t why_cap)
{
	char progress[64];
	for (;;) {
		struct aps_error err;
		long frame = aps_frame_check(r->buf, r->len, cmd, &err);
		if (frame > 0) return 0;
		if (frame < 0) {
			snprintf(why, why_cap, "%s: %s", aps_strerror((int)frame), err.reason);
			return -1;
		}
		/* Ask only for what the frame still lacks: the header, then the rest. */
		size_t total = declared_length(r), want = 0;
		if (r->len < FRAME_HEADER_LEN) want = FRAME_HEADER_LEN - r->len;
		else if (total > r->len) want = total - r->len;
		if (want == 0 || r->len + want > sizeof(r->buf)) {
			snprintf(why, why_cap, "framing: length field says %zu bytes, have %zu", total, r->len);
			return -1;
		}
		int rc = wait_for(fd, POLLIN, deadline);
		if (rc <= 0) {
			describe_progress(r, progress, sizeof(progress));
			if (rc == 0) snprintf(why, why_cap, "timed out after %d ms (%s)", timeout_ms, progress);
			else snprintf(why, why_cap, "poll: %s (%s)", strerror(errno), progress);
			return -1;
		}
		ssize_t n = recv(fd, r->buf + r->len, want, 0);
		if (n > 0) {
			r->len += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
		describe_progress(r, progress, sizeof(progress));
		if (n < 0) snprintf(why, why_cap, "receive: %s (%s)", strerror(errno), progress);
		else if (r->len == 0) snprintf(why, why_cap, "connection closed without a reply");
		else snprintf(why, why_cap, "truncated reply: %s", progress);
		return -1;
	}
}

int ecu_exchange(const struct addrinfo *list, const char *request, size_t request_len,
                 enum aps_command cmd, int timeout_ms, struct ecu_reply *reply, char *why,
                 size_t why_cap)
{
	int64_t deadline = now_ms() + timeout_ms;
	reply->len = 0;
	int fd = connect_any(list, deadline, why, why_cap);
	if (fd < 0) return -1;
	int rc = send_all(fd, request, request_len, deadline, why, why_cap);
	if (rc == 0) rc = read_frame(fd, cmd, deadline, timeout_ms, reply, why, why_cap);
	close(fd);
	return rc;
}
