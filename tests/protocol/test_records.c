// SPDX-License-Identifier: MIT
/*
 * test_records.c - the inverter and signal arrays: record counts that lie,
 * bad online flags and timestamps, unknown types (records before kept),
 * type-00 records anywhere, the two readings of type 05, capacities, status
 * replies, and arrays up to the largest frame.
 *
 * Usage: test_records <fixtures dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define OFF_STATUS 13
#define OFF_COUNT 17
#define OFF_TIME 19
#define OFF_RECORDS 26
#define MAX_RECS 64

static uint8_t frame[APS_REPLY_MAX + 16];
static uint8_t work[APS_REPLY_MAX + 16];
static struct t_parsed got, orig;

/* Record offsets of the capture in frame, found by the test's own walk. */
static size_t rec_at[MAX_RECS], rec_len[MAX_RECS], recs;

static void expect(enum t_kind kind, const uint8_t *buf, size_t len, size_t cap, enum aps_err want)
{
	int rc = t_parse(kind, buf, len, cap, &got);
	CHECKF(rc == -(int)want, "rc %d (%s), want -%d (%s)", rc, aps_strerror(-rc), (int)want, aps_strerror((int)want));
}

static bool same_record(const struct aps_inverter *a, const struct aps_inverter *b)
{
	if (strcmp(a->uid, b->uid) || strcmp(a->type, b->type) || a->online != b->online ||
	    a->channels != b->channels || a->voltages != b->voltages)
		return false;
	if (strcmp(a->type, "00") == 0) return true;
	if (a->frequency_raw != b->frequency_raw || a->temperature_c != b->temperature_c) return false;
	for (unsigned c = 0; c < a->channels && c < APS_MAX_CHANNELS; c++)
		if (a->power_w[c] != b->power_w[c]) return false;
	for (unsigned v = 0; v < a->voltages && v < APS_MAX_VOLTAGES; v++)
		if (a->voltage_v[v] != b->voltage_v[v]) return false;
	return true;
}

static bool walk_records(size_t n)
{
	size_t at = OFF_RECORDS;

	for (recs = 0; at + 9 <= n - 4 && recs < MAX_RECS; recs++) {
		rec_at[recs] = at;
		rec_len[recs] = t_record_len(frame + at + 7);
		if (!rec_len[recs]) return false;
		at += rec_len[recs];
	}
	return at == n - 4;
}

/* Builds an inverter reply with status "0001" from count, time and records. */
static size_t build_inverters(uint8_t *out, unsigned count, const struct aps_time *t, const uint8_t *records,
                              size_t len)
{
	uint8_t body[APS_REPLY_MAX];

	memcpy(body, "0001", 4);
	t_put_u16(body + 4, count);
	t_put_bcd_time(body + 6, t);
	memcpy(body + 13, records, len);
	return t_frame(out, APS_REPLY_MAX, "11", "0002", body, 13 + len);
}

static void test_header_fields(const char *name, size_t n)
{
	static const struct aps_time when = {2000, 2, 29, 0, 0, 0};
	uint8_t bcd[7];
	const char *what;
	unsigned declared = orig.data.count_declared;

	aps_check_case("%s, timestamp 2000-02-29", name);
	memcpy(work, frame, n);
	t_put_bcd_time(work + OFF_TIME, &when);
	if (CHECK_INT(t_parse(T_INVERTERS, work, n, T_CAP_ALL, &got), 0))
		CHECKF(memcmp(&got.data.timestamp, &when, sizeof when) == 0, "timestamp misread");
	for (size_t i = 0; t_bad_time(i, bcd, &what); i++) {
		aps_check_case("%s, timestamp %s", name, what);
		memcpy(work, frame, n);
		memcpy(work + OFF_TIME, bcd, 7);
		expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_TIMESTAMP);
	}
	/* Unlike ECU info, the inverter reply has no filler: its time is needed. */
	for (int fill = 0; fill < 2; fill++) {
		aps_check_case("%s, timestamp all 0x%s", name, fill ? "d0" : "00");
		memcpy(work, frame, n);
		memset(work + OFF_TIME, fill ? 0xd0 : 0, 7);
		expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_TIMESTAMP);
	}

	const unsigned counts[] = {declared + 1, declared - 1, 0, 0xffff};
	for (size_t i = 0; i < 4; i++) {
		aps_check_case("%s, record count %u instead of %u", name, counts[i], declared);
		memcpy(work, frame, n);
		t_put_u16(work + OFF_COUNT, counts[i]);
		if (counts[i] == 0xffff) {
			int rc = t_parse(T_INVERTERS, work, n, T_CAP_ALL, &got);
			CHECKF(rc == -APS_E_RECORDS || rc == -APS_E_CAPACITY, "rc %d", rc);
		} else {
			expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_RECORDS);
		}
	}

	static const char *const statuses[] = {"02", "01", "10", "x0", "\0\0"};
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		aps_check_case("%s, status '%.2s'", name, statuses[i]);
		memcpy(work, frame, n);
		memcpy(work + OFF_STATUS, statuses[i], 2);
		expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_NO_DATA);
	}

	static const char *const after_status[] = {"00", "02", "11", "0x"};
	for (size_t i = 0; i < sizeof after_status / sizeof after_status[0]; i++) {
		aps_check_case("%s, bytes 15..16 '%.2s' instead of '01'", name, after_status[i]);
		memcpy(work, frame, n);
		memcpy(work + OFF_STATUS + 2, after_status[i], 2);
		expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_FIELD);
	}

	aps_check_case("%s, capacity", name);
	expect(T_INVERTERS, frame, n, 0, APS_E_CAPACITY);
	expect(T_INVERTERS, frame, n, declared - 1, APS_E_CAPACITY);
	CHECK_INT(t_parse(T_INVERTERS, frame, n, declared, &got), 0);
}

static void test_record_fields(const char *name, size_t n)
{
	static const uint8_t online[] = {2, 0xff, '1', '0'};
	static const char *const unknown[] = {"06", "zz", "10", "\xff\xff", "5 "};

	for (size_t r = 0; r < recs; r++) {
		for (size_t i = 0; i < sizeof online; i++) {
			aps_check_case("%s, record %zu online byte 0x%02x", name, r, online[i]);
			memcpy(work, frame, n);
			work[rec_at[r] + 6] = online[i];
			expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_FIELD);
			CHECKF(got.err.offset >= rec_at[r] && got.err.offset < rec_at[r] + rec_len[r],
			       "err.offset %zu not in record %zu", got.err.offset, r);
		}
		for (size_t u = 0; u < sizeof unknown / sizeof unknown[0]; u++) {
			aps_check_case("%s, record %zu of type '%.2s'", name, r, unknown[u]);
			memcpy(work, frame, n);
			memcpy(work + rec_at[r] + 7, unknown[u], 2);
			if (!CHECK_INT(t_parse(T_INVERTERS, work, n, T_CAP_ALL, &got), 0)) continue;
			CHECK_INT(got.err.code, APS_E_UNKNOWN_TYPE);
			CHECK_INT(got.data.truncated, true);
			CHECK_INT(got.data.count, r);
			CHECK_INT(got.data.count_declared, orig.data.count_declared);
			CHECK_INT(got.data.unknown_offset, rec_at[r]);
			if (u < 3) CHECK_STR(got.data.unknown_type, unknown[u]);
			for (size_t k = 0; k < r && k < got.data.count; k++)
				CHECKF(same_record(&got.inv[k], &orig.inv[k]), "record %zu before the unknown one changed", k);
		}
	}
}

/* The same records in another order: type-00 ones anywhere must parse. */
static void test_reordered(const char *name, size_t n, const size_t *order, size_t count)
{
	uint8_t records[APS_REPLY_MAX];
	size_t len = 0;

	for (size_t k = 0; k < count; k++) {
		memcpy(records + len, frame + rec_at[order[k]], rec_len[order[k]]);
		len += rec_len[order[k]];
	}
	size_t m = build_inverters(work, (unsigned)count, &orig.data.timestamp, records, len);
	CHECK_INT(m, n);
	if (!CHECK_INT(t_parse(T_INVERTERS, work, m, T_CAP_ALL, &got), 0) || !CHECK_INT(got.data.count, count)) return;
	for (size_t k = 0; k < count; k++)
		CHECKF(same_record(&got.inv[k], &orig.inv[order[k]]), "%s: record %zu (was %zu) differs", name, k, order[k]);
}

static void test_type00_anywhere(const char *name, size_t n)
{
	size_t seen[MAX_RECS], unseen[MAX_RECS], ns = 0, nu = 0, order[MAX_RECS];

	for (size_t r = 0; r < recs; r++) {
		if (rec_len[r] == 9) unseen[nu++] = r;
		else seen[ns++] = r;
	}
	if (nu == 0 || ns == 0) return;
	aps_check_case("%s, type-00 records first", name);
	for (size_t k = 0; k < nu; k++) order[k] = unseen[k];
	for (size_t k = 0; k < ns; k++) order[nu + k] = seen[k];
	test_reordered(name, n, order, recs);

	aps_check_case("%s, type-00 records interleaved", name);
	size_t k = 0, s = 0, u = 0;
	while (s < ns || u < nu) {
		if (s < ns) order[k++] = seen[s++];
		if (u < nu) order[k++] = unseen[u++];
	}
	test_reordered(name, n, order, recs);
}

/* Type 05: 21 or 27 bytes, decided by which one fills the reply exactly. */
static void test_type05_captures(const char *name, size_t n)
{
	size_t len = rec_len[0];

	if (len == 9) return;
	for (size_t all = 0; all < 2; all++) {
		aps_check_case("%s, %s %zu-byte record(s) retyped '05'", name, all ? "every" : "the last", len);
		memcpy(work, frame, n);
		for (size_t r = 0; r < recs; r++)
			if (rec_len[r] == len && (all || r == recs - 1 || rec_len[r + 1] != len))
				memcpy(work + rec_at[r] + 7, "05", 2);
		if (len == 23) {
			expect(T_INVERTERS, work, n, T_CAP_ALL, APS_E_RECORDS);
			continue;
		}
		if (!CHECK_INT(t_parse(T_INVERTERS, work, n, T_CAP_ALL, &got), 0)) continue;
		CHECK_INT(got.data.count, recs);
		for (size_t r = 0; r < recs && r < got.data.count; r++) {
			struct aps_inverter want = orig.inv[r];
			if (memcmp(work + rec_at[r] + 7, "05", 2) == 0) memcpy(want.type, "05", 3);
			CHECKF(same_record(&got.inv[r], &want), "record %zu read differently as type 05", r);
		}
	}
}

static size_t put_record(uint8_t *p, const char *type, uint8_t uid0)
{
	static const uint8_t uid[6] = {0, 0xab, 0xcd, 0xef, 0x12, 0x34};
	size_t len = strcmp(type, "05") == 0 ? 27 : t_record_len((const uint8_t *)type);

	memcpy(p, uid, 6);
	p[0] = uid0;
	p[6] = 1;
	memcpy(p + 7, type, 2);
	t_put_u16(p + 9, 500);
	t_put_u16(p + 11, 125);
	for (size_t i = 13; i + 1 < len; i += 2) t_put_u16(p + i, (unsigned)(100 + i));
	return len;
}

static void test_type05_built(void)
{
	static const struct aps_time t = {2025, 1, 2, 3, 4, 5};
	uint8_t rec[128];
	size_t m;

	aps_check_case("type 05, 27-byte reading");
	put_record(rec, "05", 0x50);
	m = build_inverters(work, 1, &t, rec, 27);
	if (CHECK_INT(t_parse(T_INVERTERS, work, m, T_CAP_ALL, &got), 0)) {
		const struct aps_inverter *r = &got.inv[0];
		CHECK_STR(r->uid, "50abcdef1234");
		CHECK_STR(r->type, "05");
		CHECK_INT(r->channels, 4);
		CHECK_INT(r->voltages, 3);
		CHECK_INT(r->power_w[0], 113);
		CHECK_INT(r->voltage_v[0], 115);
		CHECK_INT(r->power_w[3], 125);
		CHECK_INT(r->voltage_v[2], 123);
		CHECK_INT(r->temperature_c, 25);
	}

	aps_check_case("type 05, 21-byte reading");
	m = build_inverters(work, 1, &t, rec, 21);
	if (CHECK_INT(t_parse(T_INVERTERS, work, m, T_CAP_ALL, &got), 0)) {
		const struct aps_inverter *r = &got.inv[0];
		CHECK_INT(r->channels, 2);
		CHECK_INT(r->voltages, 2);
		CHECK_INT(r->power_w[1], 117);
		CHECK_INT(r->voltage_v[1], 119);
	}

	aps_check_case("type 05 fitting neither 21 nor 27 bytes");
	m = build_inverters(work, 1, &t, rec, 23);
	expect(T_INVERTERS, work, m, T_CAP_ALL, APS_E_RECORDS);

	/* Both readings fill this one exactly: 05(21)+02(27) and 05(27)+01(21).
	 * Guessing would publish wrong numbers, so it must be refused. */
	aps_check_case("type 05 fitting both 21 and 27 bytes");
	memset(rec, 0, sizeof rec);
	put_record(rec, "05", 0x51);
	rec[27] = 1;               /* online of a 02 at 21, UID of a 01 at 27 */
	memcpy(rec + 28, "02", 2);
	rec[33] = 1;               /* online of the 01 at 27 */
	memcpy(rec + 34, "01", 2);
	m = build_inverters(work, 2, &t, rec, 48);
	expect(T_INVERTERS, work, m, T_CAP_ALL, APS_E_RECORDS);
}

static void test_built_arrays(void)
{
	static const struct aps_time t = {2031, 12, 31, 23, 59, 58};
	static uint8_t rec[APS_REPLY_MAX];
	size_t m;

	aps_check_case("inverter reply without records");
	m = build_inverters(work, 0, &t, rec, 0);
	if (CHECK_INT(t_parse(T_INVERTERS, work, m, 0, &got), 0)) {
		CHECK_INT(got.data.count, 0);
		CHECK_INT(got.data.timestamp.year, 2031);
	}

	/* Status "00" but too short for the 26-byte header. */
	for (size_t n = 17; n < 30; n++) {
		aps_check_case("status-00 inverter reply of %zu bytes", n);
		memset(rec, 0, 20);
		memcpy(rec, "0001", 4);
		m = t_frame(work, sizeof work, "11", "0002", rec, n - 17);
		CHECKF(t_parse(T_INVERTERS, work, m, T_CAP_ALL, &got) < 0, "parsed");
	}

	/* The most records any reply can hold, each a distinct UID. */
	size_t len = 0;
	for (size_t k = 0; k < APS_MAX_RECORDS; k++) {
		len += put_record(rec + len, "00", (uint8_t)k);
		rec[len - 9 + 5] = (uint8_t)(k >> 8);
		rec[len - 9 + 6] = 0;
	}
	aps_check_case("%d type-00 records", APS_MAX_RECORDS);
	m = build_inverters(work, APS_MAX_RECORDS, &t, rec, len);
	if (CHECK_INT(t_parse(T_INVERTERS, work, m, T_CAP_ALL, &got), 0)) {
		CHECK_INT(got.data.count, APS_MAX_RECORDS);
		CHECK_STR(got.inv[APS_MAX_RECORDS - 1].uid, "52abcdef1204");
	}
	expect(T_INVERTERS, work, m, APS_MAX_RECORDS - 1, APS_E_CAPACITY);
}

static void test_signal(const char *name, size_t n)
{
	size_t count = (n - 19) / 7;

	aps_check_case("%s, capacity", name);
	expect(T_SIGNAL, frame, n, 0, APS_E_CAPACITY);
	expect(T_SIGNAL, frame, n, count - 1, APS_E_CAPACITY);
	CHECK_INT(t_parse(T_SIGNAL, frame, n, count, &got), 0);

	/* Bytes added before END: only a whole 7-byte record parses. */
	for (size_t extra = 1; extra <= 8; extra++) {
		aps_check_case("%s, %zu bytes added", name, extra);
		memcpy(work, frame, n - 4);
		memcpy(work + n - 4, "\x0a\x1b\x2c\x3d\x4e\x5f\x80\x01", extra);
		memcpy(work + n - 4 + extra, "END\n", 4);
		t_set_length(work, n + extra);
		if (extra % 7) {
			expect(T_SIGNAL, work, n + extra, T_CAP_ALL, APS_E_RECORDS);
		} else if (CHECK_INT(t_parse(T_SIGNAL, work, n + extra, T_CAP_ALL, &got), 0) &&
		           CHECK_INT(got.sig_count, count + 1)) {
			CHECK_STR(got.sig[count].uid, "0a1b2c3d4e5f");
			CHECK_INT(got.sig[count].strength, 0x80);
		}
	}
}

static void test_signal_built(void)
{
	/* 7-byte records: a full frame holds more than APS_MAX_RECORDS. */
	enum { MOST = (APS_REPLY_MAX - 19) / 7 };
	static struct aps_signal big[MOST];
	static uint8_t body[APS_REPLY_MAX];
	struct aps_error err;
	size_t count = 0, m;

	aps_check_case("signal reply without records");
	m = t_frame(work, sizeof work, "11", "0030", (const uint8_t *)"00", 2);
	if (CHECK_INT(t_parse(T_SIGNAL, work, m, 0, &got), 0)) CHECK_INT(got.sig_count, 0);

	memcpy(body, "00", 2);
	for (size_t k = 0; k < MOST; k++) {
		uint8_t *r = body + 2 + 7 * k;
		memcpy(r, "\xa0\x00\x00\x00\x00\x00", 6);
		t_put_u16(r + 4, (unsigned)k);
		r[6] = (uint8_t)k;
	}
	m = t_frame(work, sizeof work, "11", "0030", body, 2 + 7 * MOST);
	aps_check_case("signal reply with %d records", MOST);
	int rc = aps_parse_signal(t_guard(work, m), m, big, MOST, &count, &err);
	if (CHECK_INT(rc, 0) && CHECK_INT(count, MOST)) {
		CHECK_STR(big[MOST - 1].uid, "a00000000590");
		CHECK_INT(big[MOST - 1].strength, (MOST - 1) & 0xff);
	}
	expect(T_SIGNAL, work, m, APS_MAX_RECORDS, APS_E_CAPACITY);
}

static void each_capture(const char *path, void *ctx)
{
	enum t_kind kind = t_kind_of(path);
	size_t n;

	(void)ctx;
	if (kind != T_INVERTERS && kind != T_SIGNAL) return;
	aps_check_case("%s", path);
	if (!t_load(path, NULL, frame, sizeof frame, &n)) return;
	if (kind == T_SIGNAL) {
		if (CHECK_INT(t_parse(T_SIGNAL, frame, n, T_CAP_ALL, &orig), 0)) test_signal(path, n);
		return;
	}
	if (t_parse(T_INVERTERS, frame, n, T_CAP_ALL, &orig) != 0) return; /* the status-02 reply */
	if (!CHECKF(walk_records(n), "%s: records do not walk to END", path)) return;
	CHECK_INT(recs, orig.data.count);
	test_header_fields(path, n);
	test_record_fields(path, n);
	test_type00_anywhere(path, n);
	test_type05_captures(path, n);
}

int main(int argc, char **argv)
{
	if (t_each_capture(argc, argv, each_capture) != 0) return 2;
	test_type05_built();
	test_built_arrays();
	test_signal_built();
	return aps_check_report("test_records");
}
