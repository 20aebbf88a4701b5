// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "conn.h"

#include "alloc.h"
#include "nbsock.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->state = CONN_IDLE;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

void conn_release(struct conn *c)
{
	conn_close(c);
	aps_free(c->buf);
	c->buf = NULL;
	c->received = c->frame_len = 0;
}

void conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof(c->error), fmt, ap);
	va_end(ap);
	conn_close(c);
	c->state = CONN_FAILED;
}

int conn_start(struct conn *c, const struct sockaddr *addr, socklen_t addrlen, enum aps_command cmd,
               const char *request, size_t request_len)
{
	conn_close(c);
	c->state = CONN_CONNECTING;
	c->cmd = cmd;
	c->sent = 0;
	c->received = 0;
	c->frame_len = 0;
	c->error[0] = '\0';
	if (request_len > sizeof(c->request)) {
		conn_fail(c, "request too long");
		return -1;
	}
	memcpy(c->request, request, request_len);
	c->request_len = request_len;
	if (c->buf == NULL && (c->buf = aps_realloc(NULL, APS_REPLY_MAX)) == NULL) {
		conn_fail(c, "out of memory for the reply");
		return -1;
	}

	int connected;
	c->fd = nbsock_connect(addr, addrlen, &connected);
	if (c->fd < 0) {
		conn_fail(c, "connect: %s", strerror(errno));
		return -1;
	}
	if (connected) c->state = CONN_SENDING;
	return 0;
}

short conn_events(const struct conn *c)
{
	if (c->fd < 0) return 0;
	switch (c->state) {
	case CONN_CONNECTING:
	case CONN_SENDING:
		return POLLOUT;
	case CONN_RECEIVING:
		return POLLIN;
	default:
		return 0;
	}
}

static void send_some(struct conn *c)
{
	int rc = nbsock_send(c->fd, c->request, c->request_len, &c->sent);
	if (rc == 0) c->state = CONN_RECEIVING;
	else if (rc != 1) conn_fail(c, "send: %s", strerror(rc));
}

static void receive_some(struct conn *c)
{
	for (;;) {
		/* The frame check stops us at the declared length; a peer that keeps
		 * sending without ever completing a frame runs into the buffer's end. */
		size_t want = APS_REPLY_MAX - c->received;
		if (want == 0) {
			conn_fail(c, "reply larger than %d bytes", APS_REPLY_MAX);
			return;
		}
		ssize_t n = recv(c->fd, c->buf + c->received, want, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) return;
			conn_fail(c, "recv after %zu bytes: %s", c->received, strerror(errno));
			return;
		}
		if (n == 0) {
			conn_fail(c, "connection closed after %zu bytes", c->received);
			return;
		}
		c->received += (size_t)n;

		struct aps_error err;
		long frame = aps_frame_check(c->buf, c->received, c->cmd, &err);
		if (frame < 0) {
			conn_fail(c, "%s", err.reason);
			return;
		}
		if (frame > 0) {
			c->frame_len = (size_t)frame;
			conn_close(c);
			c->state = CONN_DONE;
			return;
		}
	}
}

void conn_step(struct conn *c, short revents)
{
	if (c->fd < 0 || revents == 0) return;
	if (c->state == CONN_CONNECTING) {
		/* revents may be a guess from the caller: the socket decides. */
		int rc = nbsock_connect_result(c->fd);
		if (rc < 0) return;
		if (rc > 0) {
			conn_fail(c, "connect: %s", strerror(rc));
			return;
		}
		c->state = CONN_SENDING;
	}
	if (c->state == CONN_SENDING) {
		send_some(c);
		if (c->state != CONN_RECEIVING) return;
		/* The reply may already be there; if not, recv says EAGAIN. */
	}
	if (c->state == CONN_RECEIVING) receive_some(c);
}
