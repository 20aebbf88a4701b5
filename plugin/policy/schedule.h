// SPDX-License-Identifier: MIT
/*
 * schedule.h - when to poll an ECU next.  Pure arithmetic, in seconds.
 */
#ifndef APS_SCHEDULE_H
#define APS_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

/* The ECU refreshes its data every 5 minutes; polling at "its timestamp + 6
 * minutes" (as aps2mqtt does) reads each refresh once, shortly after it. */
#define SCHEDULE_ECU_REFRESH_S 300
#define SCHEDULE_AFTER_REFRESH_S 360
#define SCHEDULE_FLOOR_S 60

/* Delay after a successful cycle.  poll_interval > 0 is used as it is.
 * Otherwise (follow the ECU): data_age_s is how old the ECU's data timestamp
 * is now (ECU time converted to UTC, minus our clock), or negative when
 * unknown; the result is 360 - age, kept within [60, 360]. */
uint32_t schedule_after_success(uint32_t poll_interval, bool age_known, int64_t data_age_s);

/* Delay after the n-th consecutive failed cycle (n >= 1): retry_interval,
 * doubling each time, never above the poll interval (300 s when following
 * the ECU), and never below retry_interval. */
uint32_t schedule_after_failure(uint32_t poll_interval, uint32_t retry_interval, unsigned failures);

#endif
