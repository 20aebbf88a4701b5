// SPDX-License-Identifier: MIT
/*
 * energy_split.h - energy per inverter and per panel, from the ECU's samples.
 *
 * The ECU reports energy only for the whole installation.  Per panel
 * (channel) we integrate its power over the ECU's inverter-data timestamps,
 * one sample per refresh, by the trapezoid rule; a gap longer than the cap
 * (a night pause, a broker down for a while, an ECU that stopped answering)
 * is not bridged, and a date change is never bridged.  An offline inverter's
 * power is 0.
 *
 * The ECU's today_energy is the authority: whenever it is plausible (the
 * glitch filter of energy.h accepted it), the panels' published today values
 * are the integrals scaled by one common factor g, chosen so that
 *     sum over panels of max(published so far, integral * g) == ECU today.
 * The max() is there because a published today value never goes down within
 * an ECU date (Home Assistant reads a drop as a meter reset); g is found by
 * bisection, the sum being monotonic in g.  When the ECU's figure is not
 * plausible, or already below what was published, the last g carries on.
 *
 * Lifetime per panel = its closed days + today.  A day closes when the date
 * of the ECU's own clock changes (in either direction: an ECU whose clock
 * fell back to 2000 has reset its own today too); today moves into closed,
 * so lifetime never decreases.  Inverter today/lifetime = sum of its panels.
 *
 * Pure: no clock, no I/O; memory through alloc.h.
 */
#ifndef APS_ENERGY_SPLIT_H
#define APS_ENERGY_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aps_protocol.h"

#define ESPLIT_CHANNELS APS_MAX_CHANNELS
/* Per ECU: the protocol's record count is 16 bits, but no ECU manages more
 * than a few hundred; this bounds what a hostile state file can ask for. */
#define ESPLIT_INVERTERS_MAX 1000
/* An inverter missing from the ECU's list keeps its energy this many ECU
 * days (a reply cut short must not reset anyone's lifetime), then is dropped. */
#define ESPLIT_KEEP_DAYS 7
/* Default gap cap, seconds: three missed 5-minute refreshes. */
#define ESPLIT_GAP_CAP_S 900

struct esplit_channel {
	double raw_wh;     /* today's integral, as measured */
	double today_wh;   /* today's published value: reconciled, never lower within a day */
	double closed_wh;  /* the closed days' published today values, summed */
	double last_w;     /* power at the inverter's last sample */
};

struct esplit_inverter {
	char uid[APS_UID_LEN + 1];
	uint8_t channels;          /* channels[] in use: the most it ever reported */
	bool sampled;              /* last_s and the channels' last_w hold a sample */
	int64_t last_s;            /* ECU time of that sample (seconds since 2000) */
	int32_t seen_date;         /* ECU date it was last listed (days since 2000) */
	struct esplit_channel ch[ESPLIT_CHANNELS];
};

struct esplit {
	char ecu_id[APS_ECU_ID_LEN + 1];
	bool dated;
	int32_t date;              /* the ECU's current date, days since 2000-01-01 */
	bool have_last;
	int64_t last_s;            /* the last inverter-data timestamp fed */
	double factor;             /* the last reconciliation factor g (1 before any) */
	size_t count, cap;
	struct esplit_inverter *inv; /* sorted by uid */
};

/* One poll's inverter data, and the ECU's today figure. */
struct esplit_sample {
	struct aps_time time;               /* the inverter data's timestamp */
	const struct aps_inverter *inv;
	size_t count;
	bool ecu_today_ok;                  /* the filter accepted the ECU's today figure */
	struct aps_time ecu_time;           /* its timestamp (year 0: same as time) */
	double ecu_today_wh;
};

/* What esplit_feed did. */
enum {
	ESPLIT_CHANGED = 1,     /* some value changed: worth saving */
	ESPLIT_DAY_CLOSED = 2,  /* the ECU's date changed */
	ESPLIT_RECONCILED = 4,  /* scaled to the ECU's figure */
	ESPLIT_NOT_BRIDGED = 8, /* a gap, a repeat or a clock that went back: nothing integrated */
};

void esplit_init(struct esplit *s, const char *ecu_id);
void esplit_free(struct esplit *s);

/* Feeds one poll.  gap_cap_s: the longest gap bridged.  Returns ESPLIT_*
 * flags, or -1 when memory ran out (s is then unchanged but for the
 * inverters already added) or the timestamp is invalid (s unchanged). */
int esplit_feed(struct esplit *s, const struct esplit_sample *in, int64_t gap_cap_s);

const struct esplit_inverter *esplit_find(const struct esplit *s, const char *uid);

/* Sums over an inverter's channels, Wh. */
double esplit_today_wh(const struct esplit_inverter *v);
double esplit_lifetime_wh(const struct esplit_inverter *v);
double esplit_raw_wh(const struct esplit_inverter *v);

/* Adds an inverter as read from a state file (kept sorted; replaces one with
 * the same uid).  Returns 0, or -1 (memory, or ESPLIT_INVERTERS_MAX). */
int esplit_put(struct esplit *s, const struct esplit_inverter *v);

/* ECU local wall time as seconds since 2000-01-01 00:00; false when invalid. */
bool esplit_seconds(const struct aps_time *t, int64_t *out);

#endif
