// SPDX-License-Identifier: MIT
/*
 * energy.c - the filter described in energy.h.
 */
#include "energy.h"

#include "civil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Without a timestamp, a poll counts at most this often: a little under the
 * ECU's 5-minute refresh, so one poll per refresh counts despite jitter. */
#define NO_STAMP_MIN_GAP_S 240
#define MIN_ELAPSED_S 300
#define POWER_FLOOR_W 100u
#define SLACK_WH 100u
/* Caps that keep 2 * P * t far inside 64 bits whatever the caller's clock
 * says: 10 MW is far above any ECU's inverters, a year above any real gap. */
#define POWER_CAP_W 10000000u
#define ELAPSED_CAP_S (366 * 86400)

enum verdict { ACCEPT, LOWER, TOO_HIGH };

/* The ECU's time as seconds since 2000-01-01 00:00 of its own wall clock, or
 * false when it sent none.  Years stop at 2099, as in the protocol. */
static bool ecu_seconds(const struct energy_reading *in, int64_t *out)
{
	if (in->year < 2000 || in->year > 2099 || in->month < 1 || in->month > 12) return false;
	if (in->day < 1 || in->day > aps_days_in_month(in->year, in->month)) return false;
	if (in->hour < 0 || in->hour > 23 || in->minute < 0 || in->minute > 59) return false;
	if (in->second < 0 || in->second > 59) return false;

	int64_t days = aps_days_from_civil(in->year, in->month, in->day) - aps_days_from_civil(2000, 1, 1);
	*out = days * 86400 + in->hour * 3600 + in->minute * 60 + in->second;
	return true;
}

/* Seconds of the caller's clock from a to b: 0 if it went back, at most
 * ELAPSED_CAP_S, and computed unsigned so no value of it can overflow. */
static int64_t clock_gap(int64_t a, int64_t b)
{
	if (b <= a) return 0;
	uint64_t gap = (uint64_t)b - (uint64_t)a;
	return gap > ELAPSED_CAP_S ? ELAPSED_CAP_S : (int64_t)gap;
}

/* Seconds from a to b: ECU time when both have it and it moved forward,
 * else our clock; at least MIN_ELAPSED_S.  ECU times span under a century,
 * so 2 x POWER_CAP_W x the result stays far inside 64 bits. */
static int64_t elapsed_s(const struct energy_moment *a, const struct energy_moment *b)
{
	int64_t t;

	if (a->stamped && b->stamped && b->ecu_s > a->ecu_s) t = b->ecu_s - a->ecu_s;
	else t = clock_gap(a->now_s, b->now_s);
	return t < MIN_ELAPSED_S ? MIN_ELAPSED_S : t;
}

/* Most energy (Wh) that can plausibly have been produced since *since. */
static uint64_t plausible_wh(const struct energy_filter *f, const struct energy_reading *in,
                             const struct energy_moment *since, const struct energy_moment *now)
{
	uint64_t power = POWER_FLOOR_W;

	if (in->power_w > power) power = in->power_w;
	if (f->last_power_w > power) power = f->last_power_w;
	if (power > POWER_CAP_W) power = POWER_CAP_W;
	return 2 * power * (uint64_t)elapsed_s(since, now) / 3600 + SLACK_WH;
}

static enum verdict judge(const struct energy_track *t, uint32_t raw, uint64_t limit)
{
	if (raw < t->raw) return LOWER;
	if (raw > limit) return TOO_HIGH;
	return ACCEPT;
}

static void accept(struct energy_track *t, uint32_t raw, const struct energy_moment *now)
{
	if (!t->have || raw != t->raw) t->since = *now;
	t->have = true;
	t->raw = raw;
	t->held = 0;
}

/* Appends one clause to out->reason, "; "-separated, truncating safely. */
static void say(struct energy_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(struct energy_result *out, const char *fmt, ...)
{
	size_t used = strlen(out->reason);
	va_list ap;

	if (used > 0 && used + 2 < sizeof(out->reason)) {
		memcpy(out->reason + used, "; ", 3);
		used += 2;
	}
	if (used + 1 >= sizeof(out->reason)) return;
	va_start(ap, fmt);
	vsnprintf(out->reason + used, sizeof(out->reason) - used, fmt, ap);
	va_end(ap);
}

static void filter_today(struct energy_filter *f, const struct energy_reading *in,
                         const struct energy_moment *now, struct energy_result *out)
{
	struct energy_track *t = &f->today;
	uint32_t raw = in->today_raw;

	if (!t->have) {
		accept(t, raw, now);
		return;
	}
	/* today is in 10 Wh units */
	uint64_t limit = t->raw + plausible_wh(f, in, &t->since, now) / 10;
	enum verdict v = judge(t, raw, limit);
	if (v == ACCEPT) {
		accept(t, raw, now);
		return;
	}

	const char *why = v == LOWER ? "below" : "too far above";
	uint32_t was = t->raw;
	if (++t->held >= ENERGY_PERSIST_POLLS) {
		accept(t, raw, now);
		say(out, "today_energy %u.%02u kWh, %s %u.%02u kWh for %d polls: published",
		    raw / 100, raw % 100, why, was / 100, was % 100, ENERGY_PERSIST_POLLS);
		return;
	}
	say(out, "today_energy %u.%02u kWh %s %u.%02u kWh: held back (%u of %d)", raw / 100,
	    raw % 100, why, was / 100, was % 100, t->held, ENERGY_PERSIST_POLLS);
}

static void filter_lifetime(struct energy_filter *f, const struct energy_reading *in,
                            const struct energy_moment *now, struct energy_result *out)
{
	struct energy_track *t = &f->lifetime;
	uint32_t raw = in->lifetime_raw;

	if (raw == 0) {
		t->held = 0;
		say(out, "lifetime_energy 0: not published (glitch, or new ECU)");
		return;
	}
	if (!t->have) {
		accept(t, raw, now);
		return;
	}
	/* lifetime is in 100 Wh units and truncated: one more unit of slack */
	uint64_t limit = t->raw + plausible_wh(f, in, &t->since, now) / 100 + 1;
	switch (judge(t, raw, limit)) {
	case ACCEPT:
		accept(t, raw, now);
		return;
	case LOWER:
		t->held = 0;
		say(out, "lifetime_energy %u.%u kWh below %u.%u kWh: held back", raw / 10, raw % 10,
		    t->raw / 10, t->raw % 10);
		return;
	case TOO_HIGH:
		break;
	}

	uint32_t was = t->raw;
	if (++t->held >= ENERGY_PERSIST_POLLS) {
		accept(t, raw, now);
		say(out, "lifetime_energy %u.%u kWh, too far above %u.%u kWh for %d polls: published",
		    raw / 10, raw % 10, was / 10, was % 10, ENERGY_PERSIST_POLLS);
		return;
	}
	say(out, "lifetime_energy %u.%u kWh too far above %u.%u kWh: held back (%u of %d)",
	    raw / 10, raw % 10, was / 10, was % 10, t->held, ENERGY_PERSIST_POLLS);
}

static bool brings_new_data(const struct energy_filter *f, const struct energy_reading *in,
                            const struct energy_moment *now)
{
	if (!f->seen) return true;
	if (now->stamped && f->last.stamped && now->ecu_s != f->last.ecu_s) return true;
	/* No timestamp, or the same one: only changed values, not too often. */
	bool changed = in->today_raw != f->last_today_raw ||
	               in->lifetime_raw != f->last_lifetime_raw || in->power_w != f->last_power_w;
	return changed && clock_gap(f->last.now_s, now->now_s) >= NO_STAMP_MIN_GAP_S;
}

void energy_filter_init(struct energy_filter *f)
{
	memset(f, 0, sizeof(*f));
}

void energy_filter_update(struct energy_filter *f, const struct energy_reading *in,
                          struct energy_result *out)
{
	struct energy_moment now = { .now_s = in->now_s };

	memset(out, 0, sizeof(*out));
	now.stamped = ecu_seconds(in, &now.ecu_s);
	out->new_data = brings_new_data(f, in, &now);

	if (out->new_data) {
		if (now.stamped) {
			int32_t date = (int32_t)(now.ecu_s / 86400);
			/* A new ECU date starts a new day: whatever today says is right. */
			if (f->dated && date != f->date) {
				f->today.have = false;
				f->today.held = 0;
			}
			f->dated = true;
			f->date = date;
		}
		filter_today(f, in, &now, out);
		filter_lifetime(f, in, &now, out);
		f->seen = true;
		f->last = now;
		f->last_today_raw = in->today_raw;
		f->last_lifetime_raw = in->lifetime_raw;
		f->last_power_w = in->power_w;
	}

	out->publish_today = f->today.have;
	out->today_raw = f->today.raw;
	out->publish_lifetime = f->lifetime.have;
	out->lifetime_raw = f->lifetime.raw;
}
