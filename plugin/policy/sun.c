// SPDX-License-Identifier: MIT
/*
 * sun.c - sunrise and sunset from the equations of NOAA's Solar Calculator.
 *
 * Algorithm: the Sun's declination and the equation of time come from the
 * low-precision solar theory in Jean Meeus, "Astronomical Algorithms" (2nd
 * ed., 1998), chapter 25 (geometric mean longitude, mean anomaly, equation of
 * centre, apparent longitude, corrected obliquity) and chapter 28 (Smart's
 * series for the equation of time).  These are the equations behind NOAA's
 * Solar Calculator (gml.noaa.gov/grad/solcalc).  They give the declination to
 * about 0.01 degree between 1800 and 2100, which is a few seconds of sunrise
 * at mid-latitudes; the older "Almanac for Computers" (USNO, 1990) recipe is
 * simpler but drifts by a minute or more, and a full VSOP87 theory would be
 * hundreds of lines for no visible gain.
 *
 * The declination is not taken once per day at noon, as NOAA's web page
 * does: each event is found by iterating the hour-angle equation with the
 * Sun's position at the event itself (the scheme of the Explanatory
 * Supplement to the Astronomical Almanac, section 9.33).  Near the polar
 * circles the Sun moves almost along the horizon, so the half-day of
 * declination change between noon and the event shifts sunrise by many
 * minutes; the iteration removes that.  Delta T (TT - UT, about a minute) is
 * ignored: it moves the Sun by 0.0007 degree.
 *
 * A "solar date" is the day between two local mean midnights at the given
 * longitude, so the rise and set of one date are those around one local noon.
 * Everything is computed from scratch per call: no tables, no state, no libc
 * time functions (timegm and friends consult TZ).
 */
#include "sun.h"

#include "civil.h"

#include <math.h>
#include <stddef.h>

#define DAY_S 86400
#define DAY_MIN 1440.0
#define PI 3.14159265358979323846
#define RAD (PI / 180.0)
/* Julian date of 1970-01-01T00:00Z and of the J2000.0 epoch. */
#define JD_UNIX_EPOCH 2440587.5
#define JD_J2000 2451545.0
/* Altitude of the Sun's centre at rise and set: 34' refraction + 16' radius. */
#define RISE_ALTITUDE_DEG (-0.833)
/* Away from the polar circles the iteration settles in two or three steps; it
 * stops at half a second, and the cap only matters on threshold days. */
#define EVENT_ITERATIONS 12
#define CONVERGED_MIN (0.5 / 60.0)
/* Day numbers (days since 1970-01-01) of 0001-01-01 and 9999-12-31: outside
 * these the solar theory means nothing, so dates are clamped into them. */
#define FIRST_DAY (-719162)
#define LAST_DAY 2932896
/* How far sun_next_rise looks: the date t falls in and the 367 after it. */
#define RISE_SEARCH_DAYS 367

struct solar_day {
	enum sun_day kind;
	int64_t start, end;  /* the local mean midnights around the date */
	int64_t rise, set;   /* daylight is [rise, set) */
	bool rise_is_event;  /* rise is a real sunrise, not the day's start */
};

/* How an iterated event ended: a real crossing, or the Sun stayed on one side. */
enum event_kind { EVENT_CROSSING, EVENT_SUN_STAYS_UP, EVENT_SUN_STAYS_DOWN };

static int64_t clamp_day(int64_t day)
{
	if (day < FIRST_DAY) return FIRST_DAY;
	if (day > LAST_DAY) return LAST_DAY;
	return day;
}

static double clean_latitude(double latitude)
{
	if (isnan(latitude)) return 0.0;
	if (latitude > 90.0) return 90.0;
	if (latitude < -90.0) return -90.0;
	return latitude;
}

static double clean_longitude(double longitude)
{
	if (!isfinite(longitude)) return 0.0;
	longitude = fmod(longitude, 360.0);
	if (longitude > 180.0) longitude -= 360.0;
	if (longitude < -180.0) longitude += 360.0;
	return longitude;
}

/* Offset of local mean time from UTC, in whole seconds (east positive). */
static int64_t mean_time_offset_s(double longitude)
{
	return (int64_t)llround(longitude * 240.0);
}

/* The solar date an instant falls in: days between local mean midnights. */
static int64_t solar_day_of(int64_t t, double longitude)
{
	return aps_floor_div(t + mean_time_offset_s(longitude), DAY_S);
}

/* Apparent declination (radians) and equation of time (minutes, apparent minus
 * mean solar time) at Julian date jd; Meeus ch. 25 and 28, as NOAA uses them. */
static void sun_position(double jd, double *declination, double *equation_of_time)
{
	double t = (jd - JD_J2000) / 36525.0;  /* Julian centuries since J2000.0 */
	double mean_longitude = fmod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0) * RAD;
	double mean_anomaly = (357.52911 + t * (35999.05029 - t * 0.0001537)) * RAD;
	double eccentricity = 0.016708634 - t * (0.000042037 + t * 0.0000001267);
	double centre = sin(mean_anomaly) * (1.914602 - t * (0.004817 + t * 0.000014)) +
			sin(2 * mean_anomaly) * (0.019993 - t * 0.000101) +
			sin(3 * mean_anomaly) * 0.000289;
	double node = (125.04 - 1934.136 * t) * RAD;  /* Moon's ascending node: nutation */
	double apparent_longitude = mean_longitude + (centre - 0.00569 - 0.00478 * sin(node)) * RAD;
	double mean_obliquity = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
	double obliquity = (mean_obliquity + 0.00256 * cos(node)) * RAD;

	*declination = asin(sin(obliquity) * sin(apparent_longitude));

	double y = tan(obliquity / 2);
	y *= y;
	double e = eccentricity, l = mean_longitude, m = mean_anomaly;
	double eot = y * sin(2 * l) - 2 * e * sin(m) + 4 * e * y * sin(m) * cos(2 * l) -
		     0.5 * y * y * sin(4 * l) - 1.25 * e * e * sin(2 * m);
	*equation_of_time = 4.0 * eot / RAD;  /* 4 minutes of time per degree */
}

/* Cosine of the hour angle at which the Sun's centre is at RISE_ALTITUDE_DEG.
 * Above 1 the Sun stays below that altitude all day, below -1 it stays above.
 * At a pole the altitude is the declination all day long, so the answer is
 * only its side of the threshold. */
static double cos_hour_angle(double latitude_rad, double declination)
{
	double num = sin(RISE_ALTITUDE_DEG * RAD) - sin(latitude_rad) * sin(declination);
	double den = cos(latitude_rad) * cos(declination);
	if (fabs(den) < 1e-12) return num > 0 ? 2.0 : -2.0;
	return num / den;
}

/* Local apparent noon, in minutes after 00:00 UTC of the date. */
static double noon_minutes(double longitude, double equation_of_time)
{
	return 720.0 - 4.0 * longitude - equation_of_time;
}

/* Rise (direction -1) or set (+1), in minutes after 00:00 UTC of the date at
 * jd0, starting from a guess.  A Sun that stays above the threshold pins the
 * event to local midnight, one that stays below pins it to noon. */
static double solve_event(double jd0, double latitude_rad, double longitude, double guess, double direction,
			  enum event_kind *kind)
{
	double t = guess;
	*kind = EVENT_CROSSING;
	for (int i = 0; i < EVENT_ITERATIONS; i++) {
		double declination, equation_of_time;
		sun_position(jd0 + t / DAY_MIN, &declination, &equation_of_time);
		double c = cos_hour_angle(latitude_rad, declination);
		*kind = EVENT_CROSSING;
		if (c < -1.0) {
			c = -1.0;
			*kind = EVENT_SUN_STAYS_UP;
		} else if (c > 1.0) {
			c = 1.0;
			*kind = EVENT_SUN_STAYS_DOWN;
		}
		double next = noon_minutes(longitude, equation_of_time) + direction * 4.0 * acos(c) / RAD;
		double step = fabs(next - t);
		t = next;
		if (step < CONVERGED_MIN) break;
	}
	return t;
}

static int64_t epoch_of(int64_t day, double minutes)
{
	return day * DAY_S + (int64_t)llround(minutes * 60.0);
}

/* Everything about one solar date; latitude and longitude already cleaned. */
static void compute_day(int64_t day, double latitude, double longitude, struct solar_day *out)
{
	double latitude_rad = latitude * RAD;
	double jd0 = JD_UNIX_EPOCH + (double)day;  /* 00:00 UTC of the date */
	double declination, equation_of_time;

	out->start = day * DAY_S - mean_time_offset_s(longitude);
	out->end = out->start + DAY_S;
	out->rise_is_event = false;

	sun_position(jd0 + noon_minutes(longitude, 0.0) / DAY_MIN, &declination, &equation_of_time);
	double noon = noon_minutes(longitude, equation_of_time);
	sun_position(jd0 + noon / DAY_MIN, &declination, &equation_of_time);
	if (cos_hour_angle(latitude_rad, declination) > 1.0) {
		/* Even at its highest the Sun stays down. */
		out->kind = SUN_POLAR_NIGHT;
		out->rise = out->set = epoch_of(day, noon);
		return;
	}

	double at_start, at_end;
	sun_position(jd0 + (noon - 720.0) / DAY_MIN, &at_start, &equation_of_time);
	sun_position(jd0 + (noon + 720.0) / DAY_MIN, &at_end, &equation_of_time);
	if (cos_hour_angle(latitude_rad, at_start) < -1.0 && cos_hour_angle(latitude_rad, at_end) < -1.0) {
		/* Even at its lowest, at both midnights, the Sun stays up. */
		out->kind = SUN_POLAR_DAY;
		out->rise = out->start;
		out->set = out->end;
		return;
	}

	enum event_kind rise_kind, set_kind;
	double rise = solve_event(jd0, latitude_rad, longitude, noon - 360.0, -1.0, &rise_kind);
	double set = solve_event(jd0, latitude_rad, longitude, noon + 360.0, 1.0, &set_kind);
	/* A Sun up at midnight has the day's boundary as its stand-in event: the
	 * same instant, to the second, as the neighbouring day's, so a run of
	 * days leaves no gap in the daylight. */
	out->rise = rise_kind == EVENT_SUN_STAYS_UP ? out->start : epoch_of(day, rise);
	out->set = set_kind == EVENT_SUN_STAYS_UP ? out->end : epoch_of(day, set);

	if (rise_kind == EVENT_SUN_STAYS_UP && set_kind == EVENT_SUN_STAYS_UP) {
		out->kind = SUN_POLAR_DAY;
	} else if (out->set <= out->rise) {
		/* Threshold day where the Sun only grazes the horizon: no daylight. */
		out->kind = SUN_POLAR_NIGHT;
		out->rise = out->set = epoch_of(day, noon);
	} else {
		out->kind = SUN_NORMAL;
		out->rise_is_event = rise_kind == EVENT_CROSSING;
	}
}

enum sun_day sun_times(int year, int month, int day, double latitude, double longitude, int64_t *rise, int64_t *set)
{
	struct solar_day d;
	compute_day(clamp_day(aps_days_from_civil(year, month, day)), clean_latitude(latitude),
		    clean_longitude(longitude), &d);
	if (rise != NULL) *rise = d.rise;
	if (set != NULL) *set = d.set;
	return d.kind;
}

/* Instants that belong to dates outside FIRST_DAY..LAST_DAY (give or take a
 * day of longitude) are not meaningful; reject them before any arithmetic on
 * t can overflow. */
static bool time_in_range(int64_t t)
{
	return t >= (int64_t)(FIRST_DAY + 1) * DAY_S && t < (int64_t)LAST_DAY * DAY_S;
}

bool sun_is_night(int64_t t, double latitude, double longitude)
{
	latitude = clean_latitude(latitude);
	longitude = clean_longitude(longitude);
	if (!time_in_range(t)) t = t < 0 ? (int64_t)(FIRST_DAY + 1) * DAY_S : (int64_t)LAST_DAY * DAY_S - 1;

	/* An event can slip a few minutes past local mean midnight (the equation
	 * of time moves true midnight by up to 16 minutes), so the neighbouring
	 * dates' daylight is checked too. */
	int64_t day = solar_day_of(t, longitude);
	for (int64_t d = day - 1; d <= day + 1; d++) {
		struct solar_day sd;
		compute_day(d, latitude, longitude, &sd);
		if (t >= sd.rise && t < sd.set) return false;
	}
	return true;
}

bool sun_next_rise(int64_t t, double latitude, double longitude, int64_t *rise)
{
	if (!time_in_range(t)) return false;
	latitude = clean_latitude(latitude);
	longitude = clean_longitude(longitude);

	/* A date's rise lies between its first true midnight and its noon, so
	 * rises grow with the date and the first one after t is the next one.  The
	 * date before t's cannot hold it: its rise is before its noon, half a day
	 * before t's date begins. */
	int64_t day = solar_day_of(t, longitude);
	for (int64_t d = day; d <= day + RISE_SEARCH_DAYS; d++) {
		struct solar_day sd;
		compute_day(d, latitude, longitude, &sd);
		if (sd.kind == SUN_NORMAL && sd.rise_is_event && sd.rise > t) {
			if (rise != NULL) *rise = sd.rise;
			return true;
		}
	}
	return false;
}
