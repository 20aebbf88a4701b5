// SPDX-License-Identifier: MIT
/*
 * civil.h - the proleptic Gregorian calendar, the one place we count days.
 *
 * In protocol/, the bottom layer, because the protocol itself checks the
 * ECU's dates; time zones (common/tz.c), the sun and the energy filter
 * (plugin/policy/) and the tick count with the same functions.  Not part of
 * aps_protocol.h: the protocol's API is unchanged.
 */
#ifndef APS_CIVIL_H
#define APS_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

/* a / b rounded towards minus infinity (b > 0). */
int64_t aps_floor_div(int64_t a, int64_t b);

bool aps_leap_year(int64_t year);

/* 28..31; month must be 1..12. */
int aps_days_in_month(int64_t year, int month);

/* Days since 1970-01-01.  Months outside 1..12 roll into the year, days
 * outside the month into the next or previous ones. */
int64_t aps_days_from_civil(int64_t year, int64_t month, int64_t day);

#endif
