// SPDX-License-Identifier: MIT
/* clock.h - the plugin's one clock: CLOCK_MONOTONIC, which no change of the
 * wall clock moves (2.0's tick passes no time at all). */
#ifndef APS_CLOCK_H
#define APS_CLOCK_H

#include <stdint.h>

uint64_t aps_monotonic_ns(void);
uint64_t aps_monotonic_ms(void);

#endif
