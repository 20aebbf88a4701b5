// SPDX-License-Identifier: MIT
/*
 * night.h - stop_at_night: after sunset, once no inverter is online, there is
 * nothing to read until sunrise.
 */
#ifndef APS_NIGHT_H
#define APS_NIGHT_H

#include <stdbool.h>
#include <stdint.h>

/* Never sleep longer than this at once: waking costs one poll, and a clock
 * jump or a polar night can then never keep us asleep for long. */
#define NIGHT_MAX_SLEEP_S (12 * 3600)
/* When no sunrise can be found (at a pole), look again after this long. */
#define NIGHT_NO_SUNRISE_S 3600

/* Whether to pause polling after a cycle ending at wall-clock time now:
 * night at (latitude, longitude), and either the cycle failed or no inverter
 * is online.  *resume is then when to poll again (the next sunrise, within
 * NIGHT_MAX_SLEEP_S). */
bool night_pause(double latitude, double longitude, int64_t now, bool cycle_ok, unsigned inverters_online,
                 int64_t *resume);

#endif
