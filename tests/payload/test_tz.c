// SPDX-License-Identifier: MIT
/*
 * test_tz.c - tz.c against glibc.  Only this test process may setenv("TZ") and
 * call tzset/localtime: glibc is the reference for every zone on the system
 * and for hand-made TZif files, over 1990..2060, around every transition.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define APS_CHECK_SHARED /* with test_tzif.c */
#include "aps_check.h"
#include "tz.h"

#define HOUR 3600
#define DAY (24 * HOUR)
/* Wider than any real offset: where the reference looks for the two sides of a transition. */
#define REF_WINDOW (26 * HOUR)

int aps_check_passed, aps_check_failed; /* aps_check.h, shared with test_tzif.c */
char aps_check_label[APS_CHECK_LABEL_MAX];

static long comparisons;

static void set_glibc_zone(const char *tz)
{
	if (tz != NULL) setenv("TZ", tz, 1);
	else unsetenv("TZ");
	tzset();
}

static int32_t glibc_offset(int64_t instant)
{
	time_t t = (time_t)instant;
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL) return INT32_MIN;
	return (int32_t)tm.tm_gmtoff;
}

static int64_t utc_instant(int year, int month, int day, int hour, int minute, int second)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
	                .tm_hour = hour, .tm_min = minute, .tm_sec = second};
	return (int64_t)timegm(&tm);
}

/*
 * What tz.c promises for the wall-clock time `local` (seconds since 1970 read
 * as UTC): the one offset that maps it to a real instant; and when it names
 * none (gap) or two (overlap), the offset in force before the transition.
 */
static int32_t expected_offset(int64_t local)
{
	int32_t before = glibc_offset(local - REF_WINDOW), after = glibc_offset(local + REF_WINDOW);
	bool before_fits = glibc_offset(local - before) == before;
	bool after_fits = after != before && glibc_offset(local - after) == after;
	if (before_fits != after_fits) return before_fits ? before : after;
	return before;
}

static bool our_offset(const char *zone, int64_t local, int32_t *off)
{
	time_t t = (time_t)local;
	struct tm tm;
	gmtime_r(&t, &tm);
	return aps_tz_offset_local(zone, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	                           tm.tm_min, tm.tm_sec, off) == 0;
}

static void compare_wall(const char *zone, int64_t local)
{
	int32_t got = -999999;
	bool ok = our_offset(zone, local, &got);
	int32_t want = expected_offset(local);
	comparisons++;
	time_t t = (time_t)local;
	struct tm tm;
	gmtime_r(&t, &tm);
	CHECKF(ok && got == want, "%s at %04d-%02d-%02d %02d:%02d:%02d: got %s%d, glibc says %d",
	       zone ? zone : "(system)", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	       tm.tm_min, tm.tm_sec, ok ? "" : "error ", got, want);
}

/*
 * Walks [from, to) in steps, comparing the wall time of each instant; where
 * glibc's offset changes, bisects to the transition second and compares the
 * wall times around both of its edges.  Returns the transitions found.
 */
static int compare_range(const char *zone, const char *glibc_tz, int64_t from, int64_t to,
                         int64_t step)
{
	static const int64_t around[] = {-HOUR - 1, -HOUR, -1801, -1, 0, 1, 1799, HOUR - 1, HOUR, HOUR + 1};
	int transitions = 0;
	set_glibc_zone(glibc_tz);
	int32_t prev = glibc_offset(from);
	for (int64_t u = from; u < to; u += step) {
		int32_t off = glibc_offset(u);
		compare_wall(zone, u + off);
		if (off != prev) {
			int64_t lo = u - step, hi = u;
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;
				if (glibc_offset(mid) == prev) lo = mid;
				else hi = mid;
			}
			int32_t next = glibc_offset(hi);
			for (size_t i = 0; i < sizeof(around) / sizeof(around[0]); i++) {
				compare_wall(zone, hi + prev + around[i]);
				compare_wall(zone, hi + next + around[i]);
			}
			transitions++;
		}
		prev = off;
	}
	return transitions;
}

static void test_names(void)
{
	static const char *const good[] = {"UTC", "Europe/Amsterdam", "Etc/GMT-8", "Etc/GMT+10",
	                                   "America/Port-au-Prince", "America/Argentina/Buenos_Aires"};
	static const char *const bad[] = {"", "/UTC", "UTC/", "Europe//Amsterdam", "../etc/passwd",
	                                  "Europe/../UTC", "Etc/UTC.bak", "US Pacific", "Europe/Amst\xe9",
	                                  "UTC\n"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECKF(aps_tz_name_valid(good[i]), "'%s' should be valid", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(!aps_tz_name_valid(bad[i]), "'%s' should be invalid", bad[i]);
	CHECKF(!aps_tz_name_valid(NULL), "NULL should be invalid");
	char longest[65];
	memset(longest, 'a', 63);
	longest[63] = '\0';
	CHECKF(aps_tz_name_valid(longest), "63 bytes is allowed");
	longest[63] = 'a';
	longest[64] = '\0';
	CHECKF(!aps_tz_name_valid(longest), "64 bytes is too long");
}

struct hand_case {
	const char *zone;
	int y, mo, d, h, mi, s;
	int32_t offset;
};

/* Values worked out from the zones' rules, not from glibc; the gaps and overlaps
 * show the documented choice (the offset before the transition). */
static void test_hand_cases(void)
{
	static const struct hand_case cases[] = {
		{"US/Pacific", 2024, 3, 25, 18, 26, 23, -7 * HOUR},
		{"US/Pacific", 2024, 1, 15, 12, 0, 0, -8 * HOUR},
		{"US/Pacific", 2024, 3, 10, 2, 30, 0, -8 * HOUR},     /* gap: still PST */
		{"US/Pacific", 2024, 11, 3, 1, 30, 0, -7 * HOUR},     /* overlap: first, PDT */
		{"US/Pacific", 2055, 7, 4, 12, 0, 0, -7 * HOUR},      /* past the file's table: footer */
		{"Europe/Amsterdam", 2022, 9, 20, 14, 1, 53, 2 * HOUR},
		{"Europe/Amsterdam", 2024, 3, 31, 1, 59, 59, 1 * HOUR},
		{"Europe/Amsterdam", 2024, 3, 31, 2, 30, 0, 1 * HOUR},  /* gap */
		{"Europe/Amsterdam", 2024, 3, 31, 3, 0, 0, 2 * HOUR},
		{"Europe/Amsterdam", 2024, 10, 27, 2, 30, 0, 2 * HOUR}, /* overlap */
		{"Europe/Amsterdam", 2024, 10, 27, 3, 0, 0, 1 * HOUR},
		{"Europe/Amsterdam", 2060, 6, 1, 0, 0, 0, 2 * HOUR},
		{"Etc/GMT-8", 2023, 11, 20, 15, 19, 34, 8 * HOUR},
		{"Etc/UTC", 2024, 6, 1, 0, 0, 0, 0},
		{"UTC", 2099, 12, 31, 23, 59, 59, 0},
		{"Asia/Kolkata", 2024, 6, 1, 12, 0, 0, 5 * HOUR + 1800},
		{"Pacific/Chatham", 2024, 1, 1, 12, 0, 0, 13 * HOUR + 2700},
		{"Pacific/Chatham", 2024, 7, 1, 12, 0, 0, 12 * HOUR + 2700},
		{"America/St_Johns", 2024, 1, 1, 12, 0, 0, -3 * HOUR - 1800},
		{"America/St_Johns", 2024, 7, 1, 12, 0, 0, -2 * HOUR - 1800},
		{"Australia/Sydney", 2024, 1, 1, 12, 0, 0, 11 * HOUR},
		{"Australia/Sydney", 2024, 4, 7, 2, 30, 0, 11 * HOUR},  /* overlap: first, AEDT */
		{"Australia/Sydney", 2024, 10, 6, 2, 30, 0, 10 * HOUR}, /* gap: still AEST */
		{"America/Sao_Paulo", 2018, 1, 1, 12, 0, 0, -2 * HOUR},
		{"America/Sao_Paulo", 2024, 1, 1, 12, 0, 0, -3 * HOUR},
		{"Pacific/Apia", 2011, 12, 30, 12, 0, 0, -10 * HOUR}, /* the skipped day */
		{"America/Nuuk", 2024, 3, 30, 23, 30, 0, -2 * HOUR},  /* rule time -1:00: gap */
		{"America/Nuuk", 2024, 7, 1, 12, 0, 0, -1 * HOUR},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hand_case *c = &cases[i];
		int32_t off = -999999;
		int rc = aps_tz_offset_local(c->zone, c->y, c->mo, c->d, c->h, c->mi, c->s, &off);
		CHECKF(rc == 0 && off == c->offset, "%s %04d-%02d-%02d %02d:%02d:%02d: rc %d offset %d, want %d",
		       c->zone, c->y, c->mo, c->d, c->h, c->mi, c->s, rc, off, c->offset);
	}

	int32_t off;
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 2, 30, 0, 0, 0, &off) == -1, "Feb 30");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2023, 2, 29, 0, 0, 0, &off) == -1, "Feb 29 2023");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 2, 29, 0, 0, 0, &off) == 0, "Feb 29 2024");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 13, 1, 0, 0, 0, &off) == -1, "month 13");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 1, 1, 24, 0, 0, &off) == -1, "hour 24");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 1, 1, 0, 60, 0, &off) == -1, "minute 60");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 0, 1, 1, 0, 0, 0, &off) == -1, "year 0");
	CHECKF(aps_tz_offset_local("Europe/Amsterdam", 2024, 1, 1, 0, 0, 0, NULL) == -1, "NULL out");
	CHECKF(aps_tz_offset_local("Nowhere/Atlantis", 2024, 1, 1, 0, 0, 0, &off) == -1, "unknown zone");
	CHECKF(aps_tz_offset_local("Europe", 2024, 1, 1, 0, 0, 0, &off) == -1, "a directory");
	CHECKF(aps_tz_offset_local("../../etc/passwd", 2024, 1, 1, 0, 0, 0, &off) == -1, "traversal");
	CHECKF(aps_tz_offset_local("zone.tab", 2024, 1, 1, 0, 0, 0, &off) == -1, "invalid name");
	CHECKF(aps_tz_offset_local("leapseconds", 2024, 1, 1, 0, 0, 0, &off) == -1, "not a TZif file");
	/* Leap-second zones are refused, not answered 27 s off. */
	CHECKF(aps_tz_offset_local("right/UTC", 2024, 1, 1, 0, 0, 0, &off) == -1, "right/UTC");
}

/* The zones the brief names, plus the odd ones: negative rule times (Nuuk),
 * 30-minute DST (Lord_Howe), a skipped day (Apia), negative DST (Dublin),
 * Ramadan changes (Casablanca), DST of two hours (Troll). */
static void test_named_zones(void)
{
	static const char *const zones[] = {
		"Europe/Amsterdam", "US/Pacific", "Etc/GMT-8", "Australia/Sydney", "America/Sao_Paulo",
		"Asia/Kolkata", "Pacific/Chatham", "America/St_Johns", "UTC", "Etc/UTC", "America/Nuuk",
		"Australia/Lord_Howe", "Pacific/Apia", "Europe/Dublin", "Africa/Casablanca",
		"Antarctica/Troll", "America/Santiago", "Asia/Tehran", "Asia/Gaza", "America/Havana",
		"Pacific/Kiritimati", "Asia/Kathmandu", "Europe/Moscow", "America/Asuncion",
	};
	int64_t from = utc_instant(1990, 1, 1, 0, 0, 0), to = utc_instant(2061, 1, 1, 0, 0, 0);
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		int n = compare_range(zones[i], zones[i], from, to, 5 * DAY + 3607);
		if (strcmp(zones[i], "Europe/Amsterdam") == 0)
			CHECKF(n == 2 * 71, "Amsterdam: %d transitions in 1990..2060, want 142 (glibc loaded it?)", n);
	}
	/* The system zone (NULL and ""), which glibc reads from /etc/localtime without TZ. */
	compare_range(NULL, NULL, from, to, 30 * DAY + 7);
	compare_range("", NULL, from, to, 30 * DAY + 7);
}

static int zones_seen;

/* Every TZif file the system has must load, and agree with glibc from 1900 to 2400. */
static void walk_zones(const char *root, const char *rel)
{
	char dir_path[1024];
	snprintf(dir_path, sizeof(dir_path), "%s/%s", root, rel);
	DIR *dir = opendir(dir_path);
	if (dir == NULL) return;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.') continue;
		char name[512], path[1600];
		snprintf(name, sizeof(name), "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		snprintf(path, sizeof(path), "%s/%s", root, name);
		if (strcmp(name, "posix") == 0 || strcmp(name, "right") == 0) continue;
		struct stat st;
		if (stat(path, &st) != 0) continue;
		if (S_ISDIR(st.st_mode)) {
			walk_zones(root, name);
			continue;
		}
		FILE *f = fopen(path, "rb");
		char magic[4] = {0};
		bool tzif = f != NULL && fread(magic, 1, 4, f) == 4 && memcmp(magic, "TZif", 4) == 0;
		if (f != NULL) fclose(f);
		if (!tzif || !aps_tz_name_valid(name)) continue;
		zones_seen++;
		compare_range(name, name, utc_instant(1900, 1, 1, 0, 0, 0),
		              utc_instant(2100, 1, 1, 0, 0, 0), 365 * DAY + 4 * HOUR + 17);
		compare_range(name, name, utc_instant(2100, 1, 1, 0, 0, 0),
		              utc_instant(2400, 1, 1, 0, 0, 0), 3001 * DAY + 5);
	}
	closedir(dir);
}

void tzif_tests(void);  /* test_tzif.c: hand-made and malformed files */

int main(void)
{
	test_names();
	test_hand_cases();
	test_named_zones();
	walk_zones("/usr/share/zoneinfo", "");
	CHECKF(zones_seen > 300, "only %d zone files found", zones_seen);
	printf("tz: %d system zones, %ld wall-clock comparisons with glibc\n", zones_seen, comparisons);
	tzif_tests();
	return aps_check_report("test_tz");
}
