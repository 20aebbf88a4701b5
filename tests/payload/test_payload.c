// SPDX-License-Identifier: MIT
/*
 * test_payload.c - the JSON built from the real captures, checked against
 * values worked out by hand from each capture's NOTES.md and bytes.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aps_check.h"
#include "hexfile.h"
#include "payload.h"
#include "tz.h"

#define MAX_RECORDS 64

struct capture {
	struct aps_ecu_info info;
	struct aps_inverter_data inv;
	struct aps_inverter records[MAX_RECORDS];
	struct aps_signal signals[MAX_RECORDS];
	size_t signal_count;
	bool has_info, has_inv, has_signal;
};

/* Returns false when the file does not exist; any other problem fails the test. */
static bool read_fixture(const char *capture, const char *file, uint8_t *buf, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s", APS_FIXTURES, capture, file);
	if (hexfile_read(path, buf, APS_REPLY_MAX, len) == 0) return true;
	CHECKF(errno == ENOENT, "%s: %s", path, strerror(errno));
	return false;
}

static void load_capture(const char *name, const char *ecu_file, struct capture *c)
{
	uint8_t buf[APS_REPLY_MAX];
	size_t len;
	struct aps_error err;
	memset(c, 0, sizeof(*c));
	if (read_fixture(name, ecu_file, buf, &len)) {
		c->has_info = aps_parse_ecu_info(buf, len, &c->info, &err) == 0;
		CHECKF(c->has_info, "%s/%s: %s", name, ecu_file, err.reason);
	}
	if (read_fixture(name, "inverters.hex", buf, &len)) {
		c->has_inv = aps_parse_inverters(buf, len, &c->inv, c->records, MAX_RECORDS, &err) == 0;
		CHECKF(c->has_inv, "%s/inverters.hex: %s", name, err.reason);
	}
	if (read_fixture(name, "signal.hex", buf, &len)) {
		c->has_signal = aps_parse_signal(buf, len, c->signals, MAX_RECORDS, &c->signal_count, &err) == 0;
		CHECKF(c->has_signal, "%s/signal.hex: %s", name, err.reason);
	}
}

static struct aps_cycle cycle_of(const struct capture *c)
{
	struct aps_cycle cycle = {
		.info = c->has_info ? &c->info : NULL,
		.inv = c->has_inv ? &c->inv : NULL,
		.inverters = c->has_inv ? c->records : NULL,
		.signals = c->has_signal ? c->signals : NULL,
		.signal_count = c->signal_count,
	};
	return cycle;
}

/* Same keys and values (numbers to the last bit cJSON can tell); frees got. */
static void expect_json(cJSON *got, const char *want_text, const char *what)
{
	cJSON *want = cJSON_Parse(want_text);
	char *got_text = got != NULL ? cJSON_PrintUnformatted(got) : NULL;
	CHECKF(want != NULL, "%s: expected text does not parse", what);
	CHECKF(got != NULL && want != NULL && cJSON_Compare(got, want, true), "%s:\n  got  %s\n  want %s", what,
	       got_text ? got_text : "(NULL)", want_text);
	cJSON_free(got_text);
	cJSON_Delete(want);
	cJSON_Delete(got);
}

/* Byte-exact, for the formatting itself (integers without ".0", booleans, key order). */
static void expect_text(cJSON *got, const char *want_text, const char *what)
{
	char *got_text = got != NULL ? cJSON_PrintUnformatted(got) : NULL;
	CHECKF(got_text != NULL && strcmp(got_text, want_text) == 0, "%s:\n  got  %s\n  want %s", what,
	       got_text ? got_text : "(NULL)", want_text);
	cJSON_free(got_text);
	cJSON_Delete(got);
}

static void expect_inverters(const struct aps_cycle *cycle, const char *const *want, size_t n,
                             const char *what)
{
	CHECKF(cycle->inv != NULL && cycle->inv->count == n, "%s: %zu records, want %zu", what,
	       cycle->inv ? cycle->inv->count : 0, n);
	for (size_t i = 0; cycle->inv != NULL && i < n && i < cycle->inv->count; i++) {
		char label[128];
		snprintf(label, sizeof(label), "%s inverter %zu (%s)", what, i + 1, cycle->inverters[i].uid);
		expect_json(aps_payload_inverter(cycle, i), want[i], label);
	}
	CHECKF(aps_payload_inverter(cycle, n) == NULL, "%s: index past the records gives NULL", what);
}

/* ECU-R-PRO: the info says 0 inverters, the inverter reply has 6; six signals. */
static void test_ecu_r_pro_6xqs1(void)
{
	struct capture c;
	load_capture("ecu-r-pro-6xqs1", "ecu.hex", &c);
	struct aps_cycle cycle = cycle_of(&c);
	expect_text(aps_payload_ecu(&cycle),
	            "{\"current_power\":241,\"today_energy\":0,\"lifetime_energy\":23639.8,"
	            "\"timestamp\":\"2024-03-25T18:25:24-07:00\",\"inverters\":6,\"inverters_online\":6,"
	            "\"model\":\"ECU-R-PRO\",\"firmware\":\"ECU_R_PRO_2.1.17\"}",
	            "6xqs1 ECU");
	/* QS1: p1 v1 p2 p3 p4; the six powers sum to the ECU's 241 W. */
	static const char *const want[] = {
		"{\"online\":true,\"signal\":81,\"temperature\":15,\"frequency\":59.9,\"power\":39,\"voltage\":236,"
		"\"panel_1_power\":11,\"panel_2_power\":10,\"panel_3_power\":9,\"panel_4_power\":9,"
		"\"panel_1_voltage\":236,\"model\":\"QS1\"}",
		"{\"online\":true,\"signal\":85,\"temperature\":15,\"frequency\":60,\"power\":39,\"voltage\":236,"
		"\"panel_1_power\":10,\"panel_2_power\":9,\"panel_3_power\":10,\"panel_4_power\":10,"
		"\"panel_1_voltage\":236,\"model\":\"QS1\"}",
		"{\"online\":true,\"signal\":89,\"temperature\":14,\"frequency\":60,\"power\":42,\"voltage\":236,"
		"\"panel_1_power\":11,\"panel_2_power\":10,\"panel_3_power\":10,\"panel_4_power\":11,"
		"\"panel_1_voltage\":236,\"model\":\"QS1\"}",
		"{\"online\":true,\"signal\":83,\"temperature\":13,\"frequency\":60,\"power\":39,\"voltage\":235,"
		"\"panel_1_power\":11,\"panel_2_power\":10,\"panel_3_power\":9,\"panel_4_power\":9,"
		"\"panel_1_voltage\":235,\"model\":\"QS1\"}",
		"{\"online\":true,\"signal\":83,\"temperature\":14,\"frequency\":60,\"power\":41,\"voltage\":236,"
		"\"panel_1_power\":11,\"panel_2_power\":10,\"panel_3_power\":10,\"panel_4_power\":10,"
		"\"panel_1_voltage\":236,\"model\":\"QS1\"}",
		"{\"online\":true,\"signal\":81,\"temperature\":13,\"frequency\":60,\"power\":41,\"voltage\":236,"
		"\"panel_1_power\":11,\"panel_2_power\":10,\"panel_3_power\":10,\"panel_4_power\":10,"
		"\"panel_1_voltage\":236,\"model\":\"QS1\"}",
	};
	expect_inverters(&cycle, want, 6, "6xqs1");
	/* The exact text of one inverter: key order, booleans, integers. */
	expect_text(aps_payload_inverter(&cycle, 0), want[0], "6xqs1 inverter 1 text");

	/* The zone: configured beats the ECU's; an unknown configured zone gives no timestamp. */
	char stamp[40];
	cycle.zone = "Europe/Amsterdam";
	CHECKF(aps_payload_timestamp(&cycle, stamp, sizeof(stamp)) &&
	       strcmp(stamp, "2024-03-25T18:25:24+01:00") == 0, "configured zone: %s", stamp);
	cycle.zone = "Nowhere/Atlantis";
	CHECKF(!aps_payload_timestamp(&cycle, stamp, sizeof(stamp)), "unknown configured zone: %s", stamp);
	cJSON *no_zone = aps_payload_ecu(&cycle);
	CHECKF(no_zone && !cJSON_GetObjectItemCaseSensitive(no_zone, "timestamp"),
	       "no timestamp key without an offset");
	cJSON_Delete(no_zone);
	CHECKF(!aps_payload_timestamp(&cycle, stamp, 19), "a buffer too small for the date fails");
	cycle.zone = "";
	/* An ECU zone this system does not know (or a hostile one): the system zone. */
	int32_t sys;
	CHECKF(aps_tz_offset_local(NULL, 2024, 3, 25, 18, 25, 24, &sys) == 0, "system zone readable");
	char want_sys[40];
	snprintf(want_sys, sizeof(want_sys), "2024-03-25T18:25:24%c%02d:%02d", sys < 0 ? '-' : '+',
	         abs(sys) / 3600, abs(sys) / 60 % 60);
	strcpy(c.info.zone, "../../../etc/passwd");
	CHECKF(aps_payload_timestamp(&cycle, stamp, sizeof(stamp)) && strcmp(stamp, want_sys) == 0,
	       "hostile ECU zone: %s, want %s", stamp, want_sys);
	strcpy(c.info.zone, "Mars/Olympus_Mons");
	CHECKF(aps_payload_timestamp(&cycle, stamp, sizeof(stamp)) && strcmp(stamp, want_sys) == 0,
	       "unknown ECU zone: %s, want %s", stamp, want_sys);

	/* Without an inverter reply the counts are the info's own (0 of 6 here), without
	 * a signal reply the key is absent. */
	cycle.signals = NULL;
	cJSON *first = aps_payload_inverter(&cycle, 0);
	CHECKF(first != NULL && !cJSON_HasObjectItem(first, "signal"), "no signal reply: no signal key");
	cJSON_Delete(first);
	cycle.inv = NULL;
	cycle.inverters = NULL;
	strcpy(c.info.zone, "US/Pacific");
	expect_json(aps_payload_ecu(&cycle),
	            "{\"current_power\":241,\"today_energy\":0,\"lifetime_energy\":23639.8,"
	            "\"timestamp\":\"2024-03-25T18:25:24-07:00\",\"inverters\":0,\"inverters_online\":6,"
	            "\"model\":\"ECU-R-PRO\",\"firmware\":\"ECU_R_PRO_2.1.17\"}",
	            "6xqs1 ECU without inverter reply");
	CHECKF(aps_payload_inverter(&cycle, 0) == NULL, "no inverter reply: no inverter payload");
}

/* ECU-R 2160: info timestamp is filler, so the inverter reply's time in the ECU's zone. */
static void test_ecu_r_qt2(void)
{
	struct capture c;
	load_capture("ecu-r-2160-qt2x6-20231120", "ecu.hex", &c);
	struct aps_cycle cycle = cycle_of(&c);
	expect_text(aps_payload_ecu(&cycle),
	            "{\"current_power\":654,\"today_energy\":0.17,\"lifetime_energy\":4358.1,"
	            "\"timestamp\":\"2023-11-20T15:19:34+08:00\",\"inverters\":6,\"inverters_online\":6,"
	            "\"model\":\"ECU-R\",\"firmware\":\"ECU_R_1.3.6C\"}",
	            "qt2 ECU");
	/* Type 02: p1 v1 p2 v2 p3 v3 p4; voltage is the mean of three. */
	static const char *const want[] = {
		"{\"online\":true,\"signal\":67,\"temperature\":23,\"frequency\":49.9,\"power\":104,\"voltage\":388,"
		"\"panel_1_power\":26,\"panel_2_power\":26,\"panel_3_power\":27,\"panel_4_power\":25,"
		"\"panel_1_voltage\":390,\"panel_2_voltage\":391,\"panel_3_voltage\":383,\"model\":\"QT2\"}",
		"{\"online\":true,\"signal\":67,\"temperature\":20,\"frequency\":49.9,\"power\":111,"
		"\"voltage\":388.3333333333333,"
		"\"panel_1_power\":26,\"panel_2_power\":27,\"panel_3_power\":29,\"panel_4_power\":29,"
		"\"panel_1_voltage\":386,\"panel_2_voltage\":390,\"panel_3_voltage\":389,\"model\":\"QT2\"}",
		"{\"online\":true,\"signal\":67,\"temperature\":21,\"frequency\":49.9,\"power\":117,"
		"\"voltage\":388,"
		"\"panel_1_power\":28,\"panel_2_power\":29,\"panel_3_power\":30,\"panel_4_power\":30,"
		"\"panel_1_voltage\":384,\"panel_2_voltage\":389,\"panel_3_voltage\":391,\"model\":\"QT2\"}",
		"{\"online\":true,\"signal\":67,\"temperature\":21,\"frequency\":49.9,\"power\":109,"
		"\"voltage\":390,"
		"\"panel_1_power\":24,\"panel_2_power\":29,\"panel_3_power\":28,\"panel_4_power\":28,"
		"\"panel_1_voltage\":390,\"panel_2_voltage\":387,\"panel_3_voltage\":393,\"model\":\"QT2\"}",
		"{\"online\":true,\"signal\":67,\"temperature\":18,\"frequency\":49.9,\"power\":112,"
		"\"voltage\":388,"
		"\"panel_1_power\":27,\"panel_2_power\":26,\"panel_3_power\":30,\"panel_4_power\":29,"
		"\"panel_1_voltage\":391,\"panel_2_voltage\":386,\"panel_3_voltage\":387,\"model\":\"QT2\"}",
		"{\"online\":true,\"signal\":67,\"temperature\":19,\"frequency\":49.9,\"power\":101,"
		"\"voltage\":389.3333333333333,"
		"\"panel_1_power\":26,\"panel_2_power\":26,\"panel_3_power\":22,\"panel_4_power\":27,"
		"\"panel_1_voltage\":392,\"panel_2_voltage\":390,\"panel_3_voltage\":386,\"model\":\"QT2\"}",
	};
	expect_inverters(&cycle, want, 6, "qt2");
	cJSON *second = aps_payload_inverter(&cycle, 1);
	cJSON *voltage = cJSON_GetObjectItemCaseSensitive(second, "voltage");
	CHECKF(cJSON_IsNumber(voltage) && voltage->valuedouble == 1165.0 / 3, "mean of 386, 390, 389");
	cJSON_Delete(second);
}

/* ECU-R-PRO with four never-seen (type 00) inverters among four DS3. */
static void test_ecu_r_pro_ds3_unseen(void)
{
	struct capture c;
	load_capture("ecu-r-pro-2162-ds3x4-unseen4-day", "ecu.hex", &c);
	struct aps_cycle cycle = cycle_of(&c);
	expect_text(aps_payload_ecu(&cycle),
	            "{\"current_power\":227,\"today_energy\":3.34,\"lifetime_energy\":92.6,"
	            "\"timestamp\":\"2022-09-20T14:01:53+02:00\",\"inverters\":8,\"inverters_online\":4,"
	            "\"model\":\"ECU-R-PRO\",\"firmware\":\"ECU_R_PRO_2.0.7A\"}",
	            "ds3 ECU");
	static const char *const want[] = {
		"{\"online\":true,\"signal\":84,\"temperature\":32,\"frequency\":50,\"power\":55,\"voltage\":222,"
		"\"panel_1_power\":28,\"panel_2_power\":27,\"panel_1_voltage\":222,\"panel_2_voltage\":222,"
		"\"model\":\"DS3\"}",
		"{\"online\":true,\"signal\":89,\"temperature\":33,\"frequency\":50,\"power\":58,\"voltage\":222.5,"
		"\"panel_1_power\":30,\"panel_2_power\":28,\"panel_1_voltage\":223,\"panel_2_voltage\":222,"
		"\"model\":\"DS3\"}",
		"{\"online\":true,\"signal\":88,\"temperature\":33,\"frequency\":50,\"power\":59,\"voltage\":224,"
		"\"panel_1_power\":30,\"panel_2_power\":29,\"panel_1_voltage\":224,\"panel_2_voltage\":224,"
		"\"model\":\"DS3\"}",
		"{\"online\":true,\"signal\":80,\"temperature\":33,\"frequency\":50,\"power\":55,\"voltage\":222,"
		"\"panel_1_power\":27,\"panel_2_power\":28,\"panel_1_voltage\":222,\"panel_2_voltage\":222,"
		"\"model\":\"DS3\"}",
		"{\"online\":false}", "{\"online\":false}", "{\"online\":false}", "{\"online\":false}",
	};
	expect_inverters(&cycle, want, 8, "ds3-unseen");
	expect_text(aps_payload_inverter(&cycle, 1), want[1], "ds3 inverter 2 text (222.5)");

	/* A type-00 record claiming to be online is still one that never reported. */
	c.records[4].online = true;
	expect_text(aps_payload_inverter(&cycle, 4), "{\"online\":false}", "type 00 flagged online");
	cJSON *ecu = aps_payload_ecu(&cycle);
	cJSON *online = cJSON_GetObjectItemCaseSensitive(ecu, "inverters_online");
	CHECKF(cJSON_IsNumber(online) && online->valueint == 4, "type 00 not counted online");
	cJSON_Delete(ecu);

	/* An unknown type cut the array after two records: the declared count stands. */
	c.inv.count = 2;
	c.inv.truncated = true;
	ecu = aps_payload_ecu(&cycle);
	cJSON *total = cJSON_GetObjectItemCaseSensitive(ecu, "inverters");
	online = cJSON_GetObjectItemCaseSensitive(ecu, "inverters_online");
	CHECKF(cJSON_IsNumber(total) && total->valueint == 8, "truncated: declared count 8");
	CHECKF(cJSON_IsNumber(online) && online->valueint == 2, "truncated: online among kept records");
	cJSON_Delete(ecu);
}

/* ECU-C at night: five offline QS1 (filler measurements) and four type 00. */
static void test_ecu_c_night(void)
{
	struct capture c;
	load_capture("ecu-c-qs1x5-unseen4-night", "ecu.hex", &c);
	CHECKF(!c.has_info, "inverter reply only");
	struct aps_cycle cycle = cycle_of(&c);
	static const char *const want[] = {
		"{\"online\":false}", "{\"online\":false}", "{\"online\":false}",
		"{\"online\":false}", "{\"online\":false}", "{\"online\":false}",
		"{\"online\":false}", "{\"online\":false}", "{\"online\":false}",
	};
	expect_inverters(&cycle, want, 9, "ecu-c night");
	CHECKF(aps_payload_ecu(&cycle) == NULL, "no ECU info: no ECU payload");

	/* With an info that has neither timestamp nor zone: the inverter reply's time. */
	memset(&c.info, 0, sizeof(c.info));
	strcpy(c.info.ecu_id, "215000000001");
	c.info.lifetime_energy_raw = 12345;
	cycle.info = &c.info;
	cycle.zone = "Europe/Amsterdam";
	expect_text(aps_payload_ecu(&cycle),
	            "{\"current_power\":0,\"today_energy\":0,\"lifetime_energy\":1234.5,"
	            "\"timestamp\":\"2022-05-17T22:41:22+02:00\",\"inverters\":9,\"inverters_online\":0,"
	            "\"model\":\"ECU-C\"}",
	            "ecu-c ECU (no firmware)");
}

/* ECU-B, brand new: lifetime 0 is left out; no time anywhere, so no timestamp key. */
static void test_lifetime0(void)
{
	struct capture c;
	load_capture("ecu-b-2163-new-lifetime0", "ecu.3.hex", &c);
	CHECKF(c.info.lifetime_glitch, "parser flags lifetime 0");
	struct aps_cycle cycle = cycle_of(&c);
	expect_text(aps_payload_ecu(&cycle),
	            "{\"current_power\":12,\"today_energy\":0,\"inverters\":1,\"inverters_online\":1,"
	            "\"model\":\"ECU-B\",\"firmware\":\"ECU_B_1.2.23\"}",
	            "lifetime0 ECU");
	char stamp[40];
	CHECKF(!aps_payload_timestamp(&cycle, stamp, sizeof(stamp)), "no timestamp anywhere");
}

/* ECU-B, one DS3, no signal reply. */
static void test_ecu_b_ds3(void)
{
	struct capture c;
	load_capture("ecu-b-2163-ds3x1-afternoon", "ecu.hex", &c);
	struct aps_cycle cycle = cycle_of(&c);
	static const char *const want[] = {
		"{\"online\":true,\"temperature\":42,\"frequency\":49.9,\"power\":731,\"voltage\":244,"
		"\"panel_1_power\":341,\"panel_2_power\":390,\"panel_1_voltage\":244,\"panel_2_voltage\":244,"
		"\"model\":\"DS3\"}",
	};
	expect_inverters(&cycle, want, 1, "ecu-b ds3");
}

int main(void)
{
	CHECKF(aps_payload_ecu(NULL) == NULL && aps_payload_inverter(NULL, 0) == NULL, "NULL cycle");
	test_ecu_r_pro_6xqs1();
	test_ecu_r_qt2();
	test_ecu_r_pro_ds3_unseen();
	test_ecu_c_night();
	test_lifetime0();
	test_ecu_b_ds3();
	return aps_check_report("test_payload");
}
