// SPDX-License-Identifier: MIT
/*
 * aps_check.h - the checks every C unit test uses.
 *
 * A check that fails prints one line to stderr,
 *     FAIL [case] file:line: expression[: message]
 * and the test carries on, so one run shows every broken case.  Past
 * APS_CHECK_PRINT_MAX failures are counted but not printed: one broken rule
 * can fail thousands of generated cases, and the first ones say enough.
 * Every check is an expression that is true when it passed, so a test can
 * skip what depends on it: `if (!CHECK(fd >= 0)) return;`.
 *
 * main() ends with `return aps_check_report("test_name");`, which prints
 * "test_name: N passed, M failed" and gives the exit status: 0 only when
 * something was checked and nothing failed.
 *
 * The counters are static, for a test that is one .c file.  A test built
 * from several .c files defines APS_CHECK_SHARED before including this
 * header in each of them (its own harness header does it), and exactly one
 * of those files defines the counters:
 *     int aps_check_passed, aps_check_failed;
 *     char aps_check_label[APS_CHECK_LABEL_MAX];
 */
#ifndef APS_CHECK_H
#define APS_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define APS_CHECK_PRINT_MAX 50
#define APS_CHECK_LABEL_MAX 256

#ifdef APS_CHECK_SHARED
extern int aps_check_passed, aps_check_failed;
extern char aps_check_label[APS_CHECK_LABEL_MAX];
#else
static int aps_check_passed, aps_check_failed;
static char aps_check_label[APS_CHECK_LABEL_MAX];
#endif

#define CHECK(cond) aps_check((cond), __FILE__, __LINE__, #cond)
#define CHECKF(cond, ...) aps_checkf((cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define CHECK_INT(got, want) aps_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, #got)
#define CHECK_STR(got, want) aps_check_str((got), (want), __FILE__, __LINE__, #got)
#define CHECK_HAS(got, part) aps_check_has((got), (part), __FILE__, __LINE__, #got)

#define APS_CHECK_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Names the case under test: every failure line shows it until the next call. */
APS_CHECK_PRINTF(1, 2) static inline void aps_check_case(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(aps_check_label, sizeof(aps_check_label), fmt, ap);
	va_end(ap);
}

/* Counts one check.  For a failure that is still to be printed, starts its
 * line and returns true: the caller ends it. */
static inline bool aps_check_count(bool ok, const char *file, int line)
{
	if (ok) {
		aps_check_passed++;
		return false;
	}
	aps_check_failed++;
	fflush(stdout); /* what the test printed so far stands before the failure */
	if (aps_check_failed == APS_CHECK_PRINT_MAX + 1)
		fprintf(stderr, "FAIL ... further failures are counted, not printed\n");
	if (aps_check_failed > APS_CHECK_PRINT_MAX) return false;
	if (aps_check_label[0] != '\0') fprintf(stderr, "FAIL [%s] %s:%d: ", aps_check_label, file, line);
	else fprintf(stderr, "FAIL %s:%d: ", file, line);
	return true;
}

static inline bool aps_check(bool ok, const char *file, int line, const char *expr)
{
	if (aps_check_count(ok, file, line)) fprintf(stderr, "%s\n", expr);
	return ok;
}

APS_CHECK_PRINTF(5, 6)
static inline bool aps_checkf(bool ok, const char *file, int line, const char *expr, const char *fmt, ...)
{
	if (aps_check_count(ok, file, line)) {
		va_list ap;
		fprintf(stderr, "%s: ", expr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return ok;
}

static inline bool aps_check_int(long long got, long long want, const char *file, int line, const char *expr)
{
	bool ok = got == want;
	if (aps_check_count(ok, file, line)) fprintf(stderr, "%s is %lld, want %lld\n", expr, got, want);
	return ok;
}

static inline bool aps_check_str(const char *got, const char *want, const char *file, int line, const char *expr)
{
	bool ok = got != NULL && want != NULL && strcmp(got, want) == 0;
	if (aps_check_count(ok, file, line))
		fprintf(stderr, "%s is \"%s\", want \"%s\"\n", expr, got ? got : "(null)", want ? want : "(null)");
	return ok;
}

static inline bool aps_check_has(const char *got, const char *part, const char *file, int line, const char *expr)
{
	bool ok = got != NULL && part != NULL && strstr(got, part) != NULL;
	if (aps_check_count(ok, file, line))
		fprintf(stderr, "%s is \"%s\", lacks \"%s\"\n", expr, got ? got : "(null)", part ? part : "(null)");
	return ok;
}

/* Prints the totals; returns main()'s exit status. */
static inline int aps_check_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, aps_check_passed, aps_check_failed);
	if (aps_check_passed + aps_check_failed == 0) {
		printf("%s: nothing was checked\n", name);
		return 1;
	}
	return aps_check_failed == 0 ? 0 : 1;
}

#endif
