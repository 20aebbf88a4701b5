// SPDX-License-Identifier: MIT
/* fuzz_check.h - invariants shared by the libFuzzer targets.
 *
 * A violated invariant calls abort(), which libFuzzer reports as a crash and
 * saves the input that caused it. */
#ifndef APS_FUZZ_CHECK_H
#define APS_FUZZ_CHECK_H

#include "aps_protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                  \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                          \
		}                                                                         \
	} while (0)

static inline int fuzz_all_bytes(const void *p, size_t n, unsigned char value)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		if (b[i] != value) return 0;
	}
	return 1;
}

/* s is a NUL-terminated string inside its array of size cap, and every
 * byte before the NUL is printable ASCII. */
static inline int fuzz_printable_string(const char *s, size_t cap)
{
	const char *nul = memchr(s, '\0', cap);
	if (!nul) return 0;
	for (const char *c = s; c < nul; c++) {
		if (*c < 0x20 || *c > 0x7e) return 0;
	}
	return 1;
}

static inline int fuzz_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') return 0;
	}
	return s[n] == '\0';
}

static inline int fuzz_uid(const char *uid)
{
	for (size_t i = 0; i < APS_UID_LEN; i++) {
		char c = uid[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
	}
	return uid[APS_UID_LEN] == '\0';
}

static inline int fuzz_days_in_month(unsigned year, unsigned month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) return 29;
	return days[month - 1];
}

static inline int fuzz_valid_time(const struct aps_time *t)
{
	return t->year >= 2000 && t->year <= 2099 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= fuzz_days_in_month(t->year, t->month) && t->hour <= 23 && t->minute <= 59 &&
	       t->second <= 59;
}

/* What every failure must leave in err: the code, a printable reason, and an
 * offset inside (or just past) the reply. */
static inline void fuzz_check_failure(int rc, const struct aps_error *err, size_t len)
{
	FUZZ_CHECK(rc < 0 && rc > -APS_E_COUNT);
	FUZZ_CHECK(rc != -APS_E_UNKNOWN_TYPE);
	FUZZ_CHECK(err->code == (enum aps_err)-rc);
	FUZZ_CHECK(fuzz_printable_string(err->reason, sizeof(err->reason)));
	FUZZ_CHECK(err->reason[0] != '\0');
	FUZZ_CHECK(err->offset <= len);
	FUZZ_CHECK(strcmp(aps_strerror(rc), "unknown error") != 0);
}

/* Turns the input into a well-framed reply for cmd (header and END trailer
 * overwritten, length field set to the input's length), so mutations reach
 * the parser's field checks instead of dying in framing.  Returns the frame
 * length, or 0 when the input cannot hold one. */
static inline size_t fuzz_reframe(const unsigned char *data, size_t size, const char *cmd, unsigned char *out)
{
	if (size < 13 + 4 || size > APS_REPLY_MAX) return 0;
	memcpy(out, data, size);
	memcpy(out, "APS11", 5);
	snprintf((char *)out + 5, 5, "%04zu", size - 1);
	memcpy(out + 9, cmd, 4);
	memcpy(out + size - 4, "END\n", 4);
	return size;
}

#endif
