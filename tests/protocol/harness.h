/*
 * harness.h - the smallest harness that still says what broke.
 *
 * Checks count passes and failures; only failures are printed ("not ok"),
 * prefixed by the current case so a table row can be found again.  A test
 * program ends with `return t_summary("name");`, which prints
 * "N passed, N failed" and gives a non-zero exit status on any failure.
 */
#ifndef APS_TEST_HARNESS_H
#define APS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#define T_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Names the case under test; printed before every failure until changed. */
void t_case(const char *fmt, ...) T_PRINTF(1, 2);

bool t_check(bool ok, const char *file, int line, const char *fmt, ...) T_PRINTF(4, 5);
bool t_check_int(long long got, long long want, const char *expr, const char *file, int line);
bool t_check_str(const char *got, const char *want, const char *expr, const char *file, int line);

/* Prints the totals and returns the exit status for main(). */
int t_summary(const char *program);

#define CHECK(cond, ...) t_check((cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(got, want) t_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define CHECK_STR(got, want) t_check_str((got), (want), #got, __FILE__, __LINE__)

#endif
