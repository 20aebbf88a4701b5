// SPDX-License-Identifier: MIT
/*
 * nbsock.h - the three non-blocking TCP steps of an ECU exchange: the
 * plugin's (plugin/net/conn.c) never waits; aps-ecu query waits between
 * them in poll().  None of them ever waits itself.
 */
#ifndef APS_NBSOCK_H
#define APS_NBSOCK_H

#include <stddef.h>
#include <sys/socket.h>

/* Opens a non-blocking, close-on-exec TCP socket and starts connecting.
 * Returns the fd and sets *connected (a loopback connect may finish at once),
 * or -1 with errno set (ECONNREFUSED and the like can come at once too). */
int nbsock_connect(const struct sockaddr *addr, socklen_t addrlen, int *connected);

/* Whether a connect under way has finished: -1 still in progress, 0
 * connected, or the errno it failed with.  Asks the socket itself, because
 * SO_ERROR reads 0 while a connect is still in progress. */
int nbsock_connect_result(int fd);

/* Sends what the socket takes of buf[*sent..len), advancing *sent.  Returns
 * 0 when all is sent, 1 when the socket is full for now, or an errno. */
int nbsock_send(int fd, const char *buf, size_t len, size_t *sent);

#endif
