// SPDX-License-Identifier: MIT
/* bench_stats.h - percentiles of a sample set, shared by the bench programs. */
#ifndef APS_BENCH_STATS_H
#define APS_BENCH_STATS_H

#include <stddef.h>
#include <stdlib.h>

struct bench_summary {
	double p50, p99, max, mean;
};

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts v in place.  Nearest-rank percentiles; all 0 when n is 0. */
static inline void bench_summarize(double *v, size_t n, struct bench_summary *s)
{
	*s = (struct bench_summary){ 0 };
	if (n == 0) return;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	double sum = 0;
	for (size_t i = 0; i < n; i++) sum += v[i];
	s->p50 = v[(n - 1) * 50 / 100];
	s->p99 = v[(n - 1) * 99 / 100];
	s->max = v[n - 1];
	s->mean = sum / (double)n;
}

#endif
