// SPDX-License-Identifier: MIT
/*
 * resolve.h - host name to address without blocking the broker.
 *
 * Numeric addresses are converted at once.  A name is looked up by
 * getaddrinfo() on a short-lived thread of its own; the tick polls for the
 * answer.  (getaddrinfo_a would avoid the thread, but musl has none.)
 */
#ifndef APS_RESOLVE_H
#define APS_RESOLVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct resolver {
	char host[256];
	char service[8];
	pthread_t thread;
	bool thread_running;   /* joined by resolver_poll or resolver_stop */
	atomic_bool done;
	int gai_error;         /* 0 on success */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* Starts resolving host:port.  Returns 1 when the answer is already there
 * (numeric host), 0 when a lookup is under way, -1 if no thread could start. */
int resolver_start(struct resolver *r, const char *host, uint16_t port);

/* 1 once the lookup has finished (see gai_error/addr), 0 while pending. */
int resolver_poll(struct resolver *r);

/* Waits for a lookup still under way; for shutdown only, never from a tick. */
void resolver_stop(struct resolver *r);

#endif
