// SPDX-License-Identifier: MIT
/*
 * sun.h - sunrise and sunset for the plugin's night mode.
 *
 * Pure functions of their arguments: no clock, no TZ, no global state, so the
 * broker's environment stays untouched and every answer is reproducible.
 * Times are UTC seconds since the Unix epoch.  Sunrise and sunset are the
 * instants the Sun's centre is 0.833 degrees below a sea-level horizon (34'
 * of refraction plus the 16' radius of the disc), as in published tables.
 */
#ifndef APS_SUN_H
#define APS_SUN_H

#include <stdbool.h>
#include <stdint.h>

enum sun_day {
	SUN_NORMAL,
	SUN_POLAR_DAY,   /* never sets */
	SUN_POLAR_NIGHT, /* never rises */
};

/* Sunrise and sunset (UTC, seconds since the Unix epoch) of the civil date (year, month, day) at latitude/longitude
 * (degrees, north/east positive), with the standard -0.833 deg altitude (refraction + solar radius).
 * The date is the local solar date at that longitude: the sunrise returned is the one of that day near that place,
 * even where it falls on the previous or next UTC date (e.g. Tokyo, Auckland, Honolulu). Returns the kind of day;
 * *rise and *set are valid only for SUN_NORMAL. Pure: no time(), no TZ, no globals.
 *
 * Details: a SUN_NORMAL day is [*rise, *set).  On the day a polar day begins or ends, the Sun is up at one of the
 * day's local mean midnights; that end of the day then stands in for the missing event (e.g. *set is the next
 * local midnight when the Sun rises and then stays up).  For SUN_POLAR_DAY, *rise and *set are the day's two local
 * midnights; for SUN_POLAR_NIGHT both are local solar noon.  rise or set may be NULL.  Out-of-range input is made
 * safe, not rejected: month and day outside their ranges roll over (month 13 is January of the next year), dates
 * are clamped to years 1..9999, latitude to [-90, 90], longitude wraps to [-180, 180], NaN counts as 0. */
enum sun_day sun_times(int year, int month, int day, double latitude, double longitude, int64_t *rise, int64_t *set);

/* Is the sun down at instant t (UTC epoch seconds) at this place?  Uses the solar date of t at that longitude.
 * Polar day -> false, polar night -> true.
 * Agrees with sun_times to the second: false exactly on [rise, set) of the day t falls in (or of a neighbouring
 * day, where an event slips past local midnight), so sun_is_night(r) is false for r from sun_next_rise. */
bool sun_is_night(int64_t t, double latitude, double longitude);

/* The next sunrise strictly after t, searching up to 366 days ahead (polar nights end); returns false if none
 * (should not happen below the poles; at |lat| == 90 it may).  Only real sunrises count, not the stand-in of a
 * day that begins with the Sun already up.  Also false when t is outside years 1..9999. */
bool sun_next_rise(int64_t t, double latitude, double longitude, int64_t *rise);

#endif
