// SPDX-License-Identifier: MIT
/*
 * conn.h - one non-blocking TCP request/reply exchange with an ECU.
 *
 * Nothing here ever waits: connect() returns at once (EINPROGRESS), and every
 * later step is driven by the caller's poll() results from the broker tick.
 * Replies are read up to the length their own frame declares.
 */
#ifndef APS_CONN_H
#define APS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "aps_protocol.h"

enum conn_state {
	CONN_IDLE,        /* no socket */
	CONN_CONNECTING,  /* waiting for POLLOUT, then SO_ERROR */
	CONN_SENDING,
	CONN_RECEIVING,
	CONN_DONE,        /* a whole frame is in buf[0..frame_len) */
	CONN_FAILED,      /* error[] says why; socket closed */
};

struct conn {
	int fd;
	enum conn_state state;
	enum aps_command cmd;
	char request[APS_REQUEST_MAX];
	size_t request_len;
	size_t sent;
	/* APS_REPLY_MAX bytes from conn_start() to conn_release(): held only
	 * while a poll cycle is under way, not by every idle ECU. */
	uint8_t *buf;
	size_t received;
	size_t frame_len;
	char error[160];
};

void conn_init(struct conn *c);

/* Opens a non-blocking socket and starts connecting to addr, with the reply
 * buffer allocated if it is not.  Returns 0, or -1 with the connection FAILED
 * (error set). */
int conn_start(struct conn *c, const struct sockaddr *addr, socklen_t addrlen, enum aps_command cmd,
               const char *request, size_t request_len);

/* Events to poll for now (POLLIN/POLLOUT), 0 when there is no socket. */
short conn_events(const struct conn *c);

/* Advances the exchange after poll() reported revents on c->fd (0 = nothing
 * reported: still tries nothing).  Ends in DONE or FAILED, or stays pending. */
void conn_step(struct conn *c, short revents);

/* Fails the exchange with a reason (e.g. a timeout) and closes the socket. */
void conn_fail(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Closes the socket, if any; idempotent. The state is kept. */
void conn_close(struct conn *c);

/* Closes the socket and frees the reply buffer (a DONE reply is gone);
 * idempotent.  The next conn_start() allocates it again. */
void conn_release(struct conn *c);

#endif
