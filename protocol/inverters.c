// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

#define OFF_STATUS 13
#define OFF_SUBSTATUS 15
#define OFF_COUNT 17
#define OFF_TIME 19
#define OFF_RECORDS 26

/* Record: UID (6), online flag (1), ASCII type (2), then per type. */
#define REC_ONLINE 6
#define REC_TYPE 7
#define REC_HEAD 9
#define REC_FREQUENCY 9
#define REC_TEMPERATURE 11
#define REC_VALUES 13

/* Type 05 is read as 21 bytes by some public clients and as 27 by others:
 * both readings are tried and only one that fills the reply exactly wins. */
#define TYPE05_DS3_LEN 21
#define TYPE05_QT2_LEN 27

/* One walk over the records under one reading of type 05. */
struct walk {
	size_t len05;             /* 21 or 27 */
	struct aps_inverter *inv; /* NULL: only check that the records fit */
	size_t cap;
	size_t records;           /* records walked (and stored, if inv) */
	size_t stop;              /* offset where the walk stopped */
	size_t first05;           /* offset of the first type-05 record, 0 if none */
	bool truncated;           /* stopped at an unknown type */
};

size_t aps_record_length(const char *type, size_t len05)
{
	if (type[0] != '0') return 0;
	switch (type[1]) {
	case '0': return REC_HEAD; /* registered, never seen: no measurements */
	case '1': return 21;
	case '2': return 27;
	case '3': return 23;
	case '4': return 21;
	case '5': return len05;
	}
	return 0;
}

/* The order of power (p) and voltage (v) values from REC_VALUES, keyed by
 * record length, which is unique per layout. */
static const char *value_layout(size_t rec_len)
{
	switch (rec_len) {
	case 21: return "pvpv";    /* YC600, DS3 */
	case 27: return "pvpvpvp"; /* YC1000, QT2 */
	case 23: return "pvppp";   /* QS1 */
	}
	return "";
}

static int16_t temperature(uint16_t raw)
{
	int32_t c = (int32_t)raw - 100;

	return (int16_t)(c > INT16_MAX ? INT16_MAX : c);
}

static void decode_record(const uint8_t *rec, size_t rec_len, struct aps_inverter *inv)
{
	memset(inv, 0, sizeof(*inv));
	aps_uid_hex(rec, inv->uid);
	inv->online = rec[REC_ONLINE] == 1;
	inv->type[0] = (char)rec[REC_TYPE];
	inv->type[1] = (char)rec[REC_TYPE + 1];
	if (rec_len == REC_HEAD) return;

	inv->frequency_raw = aps_be16(rec + REC_FREQUENCY);
	inv->temperature_c = temperature(aps_be16(rec + REC_TEMPERATURE));
	const uint8_t *value = rec + REC_VALUES;
	for (const char *kind = value_layout(rec_len); *kind; kind++, value += 2) {
		if (*kind == 'p') inv->power_w[inv->channels++] = aps_be16(value);
		else inv->voltage_v[inv->voltages++] = aps_be16(value);
	}
}

/* Walks count records from OFF_RECORDS; they must end exactly at end (the
 * END trailer) unless an unknown type stops the walk first. */
static int walk_records(const uint8_t *buf, size_t end, uint16_t count, struct walk *w, struct aps_error *err)
{
	char q[APS_QUOTE_MAX];
	size_t r = OFF_RECORDS;

	for (size_t i = 0; i < count; i++) {
		w->records = i;
		w->stop = r;
		if (r == end) {
			return aps_fail(err, APS_E_RECORDS, r, "count field says %u records, only %zu before END at offset %zu",
					count, i, end);
		}
		if (end - r < REC_HEAD) {
			return aps_fail(err, APS_E_RECORDS, r,
					"inverter record %zu at offset %zu: only %zu bytes before END, a record needs 9",
					i + 1, r, end - r);
		}
		size_t rec_len = aps_record_length((const char *)buf + r + REC_TYPE, w->len05);
		if (rec_len == 0) {
			/* A layout we do not know: keep what came before it. */
			w->truncated = true;
			return 0;
		}
		if (buf[r + REC_ONLINE] > 1) {
			return aps_fail(err, APS_E_FIELD, r + REC_ONLINE,
					"inverter record %zu at offset %zu: online flag %u is not 0 or 1", i + 1, r,
					buf[r + REC_ONLINE]);
		}
		if (end - r < rec_len) {
			return aps_fail(err, APS_E_RECORDS, r,
					"inverter record %zu at offset %zu: type '%s' needs %zu bytes, END is at offset %zu",
					i + 1, r, aps_quote(buf + r + REC_TYPE, 2, q), rec_len, end);
		}
		if (memcmp(buf + r + REC_TYPE, "05", 2) == 0 && w->first05 == 0) w->first05 = r;
		if (w->inv) {
			if (i >= w->cap) {
				return aps_fail(err, APS_E_CAPACITY, r,
						"inverter record %zu at offset %zu: caller's array holds only %zu", i + 1, r,
						w->cap);
			}
			decode_record(buf + r, rec_len, &w->inv[i]);
		}
		r += rec_len;
	}
	w->records = count;
	w->stop = r;
	if (r != end) {
		return aps_fail(err, APS_E_RECORDS, r, "count field says %u records; they end at offset %zu, END is at %zu",
				count, r, end);
	}
	return 0;
}

static char printable_or(uint8_t c, char fallback)
{
	return c >= 0x20 && c <= 0x7e ? (char)c : fallback;
}

static bool fits(const struct walk *w, int rc)
{
	return rc == 0 && !w->truncated;
}

/* Chooses how to read type 05: the one reading whose records fill the reply
 * exactly.  Without a type-05 record the choice does not matter. */
static int choose_len05(const uint8_t *buf, size_t end, uint16_t count, size_t *len05, struct aps_error *err)
{
	struct walk ds3 = {.len05 = TYPE05_DS3_LEN};
	struct walk qt2 = {.len05 = TYPE05_QT2_LEN};

	*len05 = TYPE05_DS3_LEN;
	bool ds3_fits = fits(&ds3, walk_records(buf, end, count, &ds3, NULL));
	if (ds3.first05 == 0) return 0;
	bool qt2_fits = fits(&qt2, walk_records(buf, end, count, &qt2, NULL));
	if (ds3_fits && qt2_fits) {
		return aps_fail(err, APS_E_RECORDS, ds3.first05,
				"type 05 record at offset %zu: both the 21- and 27-byte readings fit, cannot tell",
				ds3.first05);
	}
	if (!ds3_fits && !qt2_fits) {
		return aps_fail(err, APS_E_RECORDS, ds3.first05,
				"type 05 record at offset %zu: neither 21 bytes (stop at %zu) nor 27 (stop at %zu) fit END at %zu",
				ds3.first05, ds3.stop, qt2.stop, end);
	}
	*len05 = ds3_fits ? TYPE05_DS3_LEN : TYPE05_QT2_LEN;
	return 0;
}

static int parse(const uint8_t *buf, size_t len, struct aps_inverter_data *data, struct aps_inverter *inv,
		size_t cap, struct aps_error *err)
{
	char q[APS_QUOTE_MAX];
	long framed = aps_whole_reply(buf, len, APS_CMD_INVERTERS, err);

	if (framed < 0) return (int)framed;
	/* Framing guarantees len >= 16, so the status is in; only a "00"
	 * status frame was checked for END. */
	if (memcmp(buf + OFF_STATUS, "00", 2) != 0) {
		return aps_fail(err, APS_E_NO_DATA, OFF_STATUS, "ECU has no inverter data (status '%s')",
				aps_quote(buf + OFF_STATUS, 2, q));
	}
	if (len < OFF_RECORDS + APS_END_LEN) {
		return aps_fail(err, APS_E_TOO_SHORT, len, "reply of %zu bytes is shorter than the 26-byte header and END",
				len);
	}
	if (memcmp(buf + OFF_SUBSTATUS, "01", 2) != 0) {
		return aps_fail(err, APS_E_FIELD, OFF_SUBSTATUS, "bytes at offset %d are '%s', expected '01'",
				OFF_SUBSTATUS, aps_quote(buf + OFF_SUBSTATUS, 2, q));
	}
	data->count_declared = aps_be16(buf + OFF_COUNT);
	const uint8_t *t = buf + OFF_TIME;
	const char *why = aps_bcd_time(t, &data->timestamp);
	if (why) {
		return aps_fail(err, APS_E_TIMESTAMP, OFF_TIME, "timestamp at offset %d %s: %02x%02x%02x%02x%02x%02x%02x",
				OFF_TIME, why, t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
	}

	size_t end = len - APS_END_LEN;
	struct walk w = {.inv = inv, .cap = cap};
	int rc = choose_len05(buf, end, data->count_declared, &w.len05, err);
	if (rc) return rc;
	rc = walk_records(buf, end, data->count_declared, &w, err);
	if (rc) {
		/* Records stored before the failure must not look valid. */
		if (inv) memset(inv, 0, w.records * sizeof(*inv));
		return rc;
	}
	data->count = w.records;
	aps_clear_error(err);
	if (w.truncated) {
		const uint8_t *type = buf + w.stop + REC_TYPE;
		data->truncated = true;
		/* The code is whatever the ECU sent: keep it printable. */
		data->unknown_type[0] = printable_or(type[0], '?');
		data->unknown_type[1] = printable_or(type[1], '?');
		data->unknown_offset = w.stop;
		/* Non-fatal: the caller still gets the records before it. */
		(void)aps_fail(err, APS_E_UNKNOWN_TYPE, w.stop,
				"inverter record %zu at offset %zu: type '%s' unknown, records kept: %zu, rest dropped",
				w.records + 1, w.stop, aps_quote(type, 2, q), w.records);
	}
	return 0;
}

int aps_parse_inverters(const uint8_t *buf, size_t len, struct aps_inverter_data *out, struct aps_inverter *inv,
		size_t cap, struct aps_error *err)
{
	struct aps_inverter_data data;

	if (!out) return aps_fail(err, APS_E_ARG, 0, "no output struct");
	memset(out, 0, sizeof(*out));
	if (!inv && cap > 0) return aps_fail(err, APS_E_ARG, 0, "no inverter array for capacity %zu", cap);
	memset(&data, 0, sizeof(data));
	int rc = parse(buf, len, &data, inv, cap, err);
	if (rc == 0) *out = data;
	return rc;
}
