// SPDX-License-Identifier: MIT
/*
 * test_tzif.c - hand-made TZif files under a private $TZDIR: version 1 files,
 * POSIX footers checked against glibc's own parser (TZ set to the same
 * string), and malformed files that must all be refused.
 */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define APS_CHECK_SHARED /* with test_tz.c, which defines the counters */
#include "aps_check.h"
#include "tz.h"

#define HOUR 3600
#define DAY (24 * HOUR)
#define REF_WINDOW (26 * HOUR)

struct tzif_spec {
	char version;  /* '\0' for version 1, '2' or '3' */
	uint32_t timecnt, typecnt;
	int64_t times[4];
	uint8_t idx[4];
	int32_t utoff[3];
	uint8_t isdst[3];
	const char *footer;  /* the TZ string, without its newlines (v2+) */
};

static char tzdir[64];

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

/* Header + data block; both blocks carry the same data, as zic's "fat" output does. */
static uint8_t *put_block(uint8_t *p, const struct tzif_spec *s, char version, int width)
{
	memcpy(p, "TZif", 4);
	p[4] = (uint8_t)version;
	memset(p + 5, 0, 15);
	p += 20;
	p = put32(p, 0);           /* isutcnt */
	p = put32(p, 0);           /* isstdcnt */
	p = put32(p, 0);           /* leapcnt */
	p = put32(p, s->timecnt);
	p = put32(p, s->typecnt);
	p = put32(p, 4);           /* charcnt: "ABC\0" */
	for (uint32_t i = 0; i < s->timecnt; i++) {
		if (width == 8) p = put32(p, (uint32_t)((uint64_t)s->times[i] >> 32));
		p = put32(p, (uint32_t)s->times[i]);
	}
	for (uint32_t i = 0; i < s->timecnt; i++) *p++ = s->idx[i];
	for (uint32_t i = 0; i < s->typecnt; i++) {
		p = put32(p, (uint32_t)s->utoff[i]);
		*p++ = s->isdst[i];
		*p++ = 0;
	}
	memcpy(p, "ABC", 4);
	return p + 4;
}

static size_t build(const struct tzif_spec *s, uint8_t *out)
{
	uint8_t *p = put_block(out, s, s->version, 4);
	if (s->version == '\0') return (size_t)(p - out);
	p = put_block(p, s, s->version, 8);
	p += sprintf((char *)p, "\n%s\n", s->footer ? s->footer : "");
	return (size_t)(p - out);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tzdir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static void remove_file(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tzdir, name);
	unlink(path);
}

static int offset_at(const char *zone, int y, int mo, int d, int h, int32_t *off)
{
	*off = -999999;
	return aps_tz_offset_local(zone, y, mo, d, h, 0, 0, off);
}

/* 2000-03-26 01:00 UTC to +2, 2000-10-29 01:00 UTC back to +1, types 0 = +1, 1 = +2. */
static const struct tzif_spec europe_2000 = {
	.version = '\0', .timecnt = 2, .typecnt = 2, .times = {954032400, 972781200},
	.idx = {1, 0}, .utoff = {HOUR, 2 * HOUR}, .isdst = {0, 1},
};

static void test_versions(void)
{
	uint8_t buf[1024];
	int32_t off;

	write_file("V1", buf, build(&europe_2000, buf));
	CHECKF(offset_at("V1", 1999, 7, 1, 12, &off) == 0 && off == HOUR, "before first: type 0, %d", off);
	CHECKF(offset_at("V1", 2000, 7, 1, 12, &off) == 0 && off == 2 * HOUR, "summer 2000: %d", off);
	CHECKF(offset_at("V1", 2000, 3, 26, 2, &off) == 0 && off == HOUR, "in the gap: %d", off);
	CHECKF(offset_at("V1", 2000, 10, 29, 2, &off) == 0 && off == 2 * HOUR, "in the overlap: %d", off);
	/* Version 1 has no footer: the last type stays in force. */
	CHECKF(offset_at("V1", 2050, 7, 1, 12, &off) == 0 && off == HOUR, "2050, v1: %d", off);

	struct tzif_spec s = europe_2000;
	s.version = '2';
	s.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
	write_file("V2", buf, build(&s, buf));
	CHECKF(offset_at("V2", 2000, 7, 1, 12, &off) == 0 && off == 2 * HOUR, "v2 table: %d", off);
	CHECKF(offset_at("V2", 2050, 7, 1, 12, &off) == 0 && off == 2 * HOUR, "v2 footer: %d", off);
	CHECKF(offset_at("V2", 2050, 1, 1, 12, &off) == 0 && off == HOUR, "v2 footer winter: %d", off);

	s.version = '3';
	s.footer = "";  /* empty: unknown after the table; the last type stays */
	write_file("V3", buf, build(&s, buf));
	CHECKF(offset_at("V3", 2050, 7, 1, 12, &off) == 0 && off == HOUR, "empty footer: %d", off);

	/* No transitions at all: the footer, else type 0. */
	struct tzif_spec only = {.version = '2', .typecnt = 1, .utoff = {-5 * HOUR}, .footer = ""};
	write_file("Only", buf, build(&only, buf));
	CHECKF(offset_at("Only", 2024, 7, 1, 12, &off) == 0 && off == -5 * HOUR, "type 0 only: %d", off);
	only.footer = "<+0330>-3:30";
	write_file("Only", buf, build(&only, buf));
	CHECKF(offset_at("Only", 2024, 7, 1, 12, &off) == 0 && off == 3 * HOUR + 1800, "footer only: %d", off);
	remove_file("V1");
	remove_file("V2");
	remove_file("V3");
	remove_file("Only");
}

static int32_t glibc_offset(int64_t instant)
{
	time_t t = (time_t)instant;
	struct tm tm;
	localtime_r(&t, &tm);
	return (int32_t)tm.tm_gmtoff;
}

/* The same promise as in test_tz.c: the one valid offset, else the one before the change. */
static int32_t expected_offset(int64_t local)
{
	int32_t before = glibc_offset(local - REF_WINDOW), after = glibc_offset(local + REF_WINDOW);
	bool before_fits = glibc_offset(local - before) == before;
	bool after_fits = after != before && glibc_offset(local - after) == after;
	if (before_fits != after_fits) return before_fits ? before : after;
	return before;
}

static void compare_footer(const char *rule, int *compared)
{
	uint8_t buf[1024];
	struct tzif_spec s = {.version = '2', .typecnt = 1, .footer = rule};
	write_file("Rule", buf, build(&s, buf));
	setenv("TZ", rule, 1);
	tzset();
	int64_t step = 4 * DAY + 3 * HOUR + 7;
	int32_t prev = glibc_offset(631152000);
	for (int64_t u = 631152000; u < 2871763200; u += step) {  /* 1990 .. 2061 */
		int32_t off = glibc_offset(u);
		int64_t walls[8] = {u + off};
		int n = 1;
		if (off != prev) {  /* bisect to the second of the change, check both edges */
			int64_t lo = u - step, hi = u;
			while (hi - lo > 1) {
				int64_t mid = lo + (hi - lo) / 2;
				if (glibc_offset(mid) == prev) lo = mid;
				else hi = mid;
			}
			walls[n++] = hi + prev - 1;
			walls[n++] = hi + prev;
			walls[n++] = hi + off - 1;
			walls[n++] = hi + off;
		}
		prev = off;
		for (int i = 0; i < n; i++) {
			time_t t = (time_t)walls[i];
			struct tm tm;
			gmtime_r(&t, &tm);
			int32_t got = -999999, want = expected_offset(walls[i]);
			int rc = aps_tz_offset_local("Rule", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			                             tm.tm_hour, tm.tm_min, tm.tm_sec, &got);
			CHECKF(rc == 0 && got == want, "footer \"%s\" at %04d-%02d-%02d %02d:%02d:%02d: rc %d got %d want %d",
			       rule, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			       tm.tm_sec, rc, got, want);
			(*compared)++;
		}
	}
	unsetenv("TZ");
	tzset();
	remove_file("Rule");
}

/* Every form of the POSIX string that RFC 8536 footers use, read by glibc as TZ. */
static void test_footers(void)
{
	static const char *const rules[] = {
		"<+03>-3",
		"<-0330>3:30",
		"EST5EDT,M3.2.0,M11.1.0",
		"CET-1CEST,M3.5.0,M10.5.0/3",
		"AEST-10AEDT,M10.1.0,M4.1.0/3",
		"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
		"NST3:30NDT,M3.2.0,M11.1.0",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
		"<-04>4<-03>,M9.1.6/24,M4.1.6/24",
		"IST-2IDT,M3.4.4/26,M10.5.0",
		"<+0330>-3:30<+0430>,J79/24,J263/24",
		"XXX3YYY,J60/2,J300/2",
		"XXX-2YYY,59/2,300",
		"XXX-2YYY-4:30:15,M4.5.6/1:02:03,M9.1.1/23:59:59",
		"<-01>1<+00>-0,M3.5.0/0,M10.5.0/1",
		"EST5EDT,0/0,J365/25",
		"MST7MDT",
	};
	int compared = 0;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) compare_footer(rules[i], &compared);
	printf("tzif: %d footer comparisons with glibc\n", compared);
}

/* Each mutation of a valid file must be refused, not half-read. */
static void test_malformed(void)
{
	uint8_t good[1024], bad[1024];
	struct tzif_spec s = europe_2000;
	s.version = '2';
	s.footer = "CET-1CEST,M3.5.0,M10.5.0/3";
	size_t len = build(&s, good);
	size_t v1_len = 44 + 2 * 5 + 2 * 6 + 4;
	size_t v2 = v1_len;  /* the second header */
	int32_t off;

	write_file("Good", good, len);
	CHECKF(offset_at("Good", 2024, 1, 1, 0, &off) == 0 && off == HOUR, "the unmutated file loads");

	/* Every strict prefix. */
	for (size_t n = 0; n < len; n++) {
		write_file("Bad", good, n);
		CHECKF(offset_at("Bad", 2024, 1, 1, 0, &off) == -1, "prefix of %zu bytes accepted", n);
	}

	struct mutation {
		const char *what;
		size_t at;
		uint8_t value;
	} mutations[] = {
		{"bad magic", 3, 'X'},
		{"version '1'", 4, '1'},
		{"second header version 0", v2 + 4, 0},
		{"v1 timecnt huge", 32, 0xff},
		{"v2 timecnt huge", v2 + 32, 0xff},
		{"v2 typecnt huge", v2 + 36, 0x7f},
		{"v2 charcnt 0", v2 + 43, 0},
		{"v2 leapcnt 1", v2 + 31, 1},
		{"v2 isstdcnt 1 of 2 types", v2 + 27, 1},
		{"v2 isutcnt 1 of 2 types", v2 + 23, 1},
		{"type index out of range", v2 + 44 + 16, 2},
		{"transitions not ascending", v2 + 44 + 12, 0},
		{"utoff above 25:59:59", v2 + 44 + 18 + 1, 0x10},
		{"utoff far negative", v2 + 44 + 18, 0x80},
		{"isdst 2", v2 + 44 + 18 + 4, 2},
		{"designation index past chars", v2 + 44 + 18 + 5, 4},
		{"footer without leading newline", v2 + 44 + 18 + 12 + 4, 'X'},
		{"footer without closing newline", 0, 'X'},  /* at = last byte, set below */
		{"NUL inside the footer", v2 + 44 + 18 + 12 + 4 + 3, 0},
	};
	mutations[sizeof(mutations) / sizeof(mutations[0]) - 2].at = len - 1;
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		memcpy(bad, good, len);
		CHECKF(mutations[i].at < len, "mutation %s out of the file", mutations[i].what);
		bad[mutations[i].at] = mutations[i].value;
		if (i == 4) bad[v2 + 33] = bad[v2 + 34] = bad[v2 + 35] = 0xff;  /* 0xffffffff */
		write_file("Bad", bad, len);
		CHECKF(offset_at("Bad", 2024, 1, 1, 0, &off) == -1, "%s: accepted", mutations[i].what);
	}

	/* zero types, with zero transitions so the sizes still add up */
	struct tzif_spec empty = {.version = '2', .typecnt = 0, .footer = "UTC0"};
	write_file("Bad", bad, build(&empty, bad));
	CHECKF(offset_at("Bad", 2024, 1, 1, 0, &off) == -1, "typecnt 0: accepted");

	/* Bytes after the footer are not ours to judge; but a footer must be a rule. */
	static const char *const bad_footers[] = {
		"EST", "5", "<AB>3", "<ABC3", "EST25", "EST5:60", "EST5:30:60",
		"EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0",
		"EST5EDT,M0.2.0,M11.1.0", "EST5EDT,J0,J365", "EST5EDT,366,1", "EST5EDT,M3.2.0/168,M11.1.0",
		"EST5EDT,M3.2.0", "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,M3.2.0,M11.1.0 ", "EST5EDT;M3.2.0,M11.1.0",
		"EST5EDT,M3.2.0/,M11.1.0", "EST5EDT,M3..0,M11.1.0", "EST05000EDT,M3.2.0,M11.1.0",
			};
	char long_name[160];
	memset(long_name, 'A', 150);  /* a valid rule, but longer than any footer zic writes */
	strcpy(long_name + 150, "5");
	for (size_t i = 0; i <= sizeof(bad_footers) / sizeof(bad_footers[0]); i++) {
		s.footer = i < sizeof(bad_footers) / sizeof(bad_footers[0]) ? bad_footers[i] : long_name;
		write_file("Bad", bad, build(&s, bad));
		CHECKF(offset_at("Bad", 2024, 1, 1, 0, &off) == -1, "footer \"%s\": accepted", s.footer);
	}

	/* Larger than the 256 KiB cap, even if otherwise fine. */
	size_t big_len = 256 * 1024 + 1;
	uint8_t *big = calloc(1, big_len);
	if (big != NULL) {
		memcpy(big, good, len);
		write_file("Bad", big, big_len);
		CHECKF(offset_at("Bad", 2024, 1, 1, 0, &off) == -1, "file above 256 KiB: accepted");
		free(big);
	}

	/* $TZDIR is honoured: "Good" exists only there. */
	unsetenv("TZDIR");
	CHECKF(offset_at("Good", 2024, 1, 1, 0, &off) == -1, "found Good outside $TZDIR");
	setenv("TZDIR", tzdir, 1);
	remove_file("Good");
	remove_file("Bad");
}

void tzif_tests(void)
{
	snprintf(tzdir, sizeof(tzdir), "/tmp/aps-tz-test-XXXXXX");
	if (mkdtemp(tzdir) == NULL) {
		perror("mkdtemp");
		aps_check_failed++;
		return;
	}
	setenv("TZDIR", tzdir, 1);
	test_versions();
	test_footers();
	test_malformed();
	unsetenv("TZDIR");
	rmdir(tzdir);
}
