// SPDX-License-Identifier: MIT
/*
 * test_control_cmd.c - command topics and values, which ECU models take
 * which command, and the queue's spacing, bound and merging.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aps_check.h"
#include "control_cmd.h"

#define ECU_C "215000001234"
#define ECU_PRO "216200001234"
#define ECU_R "216000001234"
#define ECU_B "216300001234"
#define UID "806000001234"

static enum control_parse topic(const char *t, const char *base, struct control_cmd *cmd, char *reason)
{
	return control_parse_topic(t, base, cmd, reason, CONTROL_REASON_MAX);
}

static void test_topics(void)
{
	struct control_cmd c;
	char why[CONTROL_REASON_MAX];

	CHECK_INT(topic("aps/" ECU_C "/" UID "/cmd/power", "", &c, why), CONTROL_VALID);
	CHECK_INT(c.kind, CONTROL_POWER);
	CHECK_STR(c.ecu_id, ECU_C);
	CHECK_STR(c.uid, UID);
	CHECK_INT(topic("solar/aps/" ECU_C "/" UID "/cmd/max_power", "solar/", &c, why), CONTROL_VALID);
	CHECK_INT(c.kind, CONTROL_MAX_POWER);
	CHECK_INT(topic("aps/" ECU_C "/cmd/zero_export", "", &c, why), CONTROL_VALID);
	CHECK_INT(c.kind, CONTROL_ZERO_EXPORT);
	CHECK_STR(c.uid, "");
	CHECK_INT(topic("aps/" ECU_C "/cmd/power_limit", "", &c, why), CONTROL_VALID);
	CHECK_INT(topic("aps/" ECU_C "/cmd/reboot", "", &c, why), CONTROL_VALID);
	CHECK_INT(c.kind, CONTROL_REBOOT);

	/* Not ours: other prefixes, our own states, our own result topic. */
	CHECK_INT(topic("aps/" ECU_C "/cmd/power", "solar/", &c, why), CONTROL_NOT_COMMAND);
	CHECK_INT(topic("homeassistant/status", "", &c, why), CONTROL_NOT_COMMAND);
	CHECK_INT(topic("aps/" ECU_C "/" UID "/status", "", &c, why), CONTROL_NOT_COMMAND);
	CHECK_INT(topic("aps/" ECU_C "/cmd/result", "", &c, why), CONTROL_NOT_COMMAND);
	CHECK_INT(topic("aps/" ECU_C "/cmd", "", &c, why), CONTROL_NOT_COMMAND);
	CHECK_INT(topic("aps/" ECU_C "/a/b/cmd/power", "", &c, why), CONTROL_NOT_COMMAND);

	/* Ours but wrong. */
	CHECK_INT(topic("aps/" ECU_C "/cmd/explode", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "unknown command \"explode\"");
	CHECK_STR(c.ecu_id, ECU_C);
	CHECK_INT(topic("aps/" ECU_C "/cmd/power", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "power is for one inverter");
	CHECK_INT(topic("aps/" ECU_C "/" UID "/cmd/reboot", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "reboot is for the ECU");
	CHECK_INT(topic("aps/" ECU_C "/80600000ABcd/cmd/power", "", &c, why), CONTROL_VALID);
	CHECK_STR(c.uid, "80600000abcd");
	CHECK_INT(topic("aps/" ECU_C "/80600000123g/cmd/power", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "is not an inverter UID");
	CHECK_INT(topic("aps/" ECU_C "/80600000123/cmd/power", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "is not an inverter UID");
	CHECK_INT(topic("aps/" ECU_C "/cmd/a\nb", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "unknown command \"a?b\"");
	CHECK_INT(topic("aps/ecu/cmd/reboot", "", &c, why), CONTROL_INVALID);
	CHECK_HAS(why, "\"ecu\" is not an ECU id");
	CHECK_STR(c.ecu_id, "");
}

static bool value(enum control_kind kind, const char *payload, unsigned *out, char *why)
{
	struct control_cmd c = { .kind = kind };
	bool ok = control_parse_value(&c, payload, strlen(payload), why, CONTROL_REASON_MAX);
	*out = c.value;
	return ok;
}

static void test_values(void)
{
	unsigned v;
	char why[CONTROL_REASON_MAX];

	CHECK(value(CONTROL_POWER, "ON", &v, why) && v == 1);
	CHECK(value(CONTROL_POWER, "off", &v, why) && v == 0);
	CHECK(value(CONTROL_POWER, " OFF\n", &v, why) && v == 0);
	CHECK(!value(CONTROL_POWER, "1", &v, why));
	CHECK_HAS(why, "send ON or OFF");
	CHECK(!value(CONTROL_POWER, "", &v, why));
	CHECK(value(CONTROL_MAX_POWER, "300", &v, why) && v == 300);
	CHECK(value(CONTROL_MAX_POWER, "300.0", &v, why) && v == 300);
	CHECK(value(CONTROL_MAX_POWER, "0", &v, why) && v == 0);
	CHECK(value(CONTROL_MAX_POWER, "20", &v, why) && v == 20);
	CHECK(value(CONTROL_MAX_POWER, "500", &v, why) && v == 500);
	CHECK(!value(CONTROL_MAX_POWER, "19", &v, why));
	CHECK_HAS(why, "is not 0 (no cap) or 20..500 W per panel");
	CHECK(!value(CONTROL_MAX_POWER, "501", &v, why));
	CHECK(!value(CONTROL_MAX_POWER, "-5", &v, why));
	CHECK(!value(CONTROL_MAX_POWER, "300.5", &v, why));
	CHECK(!value(CONTROL_MAX_POWER, "99999999999999999999", &v, why));
	CHECK(!value(CONTROL_MAX_POWER, "3e2", &v, why));
	CHECK(value(CONTROL_POWER_LIMIT, "0", &v, why) && v == 0);
	CHECK(value(CONTROL_POWER_LIMIT, "100000", &v, why) && v == 100000);
	CHECK(!value(CONTROL_POWER_LIMIT, "100001", &v, why));
	CHECK(value(CONTROL_ZERO_EXPORT, "On", &v, why) && v == 1);
	CHECK(value(CONTROL_REBOOT, "PRESS", &v, why));
	CHECK(!value(CONTROL_REBOOT, "ON", &v, why));
	CHECK_HAS(why, "send PRESS");

	struct control_cmd c = { .kind = CONTROL_POWER };
	CHECK(!control_parse_value(&c, "O\0N", 3, why, sizeof(why)));
	CHECK(!control_parse_value(&c, NULL, 0, why, sizeof(why)));
	CHECK(!control_parse_value(&c, "O\nN", 3, why, sizeof(why)));
	CHECK_HAS(why, "not printable ASCII");
}

static void test_models(void)
{
	char why[CONTROL_REASON_MAX];

	for (int k = 0; k < CONTROL_KIND_COUNT; k++) {
		CHECK(control_model_allows(ECU_C, (enum control_kind)k, why, sizeof(why)));
		CHECK(!control_model_allows(ECU_B, (enum control_kind)k, why, sizeof(why)));
		CHECK_HAS(why, "ECU-B (2163...) has no control pages");
		CHECK(!control_model_allows(ECU_R, (enum control_kind)k, why, sizeof(why)));
		CHECK_HAS(why, "ECU-R (2160...) has no control pages");
	}
	CHECK(control_model_allows(ECU_PRO, CONTROL_POWER, why, sizeof(why)));
	CHECK(control_model_allows(ECU_PRO, CONTROL_MAX_POWER, why, sizeof(why)));
	CHECK(control_model_allows(ECU_PRO, CONTROL_REBOOT, why, sizeof(why)));
	CHECK(!control_model_allows(ECU_PRO, CONTROL_ZERO_EXPORT, why, sizeof(why)));
	CHECK_HAS(why, "zero_export needs an ECU-C");
	CHECK(!control_model_allows(ECU_PRO, CONTROL_POWER_LIMIT, why, sizeof(why)));
	CHECK(control_model_has_meter(ECU_C) && !control_model_has_meter(ECU_PRO));
}

static struct control_cmd cmd(enum control_kind kind, const char *uid, unsigned v)
{
	struct control_cmd c = { .kind = kind, .value = v };
	memcpy(c.ecu_id, ECU_C, sizeof(c.ecu_id));
	memcpy(c.uid, uid, strlen(uid) < sizeof(c.uid) ? strlen(uid) + 1 : sizeof(c.uid) - 1);
	return c;
}

static void test_queue(void)
{
	static struct control_queue q;
	struct control_cmd out, dropped;
	const uint32_t gap = CONTROL_SPACING_MS;

	CHECK_INT(control_queue_wait_ms(&q, 0, gap), UINT64_MAX);
	CHECK(!control_queue_pop(&q, &out, 0));
	/* The first command goes at once, the next 10 s after it. */
	CHECK_INT(control_queue_push(&q, &(struct control_cmd){ 0 }, &dropped), CONTROL_QUEUED);
	q = (struct control_queue){ 0 };
	struct control_cmd a = cmd(CONTROL_POWER, "806000000001", 0), b = cmd(CONTROL_POWER, "806000000002", 0);
	CHECK_INT(control_queue_push(&q, &a, &dropped), CONTROL_QUEUED);
	CHECK_INT(control_queue_push(&q, &b, &dropped), CONTROL_QUEUED);
	CHECK(control_queue_due(&q, 1000, gap));
	CHECK(control_queue_pop(&q, &out, 1000));
	CHECK_STR(out.uid, "806000000001");
	CHECK(!control_queue_due(&q, 10999, gap));
	CHECK_INT(control_queue_wait_ms(&q, 5000, gap), 6000);
	CHECK(control_queue_due(&q, 11000, gap));
	CHECK(control_queue_pop(&q, &out, 11000));
	CHECK_STR(out.uid, "806000000002");
	CHECK_INT(q.count, 0);

	/* The same target again: the waiting command takes the new value. */
	struct control_cmd on = cmd(CONTROL_POWER, "806000000001", 1), off = cmd(CONTROL_POWER, "806000000001", 0);
	CHECK_INT(control_queue_push(&q, &on, &dropped), CONTROL_QUEUED);
	CHECK_INT(control_queue_push(&q, &off, &dropped), CONTROL_REPLACED);
	CHECK_INT(dropped.value, 1);
	CHECK_INT(q.count, 1);
	CHECK(control_queue_pop(&q, &out, 30000) && out.value == 0);
	/* Reboots are never merged. */
	struct control_cmd r = cmd(CONTROL_REBOOT, "", 0);
	CHECK_INT(control_queue_push(&q, &r, &dropped), CONTROL_QUEUED);
	CHECK_INT(control_queue_push(&q, &r, &dropped), CONTROL_QUEUED);
	CHECK_INT(q.count, 2);
	q = (struct control_queue){ 0 };

	/* Past the bound, the oldest goes. */
	char uid[32];
	for (unsigned i = 0; i < CONTROL_QUEUE_MAX; i++) {
		snprintf(uid, sizeof(uid), "8060000%05u", i);
		struct control_cmd c = cmd(CONTROL_MAX_POWER, uid, 100);
		CHECK_INT(control_queue_push(&q, &c, &dropped), CONTROL_QUEUED);
	}
	struct control_cmd extra = cmd(CONTROL_MAX_POWER, "806000099999", 200);
	CHECK_INT(control_queue_push(&q, &extra, &dropped), CONTROL_DROPPED_OLDEST);
	CHECK_STR(dropped.uid, "806000000000");
	CHECK_INT(q.count, CONTROL_QUEUE_MAX);
	CHECK(control_queue_pop(&q, &out, 0));
	CHECK_STR(out.uid, "806000000001");
	for (unsigned i = 1; i < CONTROL_QUEUE_MAX; i++) CHECK(control_queue_pop(&q, &out, 0));
	CHECK_STR(out.uid, "806000099999");
	CHECK_INT(q.count, 0);
}

int main(void)
{
	test_topics();
	test_values();
	test_models();
	test_queue();
	return aps_check_report("test_control_cmd");
}
