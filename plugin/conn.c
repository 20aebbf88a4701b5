#define _DEFAULT_SOURCE
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
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

	c->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		conn_fail(c, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(c->fd, addr, addrlen) == 0) {
		c->state = CONN_SENDING;
		return 0;
	}
	if (errno == EINPROGRESS || errno == EINTR) return 0;
	conn_fail(c, "connect: %s", strerror(errno));
	return -1;
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

static void finish_connect(struct conn *c)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) soerr = errno;
	if (soerr != 0) {
		conn_fail(c, "connect: %s", strerror(soerr));
		return;
	}
	c->state = CONN_SENDING;
}

static void send_some(struct conn *c)
{
	while (c->sent < c->request_len) {
		ssize_t n = send(c->fd, c->request + c->sent, c->request_len - c->sent,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) return;
			conn_fail(c, "send: %s", strerror(errno));
			return;
		}
		c->sent += (size_t)n;
	}
	c->state = CONN_RECEIVING;
}

static void receive_some(struct conn *c)
{
	for (;;) {
		/* The frame check stops us at the declared length; a peer that keeps
		 * sending without ever completing a frame runs into the buffer's end. */
		size_t want = sizeof(c->buf) - c->received;
		if (want == 0) {
			conn_fail(c, "reply larger than %zu bytes", sizeof(c->buf));
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
		/* revents may be a guess from the caller: ask the socket itself,
		 * since SO_ERROR reads 0 while a connect is still in progress. */
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT, .revents = 0 };
		if (poll(&pfd, 1, 0) <= 0) return;
		finish_connect(c);
		if (c->state != CONN_SENDING) return;
	}
	if (c->state == CONN_SENDING) {
		send_some(c);
		if (c->state != CONN_RECEIVING) return;
		/* The reply may already be there; if not, recv says EAGAIN. */
	}
	if (c->state == CONN_RECEIVING) receive_some(c);
}
