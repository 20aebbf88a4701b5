// SPDX-License-Identifier: MIT
/*
 * slow_gai.so - preloaded into a broker under test: getaddrinfo() for any
 * name ending in ".slow.test" (a reserved name: nothing real answers it) sleeps
 * SLOW_GAI_MS milliseconds (default 2500), then fails with EAI_AGAIN, as a
 * resolver that gets no answer does.  Every other name goes to the real
 * getaddrinfo.  No packet leaves the machine: the slow lookups of issue 16
 * reproduced without touching the system's resolver configuration.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

static const char SUFFIX[] = ".slow.test";

__attribute__((visibility("default"))) int getaddrinfo(const char *node, const char *service,
                                                       const struct addrinfo *hints, struct addrinfo **res)
{
	size_t n = node ? strlen(node) : 0, s = sizeof(SUFFIX) - 1;
	if (n > s && strcmp(node + n - s, SUFFIX) == 0) {
		const char *ms_text = getenv("SLOW_GAI_MS");
		long ms = ms_text ? atol(ms_text) : 2500;
		struct timespec pause = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&pause, &pause) != 0) {
		}
		return EAI_AGAIN;
	}
	gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	return real ? real(node, service, hints, res) : EAI_SYSTEM;
}
