// SPDX-License-Identifier: MIT
/*
 * test_captures.c - every real capture in tests/fixtures decodes to the values
 * its NOTES.md gives.  The expected values below were written out by hand
 * from those notes (and, for the records the notes only summarise, from the
 * hex read byte by byte), never taken from the library's own output.
 *
 * Usage: test_captures <fixtures dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

struct exp_ecu {
	const char *file;
	size_t len;
	const char *version, *id;
	uint8_t layout;
	uint32_t lifetime, power, today;
	bool has_ts;
	struct aps_time ts;
	uint16_t inverters, online;
	const char *firmware, *zone;
	bool glitch;
};

static const struct exp_ecu ecus[] = {
	{"ecu-r-pro-6xqs1/ecu.hex", 112, "12", "216200033510", 1, 236398, 241, 0,
	 true, {2024, 3, 25, 18, 25, 24}, 0, 6, "ECU_R_PRO_2.1.17", "US/Pacific", false},
	{"ecu-r-pro-2162-ds3x4-unseen4-day/ecu.hex", 118, "12", "216200069349", 1, 926, 227, 334,
	 true, {2022, 9, 20, 14, 1, 53}, 8, 4, "ECU_R_PRO_2.0.7A", "Europe/Amsterdam", false},
	{"ecu-r-2160-qt2x6-20231120/ecu.hex", 95, "11", "216000120830", 1, 43581, 654, 17,
	 false, {0, 0, 0, 0, 0, 0}, 6, 6, "ECU_R_1.3.6C", "Etc/GMT-8", false},
	{"ecu-b-2163-new-lifetime0/ecu.hex", 95, "11", "216300036646", 1, 0, 0, 0,
	 false, {0, 0, 0, 0, 0, 0}, 1, 0, "ECU_B_1.2.23", "Etc/GMT-8", true},
	{"ecu-b-2163-new-lifetime0/ecu.2.hex", 95, "11", "216300036646", 1, 0, 0, 0,
	 false, {0, 0, 0, 0, 0, 0}, 1, 1, "ECU_B_1.2.23", "Etc/GMT-8", true},
	{"ecu-b-2163-new-lifetime0/ecu.3.hex", 95, "11", "216300036646", 1, 0, 12, 0,
	 false, {0, 0, 0, 0, 0, 0}, 1, 1, "ECU_B_1.2.23", "Etc/GMT-8", true},
};

struct exp_rec {
	const char *uid, *type;
	bool online;
	uint16_t freq;
	int16_t temp;
	uint8_t channels;
	uint16_t p[4];
	uint8_t voltages;
	uint16_t v[3];
};

/* Type-00 records: no measurements, so freq/temp are not compared. */
#define UNSEEN(uid) {uid, "00", false, 0, 0, 0, {0}, 0, {0}}

static const struct exp_rec qs1x6[] = {
	{"804000070564", "03", true, 599, 15, 4, {11, 10, 9, 9}, 1, {236}},
	{"804000070791", "03", true, 600, 15, 4, {10, 9, 10, 10}, 1, {236}},
	{"804000070491", "03", true, 600, 14, 4, {11, 10, 10, 11}, 1, {236}},
	{"804000070103", "03", true, 600, 13, 4, {11, 10, 9, 9}, 1, {235}},
	{"804000070011", "03", true, 600, 14, 4, {11, 10, 10, 10}, 1, {236}},
	{"804000071353", "03", true, 600, 13, 4, {11, 10, 10, 10}, 1, {236}},
};

static const struct exp_rec ds3x4_unseen4[] = {
	{"704000037390", "01", true, 500, 32, 2, {28, 27}, 2, {222, 222}},
	{"704000047117", "01", true, 500, 33, 2, {30, 28}, 2, {223, 222}},
	{"704000039603", "01", true, 500, 33, 2, {30, 29}, 2, {224, 224}},
	{"704000046411", "01", true, 500, 33, 2, {27, 28}, 2, {222, 222}},
	UNSEEN("704000038131"),
	UNSEEN("704000045962"),
	UNSEEN("704000045916"),
	UNSEEN("704000046425"),
};

static const struct exp_rec qt2x6[] = {
	{"901000007352", "02", true, 499, 23, 4, {26, 26, 27, 25}, 3, {390, 391, 383}},
	{"901000006946", "02", true, 499, 20, 4, {26, 27, 29, 29}, 3, {386, 390, 389}},
	{"901000006234", "02", true, 499, 21, 4, {28, 29, 30, 30}, 3, {384, 389, 391}},
	{"901000006983", "02", true, 499, 21, 4, {24, 29, 28, 28}, 3, {390, 387, 393}},
	{"901000005764", "02", true, 499, 18, 4, {27, 26, 30, 29}, 3, {391, 386, 387}},
	{"901000004208", "02", true, 499, 19, 4, {26, 26, 22, 27}, 3, {392, 390, 386}},
};

static const struct exp_rec qs1x5_night[] = {
	{"802000142216", "03", false, 0, -100, 4, {0, 0, 0, 0}, 1, {0}},
	{"802000142534", "03", false, 0, -100, 4, {0, 0, 0, 0}, 1, {0}},
	{"802000142349", "03", false, 0, -100, 4, {0, 0, 0, 0}, 1, {0}},
	{"802000142642", "03", false, 0, -100, 4, {0, 0, 0, 0}, 1, {0}},
	{"802000142585", "03", false, 0, -100, 4, {0, 0, 0, 0}, 1, {0}},
	UNSEEN("806000008104"),
	UNSEEN("806000008668"),
	UNSEEN("806000008897"),
	UNSEEN("806000009733"),
};

static const struct exp_rec ds3x1[] = {
	{"702000016318", "01", true, 499, 42, 2, {341, 390}, 2, {244, 244}},
};

struct exp_inv {
	const char *file;
	size_t len;
	struct aps_time ts;
	uint16_t declared;
	const struct exp_rec *recs;
	size_t count;
};

#define RECS(a) a, sizeof a / sizeof a[0]

static const struct exp_inv invs[] = {
	{"ecu-r-pro-6xqs1/inverters.hex", 168, {2024, 3, 25, 18, 26, 23}, 6, RECS(qs1x6)},
	{"ecu-r-pro-2162-ds3x4-unseen4-day/inverters.hex", 150, {2022, 9, 20, 14, 1, 15}, 8, RECS(ds3x4_unseen4)},
	{"ecu-r-2160-qt2x6-20231120/inverters.hex", 192, {2023, 11, 20, 15, 19, 34}, 6, RECS(qt2x6)},
	{"ecu-c-qs1x5-unseen4-night/inverters.hex", 181, {2022, 5, 17, 22, 41, 22}, 9, RECS(qs1x5_night)},
	{"ecu-b-2163-ds3x1-afternoon/inverters.hex", 51, {2024, 9, 14, 15, 29, 49}, 1, RECS(ds3x1)},
};

/* The replaced ECU-B's status-02 reply: a complete frame, but no data. */
static const struct {
	const char *file;
	size_t len;
} no_data[] = {
	{"ecu-b-replaced-short-noend/inverters.hex", 16},
};

struct exp_sig {
	const char *uid;
	uint8_t strength;
};

static const struct exp_sig sig_qs1x6[] = {
	{"804000070564", 0xd1}, {"804000070791", 0xd9}, {"804000070491", 0xe4},
	{"804000070103", 0xd5}, {"804000070011", 0xd5}, {"804000071353", 0xd1},
};

static const struct exp_sig sig_ds3x4[] = {
	{"704000037390", 216}, {"704000047117", 227}, {"704000039603", 225}, {"704000046411", 204},
	{"704000038131", 0},   {"704000045962", 0},   {"704000045916", 0},   {"704000046425", 0},
};

static const struct exp_sig sig_qt2x6[] = {
	{"901000007352", 171}, {"901000006946", 171}, {"901000006234", 171},
	{"901000006983", 171}, {"901000005764", 171}, {"901000004208", 171},
};

static const struct {
	const char *file;
	size_t len;
	const struct exp_sig *sigs;
	size_t count;
	const int *percent; /* aps2mqtt's published percentages, from the notes */
} sigs[] = {
	{"ecu-r-pro-6xqs1/signal.hex", 61, RECS(sig_qs1x6), (const int[]){81, 85, 89, 83, 83, 81}},
	{"ecu-r-pro-2162-ds3x4-unseen4-day/signal.hex", 75, RECS(sig_ds3x4), (const int[]){84, 89, 88, 80, 0, 0, 0, 0}},
	{"ecu-r-2160-qt2x6-20231120/signal.hex", 61, RECS(sig_qt2x6), (const int[]){67, 67, 67, 67, 67, 67}},
};

#define COUNT(a) (sizeof a / sizeof a[0])

static uint8_t frame[APS_REPLY_MAX];
static struct t_parsed got;

static void check_time(const struct aps_time *t, const struct aps_time *want)
{
	CHECK_INT(t->year, want->year);
	CHECK_INT(t->month, want->month);
	CHECK_INT(t->day, want->day);
	CHECK_INT(t->hour, want->hour);
	CHECK_INT(t->minute, want->minute);
	CHECK_INT(t->second, want->second);
}

static void check_framing(size_t len, size_t want_len, enum aps_command cmd)
{
	struct aps_error err;

	CHECK_INT(len, want_len);
	CHECK_INT(aps_frame_check(t_guard(frame, len), len, cmd, &err), (long)want_len);
}

static void test_ecu(const char *dir, const struct exp_ecu *e)
{
	size_t len;

	aps_check_case("%s", e->file);
	if (!t_load(dir, e->file, frame, sizeof frame, &len)) return;
	check_framing(len, e->len, APS_CMD_ECU_INFO);
	if (!CHECK_INT(t_parse(T_ECU, frame, len, T_CAP_ALL, &got), 0)) return;

	const struct aps_ecu_info *i = &got.ecu;
	CHECK_INT(got.err.code, APS_OK);
	CHECK_STR(i->version, e->version);
	CHECK_STR(i->ecu_id, e->id);
	CHECK_INT(i->layout, e->layout);
	CHECK_INT(i->lifetime_energy_raw, e->lifetime);
	CHECK_INT(i->current_power_w, e->power);
	CHECK_INT(i->today_energy_raw, e->today);
	CHECK_INT(i->has_timestamp, e->has_ts);
	if (e->has_ts) check_time(&i->timestamp, &e->ts);
	CHECK_INT(i->inverters, e->inverters);
	CHECK_INT(i->inverters_online, e->online);
	CHECK_STR(i->firmware, e->firmware);
	CHECK_STR(i->zone, e->zone);
	CHECK_INT(i->lifetime_glitch, e->glitch);
}

static void check_record(const struct aps_inverter *r, const struct exp_rec *w)
{
	CHECK_STR(r->uid, w->uid);
	CHECK_STR(r->type, w->type);
	CHECK_INT(r->online, w->online);
	CHECK_INT(r->channels, w->channels);
	CHECK_INT(r->voltages, w->voltages);
	if (strcmp(w->type, "00") == 0) return;
	CHECK_INT(r->frequency_raw, w->freq);
	CHECK_INT(r->temperature_c, w->temp);
	for (unsigned c = 0; c < w->channels && c < r->channels; c++) CHECK_INT(r->power_w[c], w->p[c]);
	for (unsigned v = 0; v < w->voltages && v < r->voltages; v++) CHECK_INT(r->voltage_v[v], w->v[v]);
}

static void test_inverters(const char *dir, const struct exp_inv *e)
{
	size_t len;

	aps_check_case("%s", e->file);
	if (!t_load(dir, e->file, frame, sizeof frame, &len)) return;
	check_framing(len, e->len, APS_CMD_INVERTERS);
	if (!CHECK_INT(t_parse(T_INVERTERS, frame, len, T_CAP_ALL, &got), 0)) return;

	CHECK_INT(got.err.code, APS_OK);
	CHECK_INT(got.data.truncated, false);
	check_time(&got.data.timestamp, &e->ts);
	CHECK_INT(got.data.count_declared, e->declared);
	if (!CHECK_INT(got.data.count, e->count)) return;
	for (size_t k = 0; k < e->count; k++) {
		aps_check_case("%s record %zu (%s)", e->file, k + 1, e->recs[k].uid);
		check_record(&got.inv[k], &e->recs[k]);
	}

	/* Exactly enough room is enough. */
	aps_check_case("%s with cap == count", e->file);
	CHECK_INT(t_parse(T_INVERTERS, frame, len, e->count, &got), 0);
	CHECK_INT(got.data.count, e->count);
}

static void test_no_data(const char *dir, const char *file, size_t want_len)
{
	size_t len;

	aps_check_case("%s", file);
	if (!t_load(dir, file, frame, sizeof frame, &len)) return;
	check_framing(len, want_len, APS_CMD_INVERTERS);
	CHECK_INT(t_parse(T_INVERTERS, frame, len, T_CAP_ALL, &got), -APS_E_NO_DATA);
	CHECK_INT(got.err.code, APS_E_NO_DATA);
	CHECK_INT(t_parse(T_INVERTERS, frame, len, 0, &got), -APS_E_NO_DATA);
}

static void test_signal(const char *dir, size_t s)
{
	size_t len;
	const char *file = sigs[s].file;

	aps_check_case("%s", file);
	if (!t_load(dir, file, frame, sizeof frame, &len)) return;
	check_framing(len, sigs[s].len, APS_CMD_SIGNAL);
	if (!CHECK_INT(t_parse(T_SIGNAL, frame, len, T_CAP_ALL, &got), 0)) return;
	if (!CHECK_INT(got.sig_count, sigs[s].count)) return;
	for (size_t k = 0; k < sigs[s].count; k++) {
		aps_check_case("%s entry %zu", file, k + 1);
		CHECK_STR(got.sig[k].uid, sigs[s].sigs[k].uid);
		CHECK_INT(got.sig[k].strength, sigs[s].sigs[k].strength);
		CHECK_INT(aps_signal_percent(got.sig[k].strength), sigs[s].percent[k]);
	}
}

/* Every fixture file must have a row above: a capture added without
 * hand-checked values would otherwise only be tested for not crashing. */
static void check_listed(const char *path, void *ctx)
{
	const char *dir = ctx;
	const char *rel = path + strlen(dir) + 1;
	bool found = false;

	for (size_t i = 0; i < COUNT(ecus); i++) found |= strcmp(rel, ecus[i].file) == 0;
	for (size_t i = 0; i < COUNT(invs); i++) found |= strcmp(rel, invs[i].file) == 0;
	for (size_t i = 0; i < COUNT(no_data); i++) found |= strcmp(rel, no_data[i].file) == 0;
	for (size_t i = 0; i < COUNT(sigs); i++) found |= strcmp(rel, sigs[i].file) == 0;
	aps_check_case("fixture list");
	CHECKF(found, "%s has no expected values in test_captures.c", rel);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <fixtures dir>\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < COUNT(ecus); i++) test_ecu(argv[1], &ecus[i]);
	for (size_t i = 0; i < COUNT(invs); i++) test_inverters(argv[1], &invs[i]);
	for (size_t i = 0; i < COUNT(no_data); i++) test_no_data(argv[1], no_data[i].file, no_data[i].len);
	for (size_t i = 0; i < COUNT(sigs); i++) test_signal(argv[1], i);

	long files = t_walk_hex(argv[1], check_listed, argv[1]);
	aps_check_case("fixture list");
	CHECKF(files > 0, "no .hex files under %s", argv[1]);
	return aps_check_report("test_captures");
}
