// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

#define OFF_ECU_ID 13
#define OFF_LAYOUT 25
#define OFF_LIFETIME 27
#define OFF_POWER 31
#define OFF_TODAY 35
/* Layout 01 */
#define L1_OFF_TIME 39
#define L1_OFF_INVERTERS 46
#define L1_OFF_ONLINE 48
#define L1_OFF_FIRMWARE 52
/* Layout 02 */
#define L2_OFF_INVERTERS 39
#define L2_OFF_ONLINE 41
#define L2_OFF_FIRMWARE 49

#define STRING_LENGTH_DIGITS 3

/* Fails unless [off, off + width) lies before the END trailer at end.  The
 * error offset stays inside the reply even when off itself is past it. */
static int need(size_t off, size_t width, size_t end, const char *what, struct aps_error *err)
{
	if (off > end || width > end - off) {
		return aps_fail(err, APS_E_FIELD, off < end ? off : end,
				"%s at offset %zu (%zu bytes) runs past END at offset %zu", what, off, width, end);
	}
	return 0;
}

/* A 3-digit length at off, then that many printable bytes.  Sets *next to
 * the offset just past the string. */
static int read_string(const uint8_t *buf, size_t end, size_t off, const char *what, char *out,
		size_t max, size_t *next, struct aps_error *err)
{
	char q[APS_QUOTE_MAX];
	int rc = need(off, STRING_LENGTH_DIGITS, end, what, err);

	if (rc) return rc;
	if (!aps_is_digits(buf + off, STRING_LENGTH_DIGITS)) {
		return aps_fail(err, APS_E_FIELD, off, "%s length at offset %zu is not 3 digits: '%s'", what, off,
				aps_quote(buf + off, STRING_LENGTH_DIGITS, q));
	}
	size_t n = aps_decimal(buf + off, STRING_LENGTH_DIGITS);
	if (n > max) {
		return aps_fail(err, APS_E_FIELD, off, "%s length %zu at offset %zu exceeds %zu", what, n, off, max);
	}
	off += STRING_LENGTH_DIGITS;
	rc = need(off, n, end, what, err);
	if (rc) return rc;
	size_t bad = aps_first_unprintable(buf + off, n);
	if (bad < n) {
		return aps_fail(err, APS_E_FIELD, off + bad, "%s at offset %zu: byte 0x%02x at offset %zu is not printable",
				what, off, buf[off + bad], off + bad);
	}
	memcpy(out, buf + off, n);
	out[n] = '\0';
	*next = off + n;
	return 0;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t value)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != value) return false;
	}
	return true;
}

static int parse_layout_01(const uint8_t *buf, size_t end, struct aps_ecu_info *info, struct aps_error *err)
{
	const uint8_t *t = buf + L1_OFF_TIME;
	size_t zone_off = 0;
	int rc;

	rc = need(L1_OFF_TIME, APS_TIME_LEN, end, "timestamp", err);
	if (rc) return rc;
	/* ECU-R 2160 and ECU-B send d0 filler here instead of a time. */
	if (!all_bytes(t, APS_TIME_LEN, 0xd0) && !all_bytes(t, APS_TIME_LEN, 0x00)) {
		const char *why = aps_bcd_time(t, &info->timestamp);
		if (why) {
			return aps_fail(err, APS_E_TIMESTAMP, L1_OFF_TIME,
					"timestamp at offset %d %s: %02x%02x%02x%02x%02x%02x%02x", L1_OFF_TIME, why,
					t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
		}
		info->has_timestamp = true;
	}
	rc = need(L1_OFF_INVERTERS, 4, end, "inverter counts", err);
	if (rc) return rc;
	info->inverters = aps_be16(buf + L1_OFF_INVERTERS);
	info->inverters_online = aps_be16(buf + L1_OFF_ONLINE);
	rc = read_string(buf, end, L1_OFF_FIRMWARE, "firmware", info->firmware, APS_FIRMWARE_MAX, &zone_off, err);
	if (rc) return rc;
	size_t after_zone;
	return read_string(buf, end, zone_off, "time zone", info->zone, APS_ZONE_MAX, &after_zone, err);
}

static int parse_layout_02(const uint8_t *buf, size_t end, struct aps_ecu_info *info, struct aps_error *err)
{
	size_t after_firmware;
	int rc = need(L2_OFF_INVERTERS, 4, end, "inverter counts", err);

	if (rc) return rc;
	info->inverters = aps_be16(buf + L2_OFF_INVERTERS);
	info->inverters_online = aps_be16(buf + L2_OFF_ONLINE);
	return read_string(buf, end, L2_OFF_FIRMWARE, "firmware", info->firmware, APS_FIRMWARE_MAX,
			&after_firmware, err);
}

static int parse(const uint8_t *buf, size_t len, struct aps_ecu_info *info, struct aps_error *err)
{
	char q[APS_QUOTE_MAX];
	long framed = aps_whole_reply(buf, len, APS_CMD_ECU_INFO, err);

	if (framed < 0) return (int)framed;
	/* Framing guarantees len >= 43: the fixed fields up to offset 39 are in. */
	size_t end = len - APS_END_LEN;

	memcpy(info->version, buf + APS_OFF_VERSION, 2);
	if (!aps_is_digits(buf + OFF_ECU_ID, APS_ECU_ID_LEN)) {
		return aps_fail(err, APS_E_ECU_ID, OFF_ECU_ID, "ECU id at offset %d is not 12 digits: '%s'", OFF_ECU_ID,
				aps_quote(buf + OFF_ECU_ID, APS_ECU_ID_LEN, q));
	}
	memcpy(info->ecu_id, buf + OFF_ECU_ID, APS_ECU_ID_LEN);

	if (memcmp(buf + OFF_LAYOUT, "01", 2) == 0) {
		info->layout = 1;
	} else if (memcmp(buf + OFF_LAYOUT, "02", 2) == 0) {
		info->layout = 2;
	} else {
		return aps_fail(err, APS_E_LAYOUT, OFF_LAYOUT, "layout at offset %d is '%s', expected '01' or '02'",
				OFF_LAYOUT, aps_quote(buf + OFF_LAYOUT, 2, q));
	}
	info->lifetime_energy_raw = aps_be32(buf + OFF_LIFETIME);
	info->current_power_w = aps_be32(buf + OFF_POWER);
	info->today_energy_raw = aps_be32(buf + OFF_TODAY);
	/* A brand-new ECU reports 0 too, so flag it and let the caller decide. */
	info->lifetime_glitch = info->lifetime_energy_raw == 0;

	/* Whatever follows the last field (MAC addresses, padding) is ignored. */
	if (info->layout == 1) return parse_layout_01(buf, end, info, err);
	return parse_layout_02(buf, end, info, err);
}

int aps_parse_ecu_info(const uint8_t *buf, size_t len, struct aps_ecu_info *out, struct aps_error *err)
{
	struct aps_ecu_info info;

	if (!out) return aps_fail(err, APS_E_ARG, 0, "no output struct");
	memset(out, 0, sizeof(*out));
	memset(&info, 0, sizeof(info));
	int rc = parse(buf, len, &info, err);
	if (rc == 0) {
		*out = info;
		aps_clear_error(err);
	}
	return rc;
}
