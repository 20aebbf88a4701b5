// SPDX-License-Identifier: MIT
/*
 * payload.h - the JSON that aps2mqtt users already consume, built from parsed
 * replies.  Shared by the plugin (which publishes it) and `aps-ecu query`
 * (which prints it), so both always say the same thing.  No broker headers.
 */
#ifndef APS_PAYLOAD_H
#define APS_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "aps_protocol.h"
#include "payload_energy.h"

/* The cycle's time, decided once for everything that uses it (the payload's
 * timestamp, the data's age, the energy filter's day): the ECU info's
 * timestamp, else the inverter reply's, with the UTC offset of the configured
 * zone; without one configured, of the ECU's own zone when this system knows
 * it, else of the system zone.  A configured zone that cannot be read gives
 * no offset: never another zone's. */
struct aps_cycle_time {
	bool known;             /* a reply had a time */
	struct aps_time local;  /* the ECU's wall clock */
	bool has_offset;
	int32_t offset_s;       /* of local, east positive */
	int64_t utc_s;          /* seconds since 1970 (UTC), when has_offset */
};

/* What the plugin publishes instead of the ECU's own readings: its energy
 * filter's verdict (plugin/policy/energy.h) and, once night starts, no power. */
struct aps_ecu_values {
	uint32_t current_power_w;
	bool today;                 /* publish today_energy */
	uint32_t today_energy_raw;
	bool lifetime;              /* publish lifetime_energy */
	uint32_t lifetime_energy_raw;
};

void aps_cycle_time(const struct aps_ecu_info *info, const struct aps_inverter_data *inv, const char *zone,
                    struct aps_cycle_time *out);

/* What one poll cycle brought back.  inverters/signals may be NULL when that
 * reply is missing (not answered, or status "no data"). */
struct aps_cycle {
	const struct aps_ecu_info *info;
	const struct aps_inverter_data *inv;      /* NULL: no inverter data */
	const struct aps_inverter *inverters;     /* inv->count records */
	const struct aps_signal *signals;         /* NULL: no signal reply */
	size_t signal_count;
	const char *zone;  /* IANA zone for the timestamp; NULL/"" = ECU's own, then system's */
	const struct aps_cycle_time *time;  /* NULL: found from the above */
	const struct aps_ecu_values *values; /* NULL: the ECU's readings as they are */
	/* Per-inverter energy (payload_energy.h), one per record; NULL: none. */
	const struct aps_energy_values *energy;
};

/* The ECU topic payload: current_power (W), today_energy (kWh), lifetime_energy
 * (kWh; left out when the ECU reports the 0 glitch), timestamp (ISO 8601 with
 * UTC offset when the zone is known; left out when no reply has a time),
 * inverters and inverters_online (counted from the inverter reply when there is
 * one, else as the ECU info says), model, firmware (left out when empty).
 * Returns a new cJSON object (caller frees), or NULL on OOM or NULL info. */
cJSON *aps_payload_ecu(const struct aps_cycle *cycle);

/* One inverter's payload: {"online": false} when offline or type 00; otherwise
 * online, signal (percent, when known), temperature, frequency, power (sum of
 * channels), voltage (mean), panel_N_power, panel_N_voltage, model.
 * Returns a new cJSON object (caller frees), or NULL on OOM or when index is
 * not a record of cycle->inverters. */
cJSON *aps_payload_inverter(const struct aps_cycle *cycle, size_t index);

/* The ISO 8601 time of the cycle ("2024-03-25T18:26:23-07:00"), from the ECU
 * info timestamp, else the inverter reply's.  The offset is that of cycle->zone
 * when set, else of the ECU's zone when this system knows it, else of the
 * system zone.  Returns false when neither time exists, when no offset can be
 * found (cycle->zone unreadable, or no zone at all), or cap is too small. */
bool aps_payload_timestamp(const struct aps_cycle *cycle, char *buf, size_t cap);

#endif
