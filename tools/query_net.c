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

#include "hostport.h"
#include "nbsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int ecu_target_parse(const char *arg, struct ecu_target *t, char *why, size_t why_cap)
{
	char bracketed[INET6_ADDRSTRLEN + 2];
	struct aps_host_port hp;
	memset(t, 0, sizeof(*t));
	/* A bare IPv6 address (two colons or more, no brackets) has no port. */
	const char *colon = strchr(arg, ':');
	if (arg[0] != '[' && colon != NULL && strchr(colon + 1, ':') != NULL &&
	    snprintf(bracketed, sizeof(bracketed), "[%s]", arg) < (int)sizeof(bracketed))
		arg = bracketed;
	const char *problem = aps_host_port_parse(arg, &hp);
	if (problem != NULL) {
		snprintf(why, why_cap, "'%s' %s", arg, problem);
		return -1;
	}
	memcpy(t->host, hp.host, sizeof(hp.host));
	snprintf(t->port, sizeof(t->port), "%u", hp.port ? (unsigned)hp.port : (unsigned)APS_ECU_PORT);
	snprintf(t->label, sizeof(t->label), hp.ipv6 ? "[%s]:%s" : "%s:%s", t->host, t->port);
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

/* One connect, waited for up to deadline; returns the fd, or -1 with why
 * (and *timed_out). */
static int connect_one(const struct addrinfo *ai, int64_t deadline, bool *timed_out, char *why,
                       size_t why_cap)
{
	int connected;
	int fd = nbsock_connect(ai->ai_addr, ai->ai_addrlen, &connected);
	if (fd < 0) {
		snprintf(why, why_cap, "connect: %s", strerror(errno));
		return -1;
	}
	if (connected) return fd;
	int rc = wait_for(fd, POLLOUT, deadline);
	int err = rc > 0 ? nbsock_connect_result(fd) : 0;
	if (rc == 0) {
		*timed_out = true;
		snprintf(why, why_cap, "connect: timed out");
	} else if (rc < 0) {
		snprintf(why, why_cap, "connect: %s", strerror(errno));
	} else if (err != 0) {
		snprintf(why, why_cap, "connect: %s", err < 0 ? "still in progress" : strerror(err));
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
	int rc;
	while ((rc = nbsock_send(fd, data, len, &sent)) == 1) {
		int ready = wait_for(fd, POLLOUT, deadline);
		if (ready > 0) continue;
		snprintf(why, why_cap, "send: %s", ready == 0 ? "timed out" : strerror(errno));
		return -1;
	}
	if (rc == 0) return 0;
	snprintf(why, why_cap, "send: %s", strerror(rc));
	return -1;
}

static void describe_progress(const struct ecu_reply *r, char *out, size_t cap)
{
	size_t total = aps_frame_length(r->buf, r->len);
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
		/* Ask only for what the frame still lacks: up to the end of the
		 * length field (9 bytes), then the rest. */
		size_t total = aps_frame_length(r->buf, r->len), want = 0;
		if (total == 0 && r->len < 9) want = 9 - r->len;
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
