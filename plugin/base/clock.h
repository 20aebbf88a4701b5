// SPDX-License-Identifier: MIT
/* clock.h - the plugin's one clock: CLOCK_MONOTONIC, which no change of the
 * wall clock moves (2.0's tick passes no time at all). */
#ifndef APS_CLOCK_H
#define APS_CLOCK_H

#include <stdint.h>

uint64_t aps_monotonic_ns(void);
uint64_t aps_monotonic_ms(void);
/* CPU time of the calling thread: a tick's own cost, without the time the
 * thread waited for a CPU (0 where the clock is missing). */
uint64_t aps_thread_cpu_ns(void);

#endif
