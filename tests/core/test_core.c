// SPDX-License-Identifier: MIT
/* Unit tests of the plugin's pure parts: topic checks and poll scheduling. */
#include <stdio.h>
#include <string.h>

#include "aps_check.h"
#include "schedule.h"
#include "topic.h"

static void test_topic_valid(void)
{
	const char *good[] = { "aps/status", "aps/216200033510/804000070564", "a", "home/solar/aps/x",
	                       "caf\xc3\xa9/aps", "\xe2\x82\xac", "\xf0\x9f\x8c\x9e/sun" };
	const char *bad[] = {
		"", "/aps", "aps/", "aps//status", "aps/+/x", "aps/#", "a+b", "a#",
		"aps/\x01", "aps/\x7f",
		"\xc0\xaf",          /* overlong '/' */
		"\xe0\x80\xaf",      /* overlong, 3 bytes */
		"\xed\xa0\x80",      /* UTF-16 surrogate */
		"\xf4\x90\x80\x80",  /* above U+10FFFF */
		"\xc3",              /* cut short */
		"\xc3(",             /* bad continuation */
		"\xff",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) CHECK(topic_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (topic_valid(bad[i])) printf("  accepted bad topic #%zu\n", i);
		CHECK(!topic_valid(bad[i]));
	}
	char longest[APS_TOPIC_MAX + 1];
	memset(longest, 'a', sizeof(longest));
	longest[APS_TOPIC_MAX - 1] = '\0';
	CHECK(topic_valid(longest));
	longest[APS_TOPIC_MAX - 1] = 'a';
	longest[APS_TOPIC_MAX] = '\0';
	CHECK(!topic_valid(longest));
}

static void test_topic_join(void)
{
	char buf[APS_TOPIC_MAX];
	const char *parts[] = { "aps", "216200033510", "804000070564" };
	CHECK(topic_join(buf, sizeof(buf), "", parts, 3) == 0);
	CHECK(strcmp(buf, "aps/216200033510/804000070564") == 0);
	CHECK(topic_join(buf, sizeof(buf), NULL, parts, 2) == 0);
	CHECK(strcmp(buf, "aps/216200033510") == 0);
	CHECK(topic_join(buf, sizeof(buf), "home/solar", parts, 1) == 0);
	CHECK(strcmp(buf, "home/solar/aps") == 0);

	const char *hostile[] = { "aps", "2162+0033510" };
	CHECK(topic_join(buf, sizeof(buf), "", hostile, 2) == -1);
	const char *empty[] = { "aps", "" };
	CHECK(topic_join(buf, sizeof(buf), "", empty, 2) == -1);
	char small[8];
	CHECK(topic_join(small, sizeof(small), "", parts, 2) == -1);
}

static void test_schedule(void)
{
	/* A fixed interval is used as it is. */
	CHECK(schedule_after_success(1, true, 0) == 1);
	CHECK(schedule_after_success(600, false, 0) == 600);
	/* Following the ECU: data timestamp + 6 min, within [60, 360]. */
	CHECK(schedule_after_success(0, false, 0) == 300);
	CHECK(schedule_after_success(0, true, 0) == 360);
	CHECK(schedule_after_success(0, true, 100) == 260);
	CHECK(schedule_after_success(0, true, 299) == 61);
	CHECK(schedule_after_success(0, true, 5000) == 60);  /* ECU clock far behind */
	CHECK(schedule_after_success(0, true, -5000) == 360); /* ECU clock far ahead */

	/* Failures: retry_interval doubling, capped by the poll interval. */
	CHECK(schedule_after_failure(0, 60, 1) == 60);
	CHECK(schedule_after_failure(0, 60, 2) == 120);
	CHECK(schedule_after_failure(0, 60, 3) == 240);
	CHECK(schedule_after_failure(0, 60, 4) == 300);
	CHECK(schedule_after_failure(0, 60, 1000) == 300);
	CHECK(schedule_after_failure(1, 1, 50) == 1);
	CHECK(schedule_after_failure(900, 60, 5) == 900);
	CHECK(schedule_after_failure(900, 60, 6) == 900);
	/* A retry interval above the poll interval is still honoured. */
	CHECK(schedule_after_failure(10, 60, 3) == 60);
}

int main(void)
{
	test_topic_valid();
	test_topic_join();
	test_schedule();
	return aps_check_report("test_core");
}
