// SPDX-License-Identifier: MIT
/*
 * energy.h - which today_energy and lifetime_energy values we publish.
 *
 * Home Assistant's Energy dashboard reads both as state_class
 * total_increasing: a value that goes down is taken as a meter reset, so when
 * it comes back up, the whole amount is counted again as new production.
 * APsystems ECUs sometimes report values that are plainly wrong for one or a
 * few polls (public reports in ksheumaker/homeassistant-apsystems_ecur):
 * today energy 0 for one poll (#245 ECU-R-PRO, #193 ECU-C), a day counted
 * twice (#183), today reset at 02:00 or 22:00 instead of midnight (#173),
 * lifetime energy 0 (#31, #126), and a brand-new ECU reporting lifetime 0 for
 * hours (#113).  Each ECU gets one filter that decides, poll by poll, what to
 * publish.  The rule:
 *
 * New data.  A poll counts only when it brings new data: the ECU's data
 * timestamp differs from that of the last poll that counted.  A poll with the
 * same timestamp (poll_interval shorter than the ECU's 5-minute refresh)
 * changes nothing, publishes the same values again and counts for nothing.
 * When the ECU sends no timestamp (ECU-B/ECU-R send d0d0.. filler; pass the
 * inverter data timestamp instead when there is one), or when the timestamp
 * stays the same, a poll counts if its values differ from those of the last
 * poll that counted and at least 4 minutes have passed on our own clock.
 *
 * Plausible increase.  Between the reading currently published and a new
 * one, energy can grow by at most 2 x P x t + 0.1 kWh, where P is the larger
 * of the current power, the power at the previous poll and 100 W, and t is
 * the time since the published value was reached (from the ECU's
 * timestamps, or our clock when they are missing), at least 5 minutes.
 *
 * today_energy.  Within one ECU date it never goes down.  A reading lower
 * than the published value, or higher than the plausible increase allows, is
 * held back: the published value is sent again.  If such readings (of
 * either kind) come on 3 polls in a row, the third one is published: the ECU
 * really did reset, or really did produce that much.  When the date in the ECU's timestamp
 * changes, any reading is published (0 just after midnight is right).
 *
 * lifetime_energy.  0 is never published: it is either a glitch or a new ECU
 * that has produced nothing yet, so nothing is published for lifetime until
 * the ECU reports a value above 0.  It never goes down: a lower reading is held
 * back for as long as it lasts.  A higher reading than the plausible increase
 * allows is held back like today's, and published after 3 polls in a row.
 *
 * Never stuck.  today_energy: at most 2 polls in a row are held back; the
 * third is published whatever it says.  lifetime_energy: the only value held
 * for longer is a lower one, which ends as soon as the ECU's counter passes the
 * published value again.  A lifetime counter that really restarted (an ECU
 * reset to factory settings under the same id) is published again only after
 * the filter is reset, e.g. by a broker restart.  Everything else the filter
 * holds back is bounded by 3 polls with new data.  The filter keeps no value
 * across restarts; the first reading after a start is published as it is.
 *
 * Pure arithmetic: no allocation, no clock, no I/O.  The state lives in the
 * caller's struct energy_filter, one per ECU.
 */
#ifndef APS_ENERGY_H
#define APS_ENERGY_H

#include <stdbool.h>
#include <stdint.h>

#define ENERGY_PERSIST_POLLS 3
#define ENERGY_REASON_MAX 160

/* One successful poll of one ECU. */
struct energy_reading {
	/* The ECU's data time, its local wall clock.  year 0 (or any field out
	 * of range) means the ECU sent none. */
	int year, month, day, hour, minute, second;
	int64_t now_s;          /* the caller's monotonic clock, in seconds */
	uint32_t today_raw;     /* 0.01 kWh units */
	uint32_t lifetime_raw;  /* 0.1 kWh units */
	uint32_t power_w;
};

/* What to publish for that poll. */
struct energy_result {
	bool new_data;           /* the poll counted (see "New data") */
	bool publish_today;
	uint32_t today_raw;      /* 0.01 kWh units */
	bool publish_lifetime;   /* false until the ECU reports lifetime > 0 */
	uint32_t lifetime_raw;   /* 0.1 kWh units */
	/* Empty, or one line saying what was held back or published after being
	 * held back, for a log line.  Only set on polls with new data. */
	char reason[ENERGY_REASON_MAX];
};

/* When a value was accepted: the ECU's time and ours. */
struct energy_moment {
	bool stamped;       /* ecu_s is known */
	int64_t ecu_s;      /* ECU local time, seconds since 2000-01-01 00:00 */
	int64_t now_s;
};

/* One published value and how long its challengers have lasted. */
struct energy_track {
	bool have;                   /* a value has been accepted */
	uint32_t raw;                /* the value published */
	struct energy_moment since;  /* when raw was first reached */
	unsigned held;               /* polls with new data held back in a row */
};

/* Per-ECU state.  Zero it, or call energy_filter_init(), before the first
 * poll; the fields are private to energy.c. */
struct energy_filter {
	bool seen;                   /* a poll has counted */
	struct energy_moment last;   /* the last poll that counted */
	uint32_t last_today_raw, last_lifetime_raw, last_power_w;
	bool dated;
	int32_t date;                /* ECU date of the last stamped poll, days since 2000-01-01 */
	struct energy_track today, lifetime;
};

void energy_filter_init(struct energy_filter *f);

/* Feeds one poll into f and fills *out with what to publish.  Never fails. */
void energy_filter_update(struct energy_filter *f, const struct energy_reading *in,
                          struct energy_result *out);

#endif
