// SPDX-License-Identifier: MIT
/*
 * test_ecu_fields.c - the ECU info parser, field by field: timestamps valid,
 * invalid and filler; bad ECU ids; layouts; firmware and zone lengths that
 * lie; the lifetime-0 glitch; and layout 02, of which no capture exists,
 * built from the offsets in ECU-PROTOCOL.md.
 *
 * Usage: test_ecu_fields <fixtures dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define OFF_ID 13
#define OFF_LAYOUT 25
#define OFF_LIFETIME 27
#define OFF_TIME 39
#define OFF_FW_LEN 52
#define OFF_FW 55

static uint8_t frame[APS_REPLY_MAX];
static uint8_t work[APS_REPLY_MAX];
static struct t_parsed got, orig;

static void expect(const uint8_t *buf, size_t len, enum aps_err want)
{
	int rc = t_parse(T_ECU, buf, len, T_CAP_ALL, &got);
	CHECKF(rc == -(int)want, "rc %d (%s), want -%d (%s)", rc, aps_strerror(-rc), (int)want, aps_strerror((int)want));
}

static void expect_offset_in(size_t from, size_t to)
{
	CHECKF(got.err.offset >= from && got.err.offset < to, "err.offset %zu outside [%zu, %zu)", got.err.offset, from, to);
}

static void test_timestamps(const char *name, size_t n)
{
	static const struct aps_time valid[] = {
		{2000, 1, 1, 0, 0, 0}, {2099, 12, 31, 23, 59, 59}, {2024, 2, 29, 12, 0, 0},
		{2000, 2, 29, 6, 7, 8}, {2023, 4, 30, 1, 2, 3},
	};
	uint8_t bcd[7];
	const char *what;

	for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
		const struct aps_time *t = &valid[i];
		aps_check_case("%s, timestamp %04u-%02u-%02u %02u:%02u:%02u", name, t->year, t->month, t->day, t->hour,
		               t->minute, t->second);
		memcpy(work, frame, n);
		t_put_bcd_time(work + OFF_TIME, t);
		if (!CHECK_INT(t_parse(T_ECU, work, n, T_CAP_ALL, &got), 0)) continue;
		CHECK_INT(got.ecu.has_timestamp, true);
		CHECKF(memcmp(&got.ecu.timestamp, t, sizeof *t) == 0, "timestamp read as %u-%u-%u %u:%u:%u",
		       got.ecu.timestamp.year, got.ecu.timestamp.month, got.ecu.timestamp.day,
		       got.ecu.timestamp.hour, got.ecu.timestamp.minute, got.ecu.timestamp.second);
		CHECK_STR(got.ecu.ecu_id, orig.ecu.ecu_id);
		CHECK_STR(got.ecu.firmware, orig.ecu.firmware);
	}

	/* The filler of ECU-R 2160 and ECU-B, and all zeros: no time, no error. */
	for (int fill = 0; fill < 2; fill++) {
		aps_check_case("%s, timestamp all 0x%s", name, fill ? "d0" : "00");
		memcpy(work, frame, n);
		memset(work + OFF_TIME, fill ? 0xd0 : 0x00, 7);
		if (!CHECK_INT(t_parse(T_ECU, work, n, T_CAP_ALL, &got), 0)) continue;
		CHECK_INT(got.ecu.has_timestamp, false);
		CHECK_INT(got.ecu.inverters, orig.ecu.inverters);
		CHECK_STR(got.ecu.zone, orig.ecu.zone);
	}

	for (size_t i = 0; t_bad_time(i, bcd, &what); i++) {
		aps_check_case("%s, timestamp %s", name, what);
		memcpy(work, frame, n);
		memcpy(work + OFF_TIME, bcd, 7);
		expect(work, n, APS_E_TIMESTAMP);
		expect_offset_in(OFF_TIME, OFF_TIME + 7);
	}
}

static void test_id_and_layout(const char *name, size_t n)
{
	static const uint8_t bad[] = {'a', '/', ':', '+', '#', 0, ' ', '-', 0xd0};
	static const size_t where[] = {0, 4, 11};
	static const char *const layouts[] = {"00", "03", "1 ", "x1", "10", "\0\0"};

	for (size_t w = 0; w < 3; w++) {
		for (size_t b = 0; b < sizeof bad; b++) {
			aps_check_case("%s, ECU id byte %zu = 0x%02x", name, where[w], bad[b]);
			memcpy(work, frame, n);
			work[OFF_ID + where[w]] = bad[b];
			expect(work, n, APS_E_ECU_ID);
			expect_offset_in(OFF_ID, OFF_ID + 12);
		}
	}
	for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		aps_check_case("%s, layout '%.2s'", name, layouts[i]);
		memcpy(work, frame, n);
		memcpy(work + OFF_LAYOUT, layouts[i], 2);
		expect(work, n, APS_E_LAYOUT);
	}

	static const uint32_t lifetimes[] = {0, 1, 0xffffffffu};
	for (size_t i = 0; i < 3; i++) {
		aps_check_case("%s, lifetime raw %u", name, lifetimes[i]);
		memcpy(work, frame, n);
		t_put_u32(work + OFF_LIFETIME, lifetimes[i]);
		if (!CHECK_INT(t_parse(T_ECU, work, n, T_CAP_ALL, &got), 0)) continue;
		CHECK_INT(got.ecu.lifetime_energy_raw, lifetimes[i]);
		CHECK_INT(got.ecu.lifetime_glitch, lifetimes[i] == 0);
	}
}

/* Sets the 3-digit length at off to v (or to the raw text when v < 0). */
static void put_len3(uint8_t *at, long v, const char *raw)
{
	char digits[8];
	if (v >= 0) snprintf(digits, sizeof digits, "%03ld", v % 1000);
	memcpy(at, v >= 0 ? digits : raw, 3);
}

static void test_string_fields(const char *name, size_t n)
{
	static const char *const not_lengths[] = {"1x6", " 16", "+16", "-16", "\0\0\0"};
	static const uint8_t unprintable[] = {0x00, 0x01, 0x1f, 0x7f, 0x80, 0xff};
	size_t fw = strlen(orig.ecu.firmware);
	size_t zone_len_at = OFF_FW + fw;
	size_t zone = strlen(orig.ecu.zone);
	/* Firmware this long would end exactly where END begins. */
	long to_end = (long)(n - 4 - OFF_FW);

	for (size_t i = 0; i < sizeof not_lengths / sizeof not_lengths[0]; i++) {
		aps_check_case("%s, firmware length '%.3s'", name, not_lengths[i]);
		memcpy(work, frame, n);
		put_len3(work + OFF_FW_LEN, -1, not_lengths[i]);
		expect(work, n, APS_E_FIELD);
		aps_check_case("%s, zone length '%.3s'", name, not_lengths[i]);
		memcpy(work, frame, n);
		put_len3(work + zone_len_at, -1, not_lengths[i]);
		expect(work, n, APS_E_FIELD);
	}

	/* Lengths that run into or past END, or leave no room for the zone's. */
	const long fw_lies[] = {to_end + 1, to_end, to_end - 1, to_end - 2, to_end - 3, 999, 0};
	for (size_t i = 0; i < sizeof fw_lies / sizeof fw_lies[0]; i++) {
		aps_check_case("%s, firmware length %ld (frame of %zu)", name, fw_lies[i], n);
		memcpy(work, frame, n);
		put_len3(work + OFF_FW_LEN, fw_lies[i], NULL);
		expect(work, n, APS_E_FIELD);
	}
	long zone_to_end = (long)(n - 4 - (zone_len_at + 3));
	const long zone_lies[] = {zone_to_end + 1, zone_to_end + 4, 999};
	for (size_t i = 0; i < sizeof zone_lies / sizeof zone_lies[0]; i++) {
		aps_check_case("%s, zone length %ld (frame of %zu)", name, zone_lies[i], n);
		memcpy(work, frame, n);
		put_len3(work + zone_len_at, zone_lies[i], NULL);
		expect(work, n, APS_E_FIELD);
	}

	for (size_t u = 0; u < sizeof unprintable; u++) {
		size_t at[] = {OFF_FW, OFF_FW + fw - 1, zone_len_at + 3, zone_len_at + 3 + zone - 1};
		for (size_t i = 0; i < 4; i++) {
			aps_check_case("%s, %s byte at %zu = 0x%02x", name, i < 2 ? "firmware" : "zone", at[i], unprintable[u]);
			memcpy(work, frame, n);
			work[at[i]] = unprintable[u];
			expect(work, n, APS_E_FIELD);
		}
	}
}

static void each_capture(const char *path, void *ctx)
{
	size_t n;

	(void)ctx;
	if (t_kind_of(path) != T_ECU) return;
	aps_check_case("%s", path);
	if (!t_load(path, NULL, frame, sizeof frame, &n)) return;
	if (!CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &orig), 0)) return;
	if (orig.ecu.layout != 1 || n < 70) return;
	test_timestamps(path, n);
	test_id_and_layout(path, n);
	test_string_fields(path, n);
}

/* ---- frames built from the documented layouts ---- */

static size_t build01(const char *fw, size_t fw_n, const char *zone, size_t zone_n, size_t tail)
{
	static const struct aps_time t = {2025, 6, 30, 13, 14, 15};
	uint8_t body[512];
	size_t b = 0;

	memcpy(body, "203012345678" "01", 14);
	b = 14;
	t_put_u32(body + b, 123456);
	t_put_u32(body + b + 4, 789);
	t_put_u32(body + b + 8, 4321);
	t_put_bcd_time(body + b + 12, &t);
	t_put_u16(body + b + 19, 3);
	t_put_u16(body + b + 21, 2);
	memcpy(body + b + 23, "10", 2);
	b += 25;
	snprintf((char *)body + b, 4, "%03zu", fw_n);
	memcpy(body + b + 3, fw, fw_n);
	b += 3 + fw_n;
	snprintf((char *)body + b, 4, "%03zu", zone_n);
	memcpy(body + b + 3, zone, zone_n);
	b += 3 + zone_n;
	memset(body + b, 0, tail);
	return t_frame(frame, sizeof frame, "11", "0001", body, b + tail);
}

static void test_built_layout01(void)
{
	char text[80];
	size_t n;

	aps_check_case("layout 01, built");
	n = build01("ECU_R 1.0 (t)~", 14, "Asia/Kolkata", 12, 12);
	if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) {
		const struct aps_ecu_info *e = &got.ecu;
		CHECK_STR(e->ecu_id, "203012345678");
		CHECK_INT(e->layout, 1);
		CHECK_STR(e->version, "11");
		CHECK_INT(e->lifetime_energy_raw, 123456);
		CHECK_INT(e->current_power_w, 789);
		CHECK_INT(e->today_energy_raw, 4321);
		CHECK_INT(e->has_timestamp, true);
		CHECK_INT(e->timestamp.year, 2025);
		CHECK_INT(e->timestamp.second, 15);
		CHECK_INT(e->inverters, 3);
		CHECK_INT(e->inverters_online, 2);
		CHECK_STR(e->firmware, "ECU_R 1.0 (t)~");
		CHECK_STR(e->zone, "Asia/Kolkata");
		CHECK_INT(e->lifetime_glitch, false);
	}

	aps_check_case("layout 01, zone ending right at END");
	n = build01("V1", 2, "UTC", 3, 0);
	if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) CHECK_STR(got.ecu.zone, "UTC");

	aps_check_case("layout 01, empty firmware and zone");
	n = build01("", 0, "", 0, 12);
	if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) {
		CHECK_STR(got.ecu.firmware, "");
		CHECK_STR(got.ecu.zone, "");
	}

	memset(text, 'F', sizeof text);
	for (size_t len = 62; len <= 65; len++) {
		aps_check_case("layout 01, firmware of %zu bytes", len);
		n = build01(text, len, "UTC", 3, 12);
		if (len > APS_FIRMWARE_MAX) {
			expect(frame, n, APS_E_FIELD);
		} else if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) {
			CHECK_INT(strlen(got.ecu.firmware), len);
			CHECK_INT(got.ecu.firmware[len - 1], 'F');
		}
		aps_check_case("layout 01, zone of %zu bytes", len);
		n = build01("V1", 2, text, len, 12);
		if (len > APS_ZONE_MAX) {
			expect(frame, n, APS_E_FIELD);
		} else if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) {
			CHECK_INT(strlen(got.ecu.zone), len);
		}
	}
}

/* Layout 02 (ECU-PROTOCOL.md): counts at 39 and 41, firmware length at 49,
 * firmware at 52.  Nothing is documented after the firmware, so a zone
 * written there may be read or ignored, but must not break the parse. */
static size_t build02(const char *fw, size_t fw_n, size_t fw_len_field)
{
	uint8_t body[512];
	size_t b;

	memset(body, 0, sizeof body);
	memcpy(body, "216200012345" "02", 14);
	t_put_u32(body + 14, 98765);
	t_put_u32(body + 18, 1500);
	t_put_u32(body + 22, 2468);
	t_put_u16(body + 26, 12);
	t_put_u16(body + 28, 11);
	b = 36;
	snprintf((char *)body + b, 4, "%03zu", fw_len_field);
	memcpy(body + b + 3, fw, fw_n);
	b += 3 + fw_n;
	memcpy(body + b, "003UTC", 6);
	b += 6 + 12;
	return t_frame(frame, sizeof frame, "11", "0001", body, b);
}

static void test_built_layout02(void)
{
	char text[80];
	size_t n;

	aps_check_case("layout 02, built");
	n = build02("ECU_C_1.2.3", 11, 11);
	if (CHECK_INT(t_parse(T_ECU, frame, n, T_CAP_ALL, &got), 0)) {
		const struct aps_ecu_info *e = &got.ecu;
		CHECK_STR(e->ecu_id, "216200012345");
		CHECK_INT(e->layout, 2);
		CHECK_INT(e->lifetime_energy_raw, 98765);
		CHECK_INT(e->current_power_w, 1500);
		CHECK_INT(e->today_energy_raw, 2468);
		CHECK_INT(e->has_timestamp, false);
		CHECK_INT(e->inverters, 12);
		CHECK_INT(e->inverters_online, 11);
		CHECK_STR(e->firmware, "ECU_C_1.2.3");
		CHECKF(strcmp(e->zone, "") == 0 || strcmp(e->zone, "UTC") == 0, "zone \"%s\"", e->zone);
	}

	aps_check_case("layout 02, firmware length past END");
	n = build02("ECU_C_1.2.3", 11, 11);
	put_len3(frame + 49, (long)(n - 4 - 52 + 1), NULL);
	expect(frame, n, APS_E_FIELD);
	put_len3(frame + 49, 999, NULL);
	expect(frame, n, APS_E_FIELD);
	put_len3(frame + 49, -1, "1 1");
	expect(frame, n, APS_E_FIELD);

	aps_check_case("layout 02, firmware of 64 bytes");
	memset(text, 'F', sizeof text);
	n = build02(text, 64, 64);
	expect(frame, n, APS_E_FIELD);
	aps_check_case("layout 02, firmware byte 0x7f");
	n = build02("ECU\x7f", 4, 4);
	expect(frame, n, APS_E_FIELD);
}

int main(int argc, char **argv)
{
	if (t_each_capture(argc, argv, each_capture) != 0) return 2;
	test_built_layout01();
	test_built_layout02();
	return aps_check_report("test_ecu_fields");
}
