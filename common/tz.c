// SPDX-License-Identifier: MIT
/*
 * tz.c - UTC offsets from TZif files (RFC 8536), read afresh on every call.
 *
 * The plugin lives inside the broker, so the process-wide TZ variable and the
 * libc zone state are not ours: this file never calls setenv, tzset or
 * localtime.  A zone file is small and read at most once per poll, so there is
 * no cache and no global state.  The file is as hostile as a network reply:
 * every count is checked against the bytes actually read.
 */
#include "tz.h"

#include "civil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_SYSTEM_FILE "/etc/localtime"
#define TZ_FILE_MAX (256 * 1024)
#define TZ_NAME_MAX 63
#define TZ_HEADER_LEN 44
#define TZ_FOOTER_MAX 128
/* RFC 8536 keeps UT offsets within -25:59:59..+25:59:59. */
#define TZ_OFFSET_MAX (26 * 3600 - 1)
/* POSIX allows 0..24 hours in an offset; RFC 8536 allows -167..167 in a rule's time. */
#define TZ_OFFSET_HOURS_MAX 24
#define TZ_RULE_HOURS_MAX 167
#define DAY_S 86400

enum rule_kind {
	RULE_JULIAN,      /* Jn: 1..365, February 29 never counted */
	RULE_ZERO_BASED,  /* n: 0..365, February 29 counted in leap years */
	RULE_MONTH_WEEK,  /* Mm.w.d: day d (0 = Sunday) of week w (5 = last) of month m */
};

struct rule_date {
	enum rule_kind kind;
	int month, week, day;
	int32_t time_s;  /* local time of day of the change; may be < 0 or > 24 h */
};

/* The footer's POSIX TZ string, offsets east-positive (POSIX writes them west-positive). */
struct posix_rule {
	int32_t std_off, dst_off;
	bool has_dst;
	struct rule_date start, end;
};

/* A parsed zone: pointers into the file buffer, all bounds already checked. */
struct zone {
	const uint8_t *times;     /* timecnt transition times, big-endian */
	const uint8_t *type_idx;  /* timecnt indexes into types */
	const uint8_t *types;     /* typecnt records: i32 utoff, u8 isdst, u8 desigidx */
	uint32_t timecnt, typecnt;
	unsigned time_size;       /* 4 in the v1 block, 8 in the v2+ block */
	bool has_rule;
	struct posix_rule rule;
};

struct tzif_header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

bool aps_tz_name_valid(const char *name)
{
	if (name == NULL) return false;
	size_t n = 0;
	bool part_empty = true;
	for (const char *p = name; *p != '\0'; p++, n++) {
		char c = *p;
		if (n == TZ_NAME_MAX) return false;
		if (c == '/') {
			if (part_empty) return false;  /* leading '/' or "//" */
			part_empty = true;
			continue;
		}
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		          c == '_' || c == '+' || c == '-';
		if (!ok) return false;  /* no '.', so no ".." either */
		part_empty = false;
	}
	return n > 0 && !part_empty;
}

/* ---- Calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

/* The year holding a day: estimate from the mean year length, then step to it. */
static int64_t year_of_days(int64_t days)
{
	int64_t y = 1970 + aps_floor_div(days * 400, 146097);
	while (aps_days_from_civil(y, 1, 1) > days) y--;
	while (aps_days_from_civil(y + 1, 1, 1) <= days) y++;
	return y;
}

/* ---- The POSIX TZ footer ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* At most max_digits digits; the bound keeps the value far from overflow. */
static bool parse_number(const char **pp, int max_digits, int max_value, int *out)
{
	const char *p = *pp;
	int value = 0, n = 0;
	while (is_digit(*p) && n < max_digits) {
		value = value * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || is_digit(*p) || value > max_value) return false;
	*pp = p;
	*out = value;
	return true;
}

/* A zone abbreviation: three or more letters, or <...> quoted ("<+03>", "<-0330>"). */
static bool parse_abbreviation(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;
	if (*p == '<') {
		for (p++; is_alpha(*p) || is_digit(*p) || *p == '+' || *p == '-'; p++) n++;
		if (*p != '>') return false;
		p++;
	} else {
		for (; is_alpha(*p); p++) n++;
	}
	if (n < 3) return false;
	*pp = p;
	return true;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static bool parse_hms(const char **pp, int max_hours, int32_t *out)
{
	const char *p = *pp;
	int sign = 1, hours, minutes = 0, seconds = 0;
	if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
	if (!parse_number(&p, 3, max_hours, &hours)) return false;
	if (*p == ':') {
		p++;
		if (!parse_number(&p, 2, 59, &minutes)) return false;
		if (*p == ':') {
			p++;
			if (!parse_number(&p, 2, 59, &seconds)) return false;
		}
	}
	*pp = p;
	*out = sign * (hours * 3600 + minutes * 60 + seconds);
	return true;
}

static bool parse_rule_date(const char **pp, struct rule_date *rd)
{
	const char *p = *pp;
	if (*p == 'J') {
		p++;
		rd->kind = RULE_JULIAN;
		if (!parse_number(&p, 3, 365, &rd->day) || rd->day < 1) return false;
	} else if (*p == 'M') {
		p++;
		rd->kind = RULE_MONTH_WEEK;
		if (!parse_number(&p, 2, 12, &rd->month) || rd->month < 1 || *p++ != '.') return false;
		if (!parse_number(&p, 1, 5, &rd->week) || rd->week < 1 || *p++ != '.') return false;
		if (!parse_number(&p, 1, 6, &rd->day)) return false;
	} else {
		rd->kind = RULE_ZERO_BASED;
		if (!parse_number(&p, 3, 365, &rd->day)) return false;
	}
	rd->time_s = 2 * 3600;
	if (*p == '/') {
		p++;
		if (!parse_hms(&p, TZ_RULE_HOURS_MAX, &rd->time_s)) return false;
	}
	*pp = p;
	return true;
}

/* s is NUL-terminated.  The empty string (no rule) is handled by the caller. */
static bool parse_posix_rule(const char *s, struct posix_rule *r)
{
	const char *p = s;
	int32_t west;
	memset(r, 0, sizeof(*r));
	if (!parse_abbreviation(&p) || !parse_hms(&p, TZ_OFFSET_HOURS_MAX, &west)) return false;
	r->std_off = -west;
	if (*p == '\0') return true;

	if (!parse_abbreviation(&p)) return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (!parse_hms(&p, TZ_OFFSET_HOURS_MAX, &west)) return false;
		r->dst_off = -west;
	}
	if (*p == '\0') {
		/* No rule given: POSIX leaves it to the implementation; glibc uses the US rule. */
		r->start = (struct rule_date){RULE_MONTH_WEEK, 3, 2, 0, 2 * 3600};
		r->end = (struct rule_date){RULE_MONTH_WEEK, 11, 1, 0, 2 * 3600};
		return true;
	}
	if (*p++ != ',' || !parse_rule_date(&p, &r->start)) return false;
	if (*p++ != ',' || !parse_rule_date(&p, &r->end)) return false;
	return *p == '\0';
}

/* The rule's date and time in year y, as local seconds since 1970 (wall clock read as UTC). */
static int64_t rule_local_time(const struct rule_date *rd, int64_t y)
{
	int64_t day;
	if (rd->kind == RULE_JULIAN) {
		day = aps_days_from_civil(y, 1, 1) + rd->day - 1 + (aps_leap_year(y) && rd->day >= 60);
	} else if (rd->kind == RULE_ZERO_BASED) {
		day = aps_days_from_civil(y, 1, 1) + rd->day;
	} else {
		int64_t first = aps_days_from_civil(y, rd->month, 1);
		/* 0 = Sunday; 1970-01-01 was a Thursday. */
		int first_weekday = (int)(first + 4 - aps_floor_div(first + 4, 7) * 7);
		int mday = (rd->day - first_weekday + 7) % 7 + 7 * (rd->week - 1);
		while (mday >= aps_days_in_month(y, rd->month)) mday -= 7;  /* week 5 means the last one */
		day = first + mday;
	}
	return day * DAY_S + rd->time_s;
}

static int32_t rule_offset(const struct posix_rule *r, int64_t t)
{
	if (!r->has_dst) return r->std_off;
	/* Changes can sit near New Year (southern zones, times up to 167 h), so the
	 * latest change at or before t is searched over three years. */
	int64_t year = year_of_days(aps_floor_div(t + r->std_off, DAY_S));
	int64_t latest = INT64_MIN;
	bool dst = false;
	for (int64_t y = year - 1; y <= year + 1; y++) {
		int64_t start = rule_local_time(&r->start, y) - r->std_off;
		int64_t end = rule_local_time(&r->end, y) - r->dst_off;
		/* A start and an end at the same instant mean DST all year ("0/0,J365/25"). */
		if (end <= t && end > latest) {
			latest = end;
			dst = false;
		}
		if (start <= t && start >= latest) {
			latest = start;
			dst = true;
		}
	}
	return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ---- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t transition_time(const struct zone *z, uint32_t i)
{
	const uint8_t *p = z->times + (size_t)i * z->time_size;
	if (z->time_size == 4) return (int32_t)be32(p);
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int32_t type_offset(const struct zone *z, uint32_t type)
{
	return (int32_t)be32(z->types + (size_t)type * 6);
}

static bool read_header(const uint8_t *p, size_t avail, struct tzif_header *h)
{
	if (avail < TZ_HEADER_LEN || memcmp(p, "TZif", 4) != 0) return false;
	h->version = (char)p[4];
	if (h->version != '\0' && (h->version < '2' || h->version > '9')) return false;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	return true;
}

/* Bytes of the data block after a header; 64-bit arithmetic cannot overflow on 32-bit counts. */
static uint64_t block_size(const struct tzif_header *h, unsigned time_size)
{
	return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

/* p points at the data block, which the caller checked fits in the file. */
static bool load_block(const struct tzif_header *h, const uint8_t *p, unsigned time_size,
                       struct zone *z)
{
	/* RFC 8536 requires at least one type and one designation byte.  Leap-second
	 * ("right/") zones count TAI-like seconds: refuse them rather than be off. */
	if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 || h->leapcnt != 0) return false;
	if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt))
		return false;

	z->time_size = time_size;
	z->timecnt = h->timecnt;
	z->typecnt = h->typecnt;
	z->times = p;
	z->type_idx = p + (size_t)h->timecnt * time_size;
	z->types = z->type_idx + h->timecnt;

	for (uint32_t i = 0; i < z->timecnt; i++) {
		if (z->type_idx[i] >= z->typecnt) return false;
		if (i > 0 && transition_time(z, i) <= transition_time(z, i - 1)) return false;
	}
	for (uint32_t i = 0; i < z->typecnt; i++) {
		int32_t off = type_offset(z, i);
		const uint8_t *t = z->types + (size_t)i * 6;
		if (off < -TZ_OFFSET_MAX || off > TZ_OFFSET_MAX || t[4] > 1 || t[5] >= h->charcnt)
			return false;
	}
	return true;
}

/* The footer: "\n" TZ-string "\n" right after the v2+ block. */
static bool load_footer(const uint8_t *p, size_t avail, struct zone *z)
{
	char text[TZ_FOOTER_MAX + 1] = { 0 };
	size_t n = 0;
	if (avail < 2 || p[0] != '\n') return false;
	for (n = 0; n + 1 < avail && p[n + 1] != '\n'; n++) {
		if (n == TZ_FOOTER_MAX || p[n + 1] == '\0') return false;
		text[n] = (char)p[n + 1];
	}
	if (n + 1 == avail) return false;  /* no closing newline */
	text[n] = '\0';
	if (n == 0) return true;  /* empty: nothing known after the last transition */
	if (!parse_posix_rule(text, &z->rule)) return false;
	/* std is within 24:59:59 by parsing; the default dst (std + 1 h) may not be. */
	if (z->rule.dst_off < -TZ_OFFSET_MAX || z->rule.dst_off > TZ_OFFSET_MAX) return false;
	z->has_rule = true;
	return true;
}

static bool parse_zone(const uint8_t *buf, size_t len, struct zone *z)
{
	struct tzif_header h;
	memset(z, 0, sizeof(*z));
	if (!read_header(buf, len, &h)) return false;
	uint64_t size = block_size(&h, 4);
	if (size > len - TZ_HEADER_LEN) return false;
	if (h.version == '\0') return load_block(&h, buf + TZ_HEADER_LEN, 4, z);

	/* Version 2+: skip the 32-bit block, read the 64-bit one and the footer. */
	size_t at = TZ_HEADER_LEN + (size_t)size;
	if (!read_header(buf + at, len - at, &h) || h.version == '\0') return false;
	at += TZ_HEADER_LEN;
	size = block_size(&h, 8);
	if (size > len - at) return false;
	if (!load_block(&h, buf + at, 8, z)) return false;
	at += (size_t)size;
	return load_footer(buf + at, len - at, z);
}

static int32_t zone_offset(const struct zone *z, int64_t t)
{
	if (z->timecnt == 0) return z->has_rule ? rule_offset(&z->rule, t) : type_offset(z, 0);
	if (t < transition_time(z, 0)) return type_offset(z, 0);
	if (z->has_rule && t > transition_time(z, z->timecnt - 1)) return rule_offset(&z->rule, t);
	uint32_t lo = 0, hi = z->timecnt - 1;  /* time[lo] <= t; find the last such index */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (transition_time(z, mid) <= t) lo = mid;
		else hi = mid - 1;
	}
	return type_offset(z, z->type_idx[lo]);
}

static int32_t zone_max_abs_offset(const struct zone *z)
{
	int32_t max = 0;
	for (uint32_t i = 0; i < z->typecnt; i++) {
		int32_t off = type_offset(z, i);
		if (off < 0) off = -off;
		if (off > max) max = off;
	}
	if (z->has_rule) {
		int32_t a = z->rule.std_off < 0 ? -z->rule.std_off : z->rule.std_off;
		int32_t b = z->rule.dst_off < 0 ? -z->rule.dst_off : z->rule.dst_off;
		if (a > max) max = a;
		if (b > max) max = b;
	}
	return max;
}

/* Whole file into a new buffer, or NULL.  The size cap bounds everything later. */
static uint8_t *read_zone_file(const char *path, size_t *len, struct stat *st_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return NULL;
	struct stat st;
	uint8_t *buf = NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < TZ_HEADER_LEN ||
	    st.st_size > TZ_FILE_MAX)
		goto fail;
	size_t want = (size_t)st.st_size, got = 0;
	buf = malloc(want);
	if (buf == NULL) goto fail;
	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) goto fail;
		if (r == 0) break;     /* shrank under us: parse what is there */
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	*st_out = st;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* The path of zone name's file, or false. */
static bool zone_path(const char *name, char *path, size_t cap)
{
	if (name == NULL || name[0] == '\0') {
		snprintf(path, cap, "%s", TZ_SYSTEM_FILE);
		return true;
	}
	if (!aps_tz_name_valid(name)) return false;
	const char *dir = getenv("TZDIR");
	if (dir == NULL || dir[0] == '\0') dir = TZ_DEFAULT_DIR;
	int n = snprintf(path, cap, "%s/%s", dir, name);
	return n >= 0 && (size_t)n < cap;
}

/* Zones read before, kept parsed: a cycle asks for one or two, and the broker's
 * thread should not read and parse a file for each.  A file is read again when
 * stat() says it changed (tzdata updated, /etc/localtime pointed elsewhere). */
#define TZ_CACHE_SLOTS 4
static struct cached_zone {
	char path[PATH_MAX];
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint8_t *buf;
	struct zone zone;
} tz_cache[TZ_CACHE_SLOTS];
static unsigned tz_cache_next;

static bool same_file(const struct cached_zone *c, const struct stat *st)
{
	return c->dev == st->st_dev && c->ino == st->st_ino && c->size == st->st_size &&
	       c->mtime.tv_sec == st->st_mtim.tv_sec && c->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       c->ctime.tv_sec == st->st_ctim.tv_sec && c->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* Zone name parsed, from the cache or its file; NULL when unknown or malformed. */
static const struct zone *load_zone(const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	if (!zone_path(name, path, sizeof(path)) || stat(path, &st) != 0) return NULL;
	for (unsigned i = 0; i < TZ_CACHE_SLOTS; i++) {
		if (tz_cache[i].buf != NULL && strcmp(tz_cache[i].path, path) == 0 && same_file(&tz_cache[i], &st))
			return &tz_cache[i].zone;
	}
	size_t len = 0;
	uint8_t *buf = read_zone_file(path, &len, &st);
	struct zone z;
	if (buf == NULL || !parse_zone(buf, len, &z)) {
		free(buf);
		return NULL;
	}
	struct cached_zone *c = &tz_cache[tz_cache_next++ % TZ_CACHE_SLOTS];
	free(c->buf);
	memcpy(c->path, path, strlen(path) + 1);
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->size = st.st_size;
	c->mtime = st.st_mtim;
	c->ctime = st.st_ctim;
	c->buf = buf;
	c->zone = z;
	return &c->zone;
}

void aps_tz_forget(void)
{
	for (unsigned i = 0; i < TZ_CACHE_SLOTS; i++) {
		free(tz_cache[i].buf);
		tz_cache[i].buf = NULL;
	}
}

/*
 * A wall-clock time names one instant, two (a fall-back overlap) or none (a
 * spring-forward gap).  In both odd cases we answer with the offset in force
 * just BEFORE the transition: in an overlap that is the first occurrence (still
 * DST), in a gap the old standard offset, so 02:30 on a spring-forward night
 * in Amsterdam reads as +01:00.  (Python's zoneinfo answers the same for fold=0.)
 *
 * Every instant the wall time could name lies within max|offset| of it read as
 * UTC.  With before/after the offsets at the two ends of that window and T the
 * transition inside it, the wall time L is past T exactly when
 * L >= T + max(before, after), i.e. when L - max(before, after) >= T: one
 * lookup at that instant gives the answer.  This assumes at most one transition
 * inside the window (2 * max|offset|, under two days): no two transitions of
 * any zone in tzdata 2025b are that close, and the tests compare every system
 * zone with glibc.  (A plain "guess, then correct once" would pick either side
 * of an overlap depending on the guess.)
 */
int aps_tz_offset_local(const char *name, int year, int month, int day, int hour, int minute,
                        int second, int32_t *offset_s)
{
	if (offset_s == NULL || year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > aps_days_in_month(year, month) || hour < 0 || hour > 23 || minute < 0 ||
	    minute > 59 || second < 0 || second > 59)
		return -1;

	const struct zone *z = load_zone(name);
	if (z == NULL) return -1;
	int64_t local = aps_days_from_civil(year, month, day) * DAY_S + hour * 3600 + minute * 60 + second;
	int64_t window = zone_max_abs_offset(z) + 1;
	int32_t before = zone_offset(z, local - window);
	int32_t after = zone_offset(z, local + window);
	*offset_s = zone_offset(z, local - (before > after ? before : after));
	return 0;
}
