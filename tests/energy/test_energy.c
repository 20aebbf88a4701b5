// SPDX-License-Identifier: MIT
/*
 * Tests of the energy filter on recorded poll sequences.  Where a sequence
 * follows a public report, the report is named; numbers marked "issue" are
 * in ksheumaker/homeassistant-apsystems_ecur unless another repository is
 * named.  Values the reports do not give (the polls around the glitch) are
 * made up to fit the ones they do give.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aps_check.h"
#include "energy.h"

#define NONE (-1)  /* expected: not published */

/* One poll and what must be published after it. */
struct step {
	const char *stamp;     /* "YYYY-MM-DD hh:mm:ss"; "" when the ECU sent none */
	int64_t now_s;         /* the caller's monotonic clock */
	uint32_t today, lifetime, power;
	int64_t want_today, want_lifetime;  /* raw units, or NONE */
	int want_new;          /* 1 when the poll must count as new data */
	const char *want_note; /* must appear in reason; "" = reason must be empty */
};

#define ROWS(a) (sizeof(a) / sizeof((a)[0]))

static void reading_of(const struct step *s, struct energy_reading *r)
{
	memset(r, 0, sizeof(*r));
	if (s->stamp[0] != '\0') {
		int fields = sscanf(s->stamp, "%d-%d-%d %d:%d:%d", &r->year, &r->month, &r->day,
		                    &r->hour, &r->minute, &r->second);
		CHECKF(fields == 6, "stamp \"%s\" in the table", s->stamp);
	}
	r->now_s = s->now_s;
	r->today_raw = s->today;
	r->lifetime_raw = s->lifetime;
	r->power_w = s->power;
}

static void run(const char *name, const struct step *steps, size_t n)
{
	struct energy_filter f;
	energy_filter_init(&f);

	for (size_t i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		struct energy_reading r;
		struct energy_result out;
		reading_of(s, &r);
		energy_filter_update(&f, &r, &out);

		int64_t today = out.publish_today ? (int64_t)out.today_raw : NONE;
		int64_t lifetime = out.publish_lifetime ? (int64_t)out.lifetime_raw : NONE;
		CHECKF(today == s->want_today, "%s #%zu: today %" PRId64 ", want %" PRId64, name, i,
		       today, s->want_today);
		CHECKF(lifetime == s->want_lifetime, "%s #%zu: lifetime %" PRId64 ", want %" PRId64,
		       name, i, lifetime, s->want_lifetime);
		CHECKF(out.new_data == (s->want_new != 0), "%s #%zu: new_data %d", name, i,
		       out.new_data);
		if (s->want_note[0] == '\0')
			CHECKF(out.reason[0] == '\0', "%s #%zu: unexpected reason \"%s\"", name, i,
			       out.reason);
		else
			CHECKF(strstr(out.reason, s->want_note) != NULL,
			       "%s #%zu: reason \"%s\", want \"%s\"", name, i, out.reason, s->want_note);
	}
}

#define RUN(table) run(#table, table, ROWS(table))

/* A drop to 0 for one poll in the middle of the day, on an ECU-C (issue #193,
 * "Today energy drops to 0 for a couple of minutes"). */
static const struct step drop_to_zero_once[] = {
	{ "2023-06-07 12:50:04", 1000, 1520, 81234, 2480, 1520, 81234, 1, "" },
	{ "2023-06-07 12:55:04", 1300, 1541, 81236, 2510, 1541, 81236, 1, "" },
	{ "2023-06-07 13:00:05", 1600, 0, 81238, 2495, 1541, 81238, 1, "below 15.41 kWh: held back (1 of 3)" },
	{ "2023-06-07 13:05:04", 1900, 1583, 81240, 2530, 1583, 81240, 1, "" },
	{ "2023-06-07 13:10:04", 2200, 1604, 81242, 2470, 1604, 81242, 1, "" },
};

/* Today 0 that stays: an ECU-R that reports 0.0 for the rest of the day
 * (issue #207, "ECU R with QT2 inverters with today energy 0.0"; #185).
 * Published on the third poll; 0 then holds, and later growth counts. */
static const struct step drop_to_zero_persists[] = {
	{ "2023-10-28 11:00:12", 0, 1200, 429400, 3100, 1200, 429400, 1, "" },
	{ "2023-10-28 11:05:12", 300, 0, 429403, 3050, 1200, 429403, 1, "(1 of 3)" },
	{ "2023-10-28 11:10:12", 600, 0, 429405, 3000, 1200, 429405, 1, "(2 of 3)" },
	{ "2023-10-28 11:15:12", 900, 0, 429408, 2980, 0, 429408, 1, "below 12.00 kWh for 3 polls: published" },
	{ "2023-10-28 11:20:12", 1200, 0, 429410, 2990, 0, 429410, 1, "" },
	{ "2023-10-28 11:25:12", 1500, 25, 429413, 3020, 25, 429413, 1, "" },
};

/* One poll with the day's total doubled, then back (issue #183, "the day
 * total comes in place of the total for 19:40"). */
static const struct step doubled_once[] = {
	{ "2023-06-17 19:30:00", 0, 2000, 52000, 400, 2000, 52000, 1, "" },
	{ "2023-06-17 19:35:00", 300, 2003, 52000, 380, 2003, 52000, 1, "" },
	{ "2023-06-17 19:40:00", 600, 4006, 52000, 350, 2003, 52000, 1, "40.06 kWh too far above 20.03 kWh: held back (1 of 3)" },
	{ "2023-06-17 19:45:00", 900, 2009, 52001, 300, 2009, 52001, 1, "" },
};

/* A doubled value that stays is believed on its third poll. */
static const struct step doubled_persists[] = {
	{ "2024-05-02 14:00:00", 0, 2000, 70000, 3000, 2000, 70000, 1, "" },
	{ "2024-05-02 14:05:00", 300, 4000, 70002, 3000, 2000, 70002, 1, "(1 of 3)" },
	{ "2024-05-02 14:10:00", 600, 4025, 70005, 3000, 2000, 70005, 1, "(2 of 3)" },
	{ "2024-05-02 14:15:00", 900, 4050, 70007, 3000, 4050, 70007, 1, "too far above 20.00 kWh for 3 polls: published" },
	{ "2024-05-02 14:20:00", 1200, 4075, 70010, 3000, 4075, 70010, 1, "" },
};

/* Midnight: the new ECU date takes 0 at once; lifetime carries on. */
static const struct step midnight[] = {
	{ "2024-06-21 23:50:00", 0, 3521, 123456, 0, 3521, 123456, 1, "" },
	{ "2024-06-21 23:55:00", 300, 3521, 123456, 0, 3521, 123456, 1, "" },
	{ "2024-06-22 00:00:05", 605, 0, 123456, 0, 0, 123456, 1, "" },
	{ "2024-06-22 00:05:05", 905, 0, 123456, 0, 0, 123456, 1, "" },
	{ "2024-06-22 05:40:05", 21005, 1, 123456, 35, 1, 123456, 1, "" },
};

/* Today reset at 02:00 local, not at midnight (issue #173, ECU-R "resets at
 * UTC time"): yesterday's value is kept through midnight, the 02:00 reset is
 * published on its third poll.  Nothing is counted twice either way. */
static const struct step reset_at_two[] = {
	{ "2023-04-05 23:55:00", 0, 1234, 50000, 0, 1234, 50000, 1, "" },
	{ "2023-04-06 00:00:00", 300, 1234, 50000, 0, 1234, 50000, 1, "" },
	{ "2023-04-06 01:55:00", 7200, 1234, 50000, 0, 1234, 50000, 1, "" },
	{ "2023-04-06 02:00:00", 7500, 0, 50000, 0, 1234, 50000, 1, "(1 of 3)" },
	{ "2023-04-06 02:05:00", 7800, 0, 50000, 0, 1234, 50000, 1, "(2 of 3)" },
	{ "2023-04-06 02:10:00", 8100, 0, 50000, 0, 0, 50000, 1, "for 3 polls: published" },
	{ "2023-04-06 02:15:00", 8400, 0, 50000, 0, 0, 50000, 1, "" },
};

/* The same report: "sometimes it resets at 22:00".  Then midnight is 0 to 0. */
static const struct step reset_at_ten_pm[] = {
	{ "2023-04-06 21:55:00", 0, 1876, 50064, 0, 1876, 50064, 1, "" },
	{ "2023-04-06 22:00:00", 300, 0, 50064, 0, 1876, 50064, 1, "(1 of 3)" },
	{ "2023-04-06 22:05:00", 600, 0, 50064, 0, 1876, 50064, 1, "(2 of 3)" },
	{ "2023-04-06 22:10:00", 900, 0, 50064, 0, 0, 50064, 1, "published" },
	{ "2023-04-07 00:00:00", 7500, 0, 50064, 0, 0, 50064, 1, "" },
};

/* Lifetime 0 for one poll mid-day (issues #126 and #31: "sometimes write a
 * zero in sensor.ecu_lifetime_energy", about 400 kWh). */
static const struct step lifetime_zero_glitch[] = {
	{ "2022-10-19 12:00:00", 0, 800, 4000, 1500, 800, 4000, 1, "" },
	{ "2022-10-19 12:05:00", 300, 812, 0, 1500, 812, 4000, 1, "lifetime_energy 0: not published" },
	{ "2022-10-19 12:10:00", 600, 825, 4002, 1500, 825, 4002, 1, "" },
};

/* A brand-new ECU-B: no timestamp (d0 filler), lifetime 0 for hours, power
 * 0 then 12 W as in captures/ecu-b-2163-new-lifetime0 (issue #113).  Nothing
 * for lifetime until the first 0.1 kWh. */
static const struct step new_ecu_lifetime_zero[] = {
	{ "", 0, 0, 0, 0, 0, NONE, 1, "lifetime_energy 0" },
	{ "", 300, 0, 0, 0, 0, NONE, 0, "" },      /* same values: nothing new */
	{ "", 600, 0, 0, 12, 0, NONE, 1, "lifetime_energy 0" },
	{ "", 900, 1, 0, 35, 1, NONE, 1, "lifetime_energy 0" },
	{ "", 4500, 4, 0, 60, 4, NONE, 1, "lifetime_energy 0" },
	{ "", 4800, 9, 0, 80, 9, NONE, 1, "lifetime_energy 0" },
	{ "", 5100, 10, 1, 82, 10, 1, 1, "" },
	{ "", 5400, 12, 1, 90, 12, 1, 1, "" },
};

/* Lifetime going down by 0.1 kWh: held until the counter passes it again. */
static const struct step lifetime_down_a_little[] = {
	{ "2024-07-01 10:00:00", 0, 900, 12345, 1800, 900, 12345, 1, "" },
	{ "2024-07-01 10:05:00", 300, 915, 12344, 1800, 915, 12345, 1, "1234.4 kWh below 1234.5 kWh: held back" },
	{ "2024-07-01 10:10:00", 600, 930, 12344, 1800, 930, 12345, 1, "held back" },
	{ "2024-07-01 10:15:00", 900, 945, 12344, 1800, 945, 12345, 1, "held back" },
	{ "2024-07-01 10:20:00", 1200, 960, 12346, 1800, 960, 12346, 1, "" },
};

/* The ecu-r-pro-6xqs1 capture (issue #245, ECU_R_PRO_2.1.17): 51.55 kWh at
 * 18:20:23 with 354 W, then today 0 at 18:25:24 with lifetime 23639.8 kWh
 * and 241 W, then "the correct value again". */
static const struct step ecu_r_pro_245[] = {
	{ "2024-03-25 18:15:22", 0, 5140, 236398, 420, 5140, 236398, 1, "" },
	{ "2024-03-25 18:20:23", 301, 5155, 236398, 354, 5155, 236398, 1, "" },
	{ "2024-03-25 18:25:24", 602, 0, 236398, 241, 5155, 236398, 1, "today_energy 0.00 kWh below 51.55 kWh: held back (1 of 3)" },
	{ "2024-03-25 18:30:25", 903, 5157, 236398, 150, 5157, 236398, 1, "" },
	{ "2024-03-25 18:35:26", 1204, 5158, 236399, 90, 5158, 236399, 1, "" },
};

/* poll_interval 1 s: repeats of one ECU refresh change nothing and do not
 * count towards the 3 polls, even while a 0 is being held back. */
static const struct step repeated_polls[] = {
	{ "2024-03-25 12:00:00", 1000, 3000, 236000, 4000, 3000, 236000, 1, "" },
	{ "2024-03-25 12:00:00", 1001, 3000, 236000, 4000, 3000, 236000, 0, "" },
	{ "2024-03-25 12:05:00", 1300, 0, 236003, 4000, 3000, 236003, 1, "(1 of 3)" },
	{ "2024-03-25 12:05:00", 1301, 0, 236003, 4000, 3000, 236003, 0, "" },
	{ "2024-03-25 12:05:00", 1302, 0, 236003, 4000, 3000, 236003, 0, "" },
	{ "2024-03-25 12:05:00", 1303, 0, 236003, 4000, 3000, 236003, 0, "" },
	/* same stamp, other values, soon after: still no new data */
	{ "2024-03-25 12:05:00", 1304, 7777, 0, 9, 3000, 236003, 0, "" },
	{ "2024-03-25 12:10:00", 1600, 0, 236007, 4000, 3000, 236007, 1, "(2 of 3)" },
	{ "2024-03-25 12:10:00", 1601, 0, 236007, 4000, 3000, 236007, 0, "" },
	{ "2024-03-25 12:15:00", 1900, 0, 236010, 4000, 0, 236010, 1, "published" },
};

/* No timestamp (ECU-R info reply, d0 filler, and no inverter reply): our
 * clock stands in, a glitch is still caught, identical replies count nothing. */
static const struct step no_stamp[] = {
	{ "", 0, 2000, 60000, 2000, 2000, 60000, 1, "" },
	{ "", 100, 2010, 60001, 2100, 2000, 60000, 0, "" },  /* under 4 minutes */
	{ "", 300, 2016, 60001, 2100, 2016, 60001, 1, "" },
	{ "", 600, 0, 60002, 2050, 2016, 60002, 1, "(1 of 3)" },
	{ "", 900, 0, 60002, 2050, 2016, 60002, 0, "" },    /* same values */
	{ "", 1200, 2050, 60003, 2000, 2050, 60003, 1, "" },
};

/* The data timestamp stops moving while the values go on changing: after 4
 * minutes on our clock a changed reply counts, so the filter cannot freeze. */
static const struct step frozen_stamp[] = {
	{ "2024-08-01 13:00:00", 0, 1000, 30000, 1000, 1000, 30000, 1, "" },
	{ "2024-08-01 13:00:00", 60, 1008, 30000, 1000, 1000, 30000, 0, "" },
	{ "2024-08-01 13:00:00", 300, 1008, 30000, 1000, 1008, 30000, 1, "" },
	{ "2024-08-01 13:00:00", 600, 1016, 30001, 1000, 1016, 30001, 1, "" },
};

/* A lifetime jump (not reported, but never-down would freeze on it) is held,
 * and believed if it lasts 3 polls. */
static const struct step lifetime_jump[] = {
	{ "2024-05-03 12:00:00", 0, 1500, 70000, 2000, 1500, 70000, 1, "" },
	{ "2024-05-03 12:05:00", 300, 1517, 140000, 2000, 1517, 70000, 1, "lifetime_energy 14000.0 kWh too far above 7000.0 kWh: held back (1 of 3)" },
	{ "2024-05-03 12:10:00", 600, 1534, 70003, 2000, 1534, 70003, 1, "" },
	{ "2024-05-03 12:15:00", 900, 1551, 90000, 2000, 1551, 70003, 1, "(1 of 3)" },
	{ "2024-05-03 12:20:00", 1200, 1568, 90001, 2000, 1568, 70003, 1, "(2 of 3)" },
	{ "2024-05-03 12:25:00", 1500, 1585, 90003, 2000, 1585, 90003, 1, "for 3 polls: published" },
};

/* The plausible-increase limit, to the unit.  5 minutes at 3 kW: 2 x 3000 W
 * x 300 s = 500 Wh, + 100 Wh = 6.0 kWh/100 -> +60 today, +6 (+1) lifetime.
 * With 0 W now the previous poll's 3 kW still counts; with 0 W twice the
 * 100 W floor gives 16 + 100 Wh -> +11 today, +1 (+1) lifetime. */
static const struct step increase_limit[] = {
	{ "2024-05-04 12:00:00", 0, 2000, 70000, 3000, 2000, 70000, 1, "" },
	{ "2024-05-04 12:05:00", 300, 2060, 70007, 3000, 2060, 70007, 1, "" },
	{ "2024-05-04 12:10:00", 600, 2121, 70015, 3000, 2060, 70007, 1, "21.21 kWh too far above 20.60 kWh: held back (1 of 3); lifetime_energy 7001.5 kWh too far above 7000.7 kWh: held back (1 of 3)" },
	/* 15 minutes since 20.60 and 7000.7 were reached: 1500 + 100 Wh */
	{ "2024-05-04 12:20:00", 900, 2220, 70024, 3000, 2220, 70024, 1, "" },
	{ "2024-05-04 12:25:00", 1200, 2280, 70031, 0, 2280, 70031, 1, "" },
	{ "2024-05-04 12:30:00", 1500, 2291, 70033, 0, 2291, 70033, 1, "" },
	{ "2024-05-04 12:35:00", 1800, 2303, 70036, 0, 2291, 70033, 1, "22.91 kWh: held back (1 of 3); lifetime_energy 7003.6 kWh too far" },
};

/* The time in the limit runs from when the published value was reached, not
 * from the last poll: a value that stood still for 20 minutes (inverters
 * reporting late) may then catch up.  And polls closer than 5 minutes of ECU
 * time still get 5 minutes' worth. */
static const struct step increase_limit_time[] = {
	{ "2024-05-05 12:00:00", 0, 1000, 50000, 1000, 1000, 50000, 1, "" },
	{ "2024-05-05 12:05:00", 300, 1000, 50000, 1000, 1000, 50000, 1, "" },
	{ "2024-05-05 12:10:00", 600, 1000, 50000, 1000, 1000, 50000, 1, "" },
	{ "2024-05-05 12:15:00", 900, 1000, 50000, 1000, 1000, 50000, 1, "" },
	/* 1200 s x 2 x 1000 W = 667 Wh + 100 -> +76 today, +7 (+1) lifetime */
	{ "2024-05-05 12:20:00", 1200, 1076, 50008, 1000, 1076, 50008, 1, "" },
	{ "2024-05-05 12:21:00", 1260, 1102, 50010, 1000, 1102, 50010, 1, "" },
};

/* Calendar: 29 February 2024 is a new date; 29 February 2023 is no date at
 * all, so that poll carries no date and the drop waits for 3 polls. */
static const struct step calendar[] = {
	{ "2024-02-28 23:55:00", 0, 500, 1000, 0, 500, 1000, 1, "" },
	{ "2024-02-29 00:00:00", 300, 0, 1000, 0, 0, 1000, 1, "" },
	{ "2024-02-29 23:55:00", 400, 400, 1000, 0, 400, 1000, 1, "" },
	{ "2024-03-01 00:00:00", 450, 0, 1000, 0, 0, 1000, 1, "" },
	{ "2023-02-28 23:55:00", 600, 500, 1000, 0, 500, 1000, 1, "" },  /* clock set back: new date */
	{ "2023-02-29 00:00:00", 900, 0, 1000, 0, 500, 1000, 1, "(1 of 3)" },
	{ "2023-12-31 23:55:00", 1200, 700, 1000, 0, 700, 1000, 1, "" },
	{ "2024-01-01 00:00:00", 1500, 0, 1000, 0, 0, 1000, 1, "" },
	{ "2024-12-31 23:55:00", 1800, 300, 1000, 0, 300, 1000, 1, "" },
	{ "2025-01-01 00:00:00", 2100, 0, 1000, 0, 0, 1000, 1, "" },
};

/* A sunny day, every 5 minutes from 05:00 to 22:00: the ECU's own values are
 * published unchanged, and nothing is ever held back. */
static void test_sunny_day(void)
{
	struct energy_filter f;
	energy_filter_init(&f);
	uint64_t wh = 0;          /* energy today, Wh */
	uint32_t lifetime0 = 345678;
	int bad = 0, polls = 0;

	for (int minute = 5 * 60; minute <= 22 * 60; minute += 5, polls++) {
		/* a bell-shaped day, 07:00 to 20:00, peaking at 5.2 kW at 13:30 */
		int d = minute - 13 * 60 - 30;
		int power = 5200 - d * d / 30;
		if (power < 0) power = 0;
		wh += (uint64_t)power * 5 / 60;

		struct energy_reading r = { .year = 2024, .month = 6, .day = 21,
		                            .hour = minute / 60, .minute = minute % 60, .second = 7,
		                            .now_s = minute * 60, .power_w = (uint32_t)power };
		r.today_raw = (uint32_t)(wh / 10);
		r.lifetime_raw = lifetime0 + (uint32_t)(wh / 100);
		struct energy_result out;
		energy_filter_update(&f, &r, &out);
		if (!out.new_data || !out.publish_today || out.today_raw != r.today_raw ||
		    !out.publish_lifetime || out.lifetime_raw != r.lifetime_raw || out.reason[0]) {
			if (bad++ < 3)
				printf("sunny day %02d:%02d: today %u/%u lifetime %u/%u \"%s\"\n",
				       minute / 60, minute % 60, out.today_raw, r.today_raw,
				       out.lifetime_raw, r.lifetime_raw, out.reason);
		}
	}
	CHECKF(bad == 0, "%d of %d polls changed", bad, polls);
	CHECKF(wh > 30000 && wh < 60000, "the day made %" PRIu64 " Wh", wh);
}

/* Ten minutes of 1-second polls of one refresh change nothing. */
static void test_many_repeats(void)
{
	struct energy_filter f;
	struct energy_result out;
	struct energy_reading r = { 2024, 3, 25, 12, 0, 0, 0, 3000, 236000, 4000 };
	energy_filter_init(&f);
	energy_filter_update(&f, &r, &out);
	r.minute = 5;
	r.today_raw = 0;
	energy_filter_update(&f, &r, &out);
	CHECKF(strstr(out.reason, "(1 of 3)") != NULL, "reason \"%s\"", out.reason);

	int counted = 0;
	for (int i = 1; i <= 600; i++) {
		r.now_s = 300 + i;
		energy_filter_update(&f, &r, &out);
		counted += out.new_data || out.reason[0] || out.today_raw != 3000;
	}
	CHECKF(counted == 0, "%d repeats changed something", counted);
	r.minute = 10;
	energy_filter_update(&f, &r, &out);
	CHECKF(strstr(out.reason, "(2 of 3)") != NULL, "reason \"%s\"", out.reason);
}

/* Hostile or absurd inputs: no overflow (the sanitized build checks), and
 * out-of-range times are treated as missing. */
static void test_extremes(void)
{
	static const int bad_times[][6] = {
		{ 1999, 12, 31, 23, 59, 59 }, { 2100, 1, 1, 0, 0, 0 }, { 2024, 0, 1, 0, 0, 0 },
		{ 2024, 13, 1, 0, 0, 0 },     { 2024, 4, 31, 0, 0, 0 }, { 2024, 1, 1, 24, 0, 0 },
		{ 2024, 1, 1, 0, 60, 0 },     { 2024, 1, 1, 0, 0, 60 }, { 2024, 1, 1, -1, 0, 0 },
		{ -2147483647 - 1, 1, 1, 0, 0, 0 },
	};
	const int64_t clocks[] = { INT64_MIN, -1, 0, INT64_MAX, 0, INT64_MAX, INT64_MIN };
	struct energy_filter f;
	struct energy_result out;
	energy_filter_init(&f);

	for (size_t i = 0; i < ROWS(clocks); i++) {
		struct energy_reading r = { 2024, 6, 21, 12, (int)i, 0, clocks[i], UINT32_MAX,
		                            UINT32_MAX, UINT32_MAX };
		if (i % 2) r.today_raw = r.lifetime_raw = 1;
		energy_filter_update(&f, &r, &out);
		CHECKF(out.new_data, "clock %zu", i);
		CHECKF(strlen(out.reason) < sizeof(out.reason), "reason length");
	}
	/* the same without timestamps: only our clock measures time */
	energy_filter_init(&f);
	for (size_t i = 0; i < ROWS(clocks); i++) {
		struct energy_reading r = { .now_s = clocks[i], .today_raw = UINT32_MAX - (uint32_t)i,
		                            .lifetime_raw = (uint32_t)i, .power_w = UINT32_MAX };
		energy_filter_update(&f, &r, &out);
		CHECKF(out.publish_today && out.today_raw >= UINT32_MAX - i, "clock %zu", i);
	}
	for (size_t i = 0; i < ROWS(bad_times); i++) {
		struct energy_filter g;
		energy_filter_init(&g);
		struct energy_reading r = { 2024, 6, 21, 12, 0, 0, 0, 100, 100, 100 };
		energy_filter_update(&g, &r, &out);
		/* Same values under a bad time: read as a timestamp it would differ
		 * from 12:00:00 and count; read as missing it must not. */
		r.year = bad_times[i][0], r.month = bad_times[i][1], r.day = bad_times[i][2];
		r.hour = bad_times[i][3], r.minute = bad_times[i][4], r.second = bad_times[i][5];
		r.now_s = 600;
		energy_filter_update(&g, &r, &out);
		CHECKF(!out.new_data, "bad time #%zu read as a timestamp", i);
		CHECKF(out.today_raw == 100 && out.lifetime_raw == 100, "bad time #%zu", i);
	}
}

int main(void)
{
	RUN(drop_to_zero_once);
	RUN(drop_to_zero_persists);
	RUN(doubled_once);
	RUN(doubled_persists);
	RUN(midnight);
	RUN(reset_at_two);
	RUN(reset_at_ten_pm);
	RUN(lifetime_zero_glitch);
	RUN(new_ecu_lifetime_zero);
	RUN(lifetime_down_a_little);
	RUN(ecu_r_pro_245);
	RUN(repeated_polls);
	RUN(no_stamp);
	RUN(frozen_stamp);
	RUN(lifetime_jump);
	RUN(calendar);
	RUN(increase_limit);
	RUN(increase_limit_time);
	test_sunny_day();
	test_many_repeats();
	test_extremes();

	return aps_check_report("test_energy");
}
