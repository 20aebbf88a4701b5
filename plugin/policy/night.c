// SPDX-License-Identifier: MIT
#include "night.h"

#include "sun.h"

bool night_pause(double latitude, double longitude, int64_t now, bool cycle_ok, unsigned inverters_online,
                 int64_t *resume)
{
	if (!sun_is_night(now, latitude, longitude)) return false;
	/* Inverters still producing after the computed sunset: keep reading. */
	if (cycle_ok && inverters_online > 0) return false;

	int64_t rise;
	if (!sun_next_rise(now, latitude, longitude, &rise)) rise = now + NIGHT_NO_SUNRISE_S;
	if (rise - now > NIGHT_MAX_SLEEP_S) rise = now + NIGHT_MAX_SLEEP_S;
	if (rise <= now) rise = now + 1;
	*resume = rise;
	return true;
}
