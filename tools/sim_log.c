// SPDX-License-Identifier: MIT
/* sim_log.c - the simulator's log lines on stderr, each with the seconds since
 * it started. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "sim_server.h"

static bool log_quiet;
static struct timespec log_t0;

void sim_log_start(bool quiet)
{
	log_quiet = quiet;
	clock_gettime(CLOCK_MONOTONIC, &log_t0);
}

__attribute__((format(printf, 1, 0)))
static void vlog(const char *fmt, va_list ap)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double t = (double)(ts.tv_sec - log_t0.tv_sec) + (ts.tv_nsec - log_t0.tv_nsec) / 1e9;
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "aps-ecu simulate [%9.3f] %s\n", t, line);
}

void sim_log(const char *fmt, ...)
{
	if (log_quiet) return;
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void sim_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

