// SPDX-License-Identifier: MIT
/* The per-inverter and per-panel integrator (plugin/policy/energy_split.c)
 * and its state image (plugin/store/energy_image.c), on exact curves and on
 * random ones: integrals, gaps, day changes, clocks that jump, the ECU's
 * figure as the authority, and lifetime values that never go down. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aps_check.h"
#include "aps_random.h"
#include "alloc.h"
#include "energy_image.h"
#include "energy_split.h"

static struct aps_time at(int y, int mo, int d, int h, int mi)
{
	return (struct aps_time){ .year = (uint16_t)y, .month = (uint8_t)mo, .day = (uint8_t)d, .hour = (uint8_t)h,
	                          .minute = (uint8_t)mi, .second = 0 };
}

static struct aps_inverter inverter(const char *uid, unsigned channels, unsigned w0, unsigned w1, bool online)
{
	struct aps_inverter r;
	memset(&r, 0, sizeof(r));
	snprintf(r.uid, sizeof(r.uid), "%s", uid);
	snprintf(r.type, sizeof(r.type), "%s", channels == 4 ? "03" : "01");
	r.online = online;
	r.channels = (uint8_t)channels;
	for (unsigned c = 0; c < channels; c++) r.power_w[c] = (uint16_t)(c % 2 ? w1 : w0);
	return r;
}

static int feed(struct esplit *s, struct aps_time t, struct aps_inverter *inv, size_t n, bool ok, double ecu_wh)
{
	struct esplit_sample in = { .time = t, .inv = inv, .count = n, .ecu_today_ok = ok, .ecu_today_wh = ecu_wh };
	return esplit_feed(s, &in, ESPLIT_GAP_CAP_S);
}

static bool near(double a, double b) { return fabs(a - b) <= 1e-6 * fmax(1, fabs(b)); }

/* Constant and ramping power: the trapezoid is exact on both. */
static void test_exact_curves(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	for (int k = 0; k < 12; k++) {
		/* channel 0: 300 W all along; channel 1: from 0 W, 25 W more every 5 minutes */
		struct aps_inverter r = inverter("704000000001", 2, 300, (unsigned)(25 * k), true);
		feed(&s, at(2025, 6, 1, 10, 5 * k), &r, 1, false, 0);
	}
	/* 10:00 .. 10:55 is 55 minutes */
	const struct esplit_inverter *v = esplit_find(&s, "704000000001");
	if (CHECK(v != NULL)) {
		CHECKF(near(v->ch[0].raw_wh, 300.0 * 55 / 60), "constant: %f", v->ch[0].raw_wh);
		/* ramp 0 -> 275 W over 55 min: mean 137.5 W */
		CHECKF(near(v->ch[1].raw_wh, 137.5 * 55 / 60), "ramp: %f", v->ch[1].raw_wh);
		CHECKF(near(esplit_today_wh(v), v->ch[0].raw_wh + v->ch[1].raw_wh), "no ECU figure: today is the integral");
	}
	esplit_free(&s);
}

static void test_repeat_gap_offline(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	struct aps_inverter r = inverter("704000000001", 2, 600, 600, true);
	feed(&s, at(2025, 6, 1, 12, 0), &r, 1, false, 0);
	feed(&s, at(2025, 6, 1, 12, 5), &r, 1, false, 0);
	const struct esplit_inverter *v = esplit_find(&s, "704000000001");
	CHECK(near(v->ch[0].raw_wh, 50));
	/* The same timestamp again is one sample. */
	int f = feed(&s, at(2025, 6, 1, 12, 5), &r, 1, false, 0);
	CHECK(near(v->ch[0].raw_wh, 50));
	CHECK(f & ESPLIT_NOT_BRIDGED);
	/* 15 minutes is bridged, 16 is not. */
	feed(&s, at(2025, 6, 1, 12, 20), &r, 1, false, 0);
	CHECKF(near(v->ch[0].raw_wh, 200), "15 min gap bridged: %f", v->ch[0].raw_wh);
	f = feed(&s, at(2025, 6, 1, 12, 36), &r, 1, false, 0);
	CHECKF(near(v->ch[0].raw_wh, 200), "16 min gap not bridged: %f", v->ch[0].raw_wh);
	CHECK(f & ESPLIT_NOT_BRIDGED);
	/* Offline: its power is 0, the trapezoid goes down to it. */
	struct aps_inverter off = inverter("704000000001", 2, 600, 600, false);
	feed(&s, at(2025, 6, 1, 12, 41), &off, 1, false, 0);
	CHECKF(near(v->ch[0].raw_wh, 225), "towards offline: %f", v->ch[0].raw_wh);
	feed(&s, at(2025, 6, 1, 12, 46), &off, 1, false, 0);
	CHECKF(near(v->ch[0].raw_wh, 225), "offline adds nothing: %f", v->ch[0].raw_wh);
	/* The clock going back integrates nothing and lowers nothing. */
	feed(&s, at(2025, 6, 1, 12, 51), &r, 1, false, 0);
	double before = v->ch[0].raw_wh;
	f = feed(&s, at(2025, 6, 1, 12, 40), &r, 1, false, 0);
	CHECK(near(v->ch[0].raw_wh, before) && (f & ESPLIT_NOT_BRIDGED));
	/* A type 00 record gets no state. */
	struct aps_inverter unseen = inverter("704100000001", 0, 0, 0, false);
	snprintf(unseen.type, sizeof(unseen.type), "00");
	feed(&s, at(2025, 6, 1, 12, 45), &unseen, 1, false, 0);
	CHECK(esplit_find(&s, "704100000001") == NULL);
	esplit_free(&s);
}

static void test_reconcile(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	struct aps_inverter r[2] = { inverter("704000000001", 2, 120, 0, true), inverter("704000000002", 2, 360, 0, true) };
	feed(&s, at(2025, 6, 1, 12, 0), r, 2, false, 0);
	/* 5 minutes: 10 Wh and 30 Wh measured; the ECU says 80 Wh. */
	int f = feed(&s, at(2025, 6, 1, 12, 5), r, 2, true, 80);
	const struct esplit_inverter *a = esplit_find(&s, "704000000001"), *b = esplit_find(&s, "704000000002");
	CHECK(f & ESPLIT_RECONCILED);
	CHECKF(near(esplit_today_wh(a), 20) && near(esplit_today_wh(b), 60), "scaled: %f %f", esplit_today_wh(a),
	       esplit_today_wh(b));
	CHECK(near(esplit_raw_wh(a), 10));
	/* A figure the filter did not accept is not the authority. */
	feed(&s, at(2025, 6, 1, 12, 10), r, 2, false, 5000);
	CHECKF(esplit_today_wh(a) + esplit_today_wh(b) < 200, "an implausible figure is ignored");
	/* A lower ECU figure lowers nothing. */
	double ta = esplit_today_wh(a), tb = esplit_today_wh(b);
	feed(&s, at(2025, 6, 1, 12, 15), r, 2, true, 10);
	CHECK(esplit_today_wh(a) >= ta && esplit_today_wh(b) >= tb);
	/* b stops, a goes on: shares change, but nobody goes down and the sum is the ECU's. */
	r[1] = inverter("704000000002", 2, 0, 0, true);
	r[0] = inverter("704000000001", 2, 1200, 0, true);
	for (int k = 4; k < 10; k++) {
		ta = esplit_today_wh(a), tb = esplit_today_wh(b);
		double target = 300.0 + 100.0 * k;
		feed(&s, at(2025, 6, 1, 12, 5 * k), r, 2, true, target);
		CHECK(esplit_today_wh(a) >= ta - 1e-9 && esplit_today_wh(b) >= tb - 1e-9);
		CHECKF(near(esplit_today_wh(a) + esplit_today_wh(b), target), "sum %f, ECU %f",
		       esplit_today_wh(a) + esplit_today_wh(b), target);
	}
	esplit_free(&s);
}

static void test_day_changes(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	struct aps_inverter r = inverter("704000000001", 2, 600, 600, true);
	feed(&s, at(2025, 6, 1, 23, 50), &r, 1, false, 0);
	feed(&s, at(2025, 6, 1, 23, 55), &r, 1, true, 100);
	const struct esplit_inverter *v = esplit_find(&s, "704000000001");
	double life = esplit_lifetime_wh(v);
	CHECK(near(esplit_today_wh(v), 100) && near(life, 100));
	/* 00:00: today restarts, lifetime carries on, nothing bridged across midnight. */
	int f = feed(&s, at(2025, 6, 2, 0, 0), &r, 1, true, 0);
	CHECK(f & ESPLIT_DAY_CLOSED);
	CHECK(near(esplit_today_wh(v), 0) && near(esplit_lifetime_wh(v), life));
	feed(&s, at(2025, 6, 2, 0, 5), &r, 1, true, 50);
	CHECK(near(esplit_today_wh(v), 50) && near(esplit_lifetime_wh(v), life + 50));
	/* The ECU's clock jumps forward to another day at an odd hour. */
	life = esplit_lifetime_wh(v);
	f = feed(&s, at(2025, 6, 9, 14, 37), &r, 1, true, 3000);
	CHECK(f & ESPLIT_DAY_CLOSED);
	CHECKF(near(esplit_lifetime_wh(v), life), "no energy invented across a jump: %f vs %f", esplit_lifetime_wh(v),
	       life);
	/* ... and back to 2000 (an ECU that lost its clock). */
	feed(&s, at(2025, 6, 9, 14, 42), &r, 1, true, 3100);
	life = esplit_lifetime_wh(v);
	f = feed(&s, at(2000, 1, 1, 0, 3), &r, 1, true, 0);
	CHECK(f & ESPLIT_DAY_CLOSED);
	CHECK(esplit_lifetime_wh(v) >= life);
	esplit_free(&s);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { return aps_xorshift64(&rng); }

/* Random days: clocks that jump both ways, gaps, repeats, glitches, offline
 * inverters, figures accepted or not, a state saved and read back now and
 * then.  Lifetime never goes down; today never goes down within a date; an
 * accepted figure above what was published is met exactly. */
static void test_random(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	const char *uids[3] = { "704000000001", "804000000002", "904000000003" };
	int64_t t = 25 * 365 * 86400LL + 6 * 3600;
	double life[3][4] = { { 0 } }, today[3][4] = { { 0 } };
	int32_t date = -1;
	double ecu = 0;
	for (int step = 0; step < 20000; step++) {
		uint64_t x = next();
		switch (x % 16) {
		case 0: t -= (int64_t)(next() % 7200); break;             /* clock back */
		case 1: t += (int64_t)(next() % (3 * 86400)); break;      /* forward, maybe days */
		case 2: break;                                            /* repeat */
		default: t += 300; break;
		}
		if (t < 0) t = 0;
		time_t tt = (time_t)t + 946684800;
		struct tm tm;
		gmtime_r(&tt, &tm);
		struct aps_time when = at(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
		struct aps_inverter r[3];
		for (int i = 0; i < 3; i++)
			r[i] = inverter(uids[i], i == 0 ? 2 : 4, (unsigned)(next() % 400), (unsigned)(next() % 400),
			                next() % 8 != 0);
		int32_t d = (int32_t)(t / 86400);
		if (d != date) ecu = 0;
		ecu += (double)(next() % 300);
		bool ok = next() % 4 != 0;
		int f = feed(&s, when, r, next() % 10 == 0 ? 2 : 3, ok, next() % 50 == 0 ? 0 : ecu);
		CHECK(f >= 0);
		bool newday = d != date;
		date = d;
		double sum = 0;
		for (int i = 0; i < 3; i++) {
			const struct esplit_inverter *v = esplit_find(&s, uids[i]);
			if (!v) continue;
			for (unsigned c = 0; c < v->channels; c++) {
				double l = v->ch[c].closed_wh + v->ch[c].today_wh;
				CHECKF(l >= life[i][c], "step %d: lifetime went down %f -> %f", step, life[i][c], l);
				if (!newday) CHECKF(v->ch[c].today_wh >= today[i][c], "step %d: today went down", step);
				life[i][c] = l;
				today[i][c] = v->ch[c].today_wh;
				sum += v->ch[c].today_wh;
			}
		}
		if (f & ESPLIT_RECONCILED) CHECKF(near(sum, ecu), "step %d: sum %f, ECU %f", step, sum, ecu);
		if (step % 97 == 0) {
			/* Saved and read back: the same state. */
			const struct esplit *list[1] = { &s };
			size_t n = energy_image_size(list, 1);
			uint8_t *buf = malloc(n);
			energy_image_encode(list, 1, buf);
			struct esplit *back;
			size_t count;
			char why[128];
			if (CHECK(energy_image_decode(buf, n, &back, &count, why, sizeof(why)) == 0) && CHECK(count == 1)) {
				CHECK(back[0].count == s.count && back[0].date == s.date && back[0].last_s == s.last_s);
				CHECK(memcmp(back[0].inv, s.inv, s.count * sizeof(*s.inv)) == 0);
				esplit_free(&s);
				s = back[0];
				aps_free(back);
			}
			free(buf);
		}
	}
	esplit_free(&s);
}

/* Hostile images: every truncation and many damaged bytes are refused or
 * read within the limits, never read past the end (ASan). */
static void test_hostile_image(void)
{
	struct esplit s;
	esplit_init(&s, "216200000001");
	struct aps_inverter r[2] = { inverter("704000000001", 2, 120, 30, true), inverter("804000000002", 4, 360, 7, true) };
	feed(&s, at(2025, 6, 1, 12, 0), r, 2, false, 0);
	feed(&s, at(2025, 6, 1, 12, 5), r, 2, true, 100);
	const struct esplit *list[1] = { &s };
	size_t n = energy_image_size(list, 1);
	uint8_t *good = malloc(n), *bad = malloc(n + 1);
	energy_image_encode(list, 1, good);
	struct esplit *out;
	size_t count;
	char why[128];
	for (size_t len = 0; len < n; len++)
		CHECKF(energy_image_decode(good, len, &out, &count, why, sizeof(why)) != 0, "cut at %zu accepted", len);
	memcpy(bad, good, n);
	bad[n] = 0;
	CHECK(energy_image_decode(bad, n + 1, &out, &count, why, sizeof(why)) != 0);
	/* An upper-case UID, a NaN, a negative value, 5 channels. */
	size_t uid_at = 4 + 12 + 1 + 4 + 8 + 8 + 4;
	memcpy(bad, good, n);
	bad[uid_at] = 'A';
	CHECK(energy_image_decode(bad, n, &out, &count, why, sizeof(why)) != 0);
	double nan = NAN, neg = -1;
	memcpy(bad, good, n);
	memcpy(bad + uid_at + 12 + 1 + 1 + 8 + 4, &nan, 8);
	CHECK(energy_image_decode(bad, n, &out, &count, why, sizeof(why)) != 0);
	memcpy(bad, good, n);
	memcpy(bad + uid_at + 12 + 1 + 1 + 8 + 4 + 16, &neg, 8);
	CHECK(energy_image_decode(bad, n, &out, &count, why, sizeof(why)) != 0);
	memcpy(bad, good, n);
	bad[uid_at + 12] = 5;
	CHECK(energy_image_decode(bad, n, &out, &count, why, sizeof(why)) != 0);
	for (int k = 0; k < 20000; k++) {
		memcpy(bad, good, n);
		for (int m = 0; m < 1 + (int)(next() % 4); m++) bad[next() % n] ^= (uint8_t)(1 + next() % 255);
		if (energy_image_decode(bad, n, &out, &count, why, sizeof(why)) == 0) {
			for (size_t e = 0; e < count; e++) {
				CHECK(out[e].count <= ESPLIT_INVERTERS_MAX);
				for (size_t i = 0; i < out[e].count; i++)
					for (unsigned c = 0; c < out[e].inv[i].channels; c++)
						CHECK(isfinite(out[e].inv[i].ch[c].closed_wh) && out[e].inv[i].ch[c].closed_wh >= 0);
				esplit_free(&out[e]);
			}
			aps_free(out);
		}
	}
	free(good);
	free(bad);
	esplit_free(&s);
}

int main(void)
{
	test_exact_curves();
	test_repeat_gap_offline();
	test_reconcile();
	test_day_changes();
	test_random();
	test_hostile_image();
	return aps_check_report("test_energy_split");
}
