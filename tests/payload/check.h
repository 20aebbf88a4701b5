/* check.h - the few assertions the payload and tz tests share. */
#ifndef APS_TEST_CHECK_H
#define APS_TEST_CHECK_H

#include <stdio.h>

static int check_failures;

/* Keeps going after a failure (one run shows every broken case), but caps the noise. */
#define CHECK(cond, ...)                                                               \
	do {                                                                               \
		if (!(cond)) {                                                                 \
			if (check_failures++ < 40) {                                               \
				fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
				fprintf(stderr, __VA_ARGS__);                                          \
				fputc('\n', stderr);                                                   \
			}                                                                          \
		}                                                                              \
	} while (0)

static inline int check_report(const char *name)
{
	if (check_failures > 0) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
