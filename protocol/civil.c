// SPDX-License-Identifier: MIT
#include "civil.h"

int64_t aps_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool aps_leap_year(int64_t year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int aps_days_in_month(int64_t year, int month)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return month == 2 && aps_leap_year(year) ? 29 : days[month - 1];
}

/* The year is counted from March, so that the leap day ends its year; a
 * 400-year era then has a fixed 146097 days, and the day within it follows
 * from the year and a linear month formula. */
int64_t aps_days_from_civil(int64_t year, int64_t month, int64_t day)
{
	int64_t year_shift = aps_floor_div(month - 1, 12);
	year += year_shift;
	month -= year_shift * 12;  /* now 1..12 */
	if (month <= 2) year--;    /* January and February end the March-based year */

	int64_t era = aps_floor_div(year, 400);
	int64_t year_of_era = year - era * 400;                      /* 0..399 */
	int64_t month_from_march = (month + 9) % 12;                  /* March = 0 */
	int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	/* 719468 days run from 0000-03-01 to 1970-01-01. */
	return era * 146097 + day_of_era - 719468;
}
