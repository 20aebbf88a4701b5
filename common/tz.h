// SPDX-License-Identifier: MIT
/*
 * tz.h - UTC offsets from the system's TZif files, without touching TZ or
 * calling tzset(): the broker's environment is not ours to change.
 */
#ifndef APS_TZ_H
#define APS_TZ_H

#include <stdbool.h>
#include <stdint.h>

/* True when name is a plausible IANA zone name: [A-Za-z0-9_+-] parts joined by
 * '/', no "..", no leading '/', at most 63 bytes. */
bool aps_tz_name_valid(const char *name);

/* UTC offset in seconds (east positive) in force at the given local wall-clock
 * time in zone name (NULL or "" means the system zone, /etc/localtime).  Zone
 * files come from $TZDIR or /usr/share/zoneinfo; times after the last
 * transition follow the file's POSIX TZ footer rule.  Returns 0 and sets
 * *offset_s, or -1 when the zone is unknown or its file malformed. */
int aps_tz_offset_local(const char *name, int year, int month, int day, int hour, int minute,
                        int second, int32_t *offset_s);

/* Zone files are parsed once and kept until stat() shows them changed; this
 * frees what is kept (at plugin unload). */
void aps_tz_forget(void);

#endif
