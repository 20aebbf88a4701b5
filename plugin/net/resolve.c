// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static bool numeric_address(struct resolver *r, uint16_t port)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&r->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&r->addr;

	memset(&r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, r->host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		r->addrlen = sizeof(*in4);
		return true;
	}
	if (inet_pton(AF_INET6, r->host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		r->addrlen = sizeof(*in6);
		return true;
	}
	return false;
}

static void *lookup_thread(void *arg)
{
	struct resolver *r = arg;
	struct addrinfo hints;
	struct addrinfo *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	r->gai_error = getaddrinfo(r->host, r->service, &hints, &res);
	if (r->gai_error == 0) {
		if (res && res->ai_addrlen <= sizeof(r->addr)) {
			memcpy(&r->addr, res->ai_addr, res->ai_addrlen);
			r->addrlen = res->ai_addrlen;
		} else {
			r->gai_error = EAI_FAIL;
		}
		freeaddrinfo(res);
	}
	atomic_store_explicit(&r->done, true, memory_order_release);
	return NULL;
}

int resolver_start(struct resolver *r, const char *host, uint16_t port)
{
	resolver_stop(r);
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->service, sizeof(r->service), "%u", (unsigned)port);
	r->gai_error = 0;
	atomic_store(&r->done, false);
	if (numeric_address(r, port)) {
		atomic_store(&r->done, true);
		return 1;
	}
	if (pthread_create(&r->thread, NULL, lookup_thread, r) != 0) {
		r->gai_error = EAI_SYSTEM;
		atomic_store(&r->done, true);
		return -1;
	}
	r->thread_running = true;
	return 0;
}

int resolver_poll(struct resolver *r)
{
	if (!atomic_load_explicit(&r->done, memory_order_acquire)) return 0;
	if (r->thread_running) {
		/* Already finished: joining returns at once. */
		pthread_join(r->thread, NULL);
		r->thread_running = false;
	}
	return 1;
}

void resolver_stop(struct resolver *r)
{
	if (r->thread_running) {
		pthread_join(r->thread, NULL);
		r->thread_running = false;
	}
}
