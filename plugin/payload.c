// SPDX-License-Identifier: MIT
/*
 * payload.c - aps2mqtt v2 compatible JSON from one poll cycle.
 *
 * Key names, units and scaling are what aps2mqtt users' dashboards already
 * read (see APS2MQTT-COMPAT.md); the additions (timestamp, model, firmware,
 * counts) are new keys, so old templates keep working.
 */
#include "payload.h"

#include <stdio.h>
#include <string.h>

#include "tz.h"

/* Adds item under key and says whether it worked, so callers can chain with
 * &&.  Every key is a string literal, so cJSON keeps a pointer to it instead
 * of a copy: half the allocations of a payload (tests/bench). */
static bool add_item(cJSON *obj, const char *key, cJSON *item)
{
	if (item != NULL && cJSON_AddItemToObjectCS(obj, key, item)) return true;
	cJSON_Delete(item);
	return false;
}

static bool add_number(cJSON *obj, const char *key, double value)
{
	return add_item(obj, key, cJSON_CreateNumber(value));
}

static bool add_string(cJSON *obj, const char *key, const char *value)
{
	return add_item(obj, key, cJSON_CreateString(value));
}

/*
 * The zone for the ECU's wall-clock time.  A zone the owner configured wins
 * outright: if it cannot be read we give no offset rather than silently use
 * another zone.  The ECU's own zone comes next, when it names a zone this
 * system knows (ECUs send whatever was picked in the app, sometimes nothing).
 * Then the system zone.
 */
static bool cycle_offset(const struct aps_cycle *cycle, const struct aps_time *t, int32_t *offset)
{
	const char *ecu_zone = cycle->info != NULL ? cycle->info->zone : "";
	if (cycle->zone != NULL && cycle->zone[0] != '\0')
		return aps_tz_offset_local(cycle->zone, t->year, t->month, t->day, t->hour, t->minute,
		                           t->second, offset) == 0;
	if (ecu_zone[0] != '\0' && aps_tz_name_valid(ecu_zone) &&
	    aps_tz_offset_local(ecu_zone, t->year, t->month, t->day, t->hour, t->minute, t->second,
	                        offset) == 0)
		return true;
	return aps_tz_offset_local(NULL, t->year, t->month, t->day, t->hour, t->minute, t->second,
	                           offset) == 0;
}

bool aps_payload_timestamp(const struct aps_cycle *cycle, char *buf, size_t cap)
{
	const struct aps_time *t;
	if (cycle == NULL || buf == NULL || cap == 0) return false;
	if (cycle->info != NULL && cycle->info->has_timestamp) t = &cycle->info->timestamp;
	else if (cycle->inv != NULL) t = &cycle->inv->timestamp;
	else return false;

	int n = snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02u", (unsigned)t->year,
	                 (unsigned)t->month, (unsigned)t->day, (unsigned)t->hour, (unsigned)t->minute,
	                 (unsigned)t->second);
	if (n < 0 || (size_t)n >= cap) return false;

	/* Without an offset the time means nothing to a reader elsewhere (Home
	 * Assistant rejects it for a timestamp sensor): better none at all. */
	int32_t offset;
	if (!cycle_offset(cycle, t, &offset)) return false;
	char sign = offset < 0 ? '-' : '+';
	int32_t a = offset < 0 ? -offset : offset;
	int m;
	if (a % 60 == 0)
		m = snprintf(buf + n, cap - (size_t)n, "%c%02d:%02d", sign, (int)(a / 3600),
		             (int)(a / 60 % 60));
	else  /* only pre-1900 local mean times have seconds; ISO 8601 readers mostly accept this */
		m = snprintf(buf + n, cap - (size_t)n, "%c%02d:%02d:%02d", sign, (int)(a / 3600),
		             (int)(a / 60 % 60), (int)(a % 60));
	return m >= 0 && (size_t)m < cap - (size_t)n;
}

/* Counts from the reply that carries the records: ECU-R-PRO's info says 0 inverters. */
static void inverter_counts(const struct aps_cycle *cycle, double *total, double *online)
{
	const struct aps_inverter_data *inv = cycle->inv;
	if (inv == NULL || cycle->inverters == NULL) {
		*total = cycle->info->inverters;
		*online = cycle->info->inverters_online;
		return;
	}
	/* When an unknown type cut the array short, the declared count is still the truth. */
	*total = (double)(inv->truncated && inv->count_declared > inv->count ? inv->count_declared
	                                                                     : inv->count);
	size_t up = 0;
	for (size_t i = 0; i < inv->count; i++)
		if (cycle->inverters[i].online && strcmp(cycle->inverters[i].type, "00") != 0) up++;
	*online = (double)up;
}

cJSON *aps_payload_ecu(const struct aps_cycle *cycle)
{
	if (cycle == NULL || cycle->info == NULL) return NULL;
	const struct aps_ecu_info *info = cycle->info;
	cJSON *obj = cJSON_CreateObject();
	if (obj == NULL) return NULL;

	char stamp[40];
	double total, online;
	inverter_counts(cycle, &total, &online);
	bool ok = add_number(obj, "current_power", info->current_power_w) &&
	          add_number(obj, "today_energy", info->today_energy_raw / 100.0);
	/* A 0 lifetime is a firmware glitch or a brand-new ECU: publishing it would
	 * make a total_increasing sensor drop to zero, so the key is left out. */
	if (ok && !info->lifetime_glitch)
		ok = add_number(obj, "lifetime_energy", info->lifetime_energy_raw / 10.0);
	if (ok && aps_payload_timestamp(cycle, stamp, sizeof(stamp)))
		ok = add_string(obj, "timestamp", stamp);
	ok = ok && add_number(obj, "inverters", total) && add_number(obj, "inverters_online", online) &&
	     add_string(obj, "model", aps_ecu_model(info->ecu_id));
	if (ok && info->firmware[0] != '\0')
		ok = add_string(obj, "firmware", info->firmware);
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* The signal reply lists inverters by UID, in its own order: mostly the
 * inverter reply's, so that place is tried first (a search for each of 80
 * inverters was a tenth of a poll cycle's CPU time). */
static const struct aps_signal *find_signal(const struct aps_cycle *cycle, size_t index, const char *uid)
{
	if (cycle->signals == NULL) return NULL;
	if (index < cycle->signal_count && strcmp(cycle->signals[index].uid, uid) == 0) return &cycle->signals[index];
	for (size_t i = 0; i < cycle->signal_count; i++)
		if (strcmp(cycle->signals[i].uid, uid) == 0) return &cycle->signals[i];
	return NULL;
}

/* Literals, as add_item() wants its keys. */
static const char *const power_keys[APS_MAX_CHANNELS] = { "panel_1_power", "panel_2_power", "panel_3_power",
                                                          "panel_4_power" };
static const char *const voltage_keys[APS_MAX_VOLTAGES] = { "panel_1_voltage", "panel_2_voltage",
                                                            "panel_3_voltage" };

static bool add_measurements(cJSON *obj, const struct aps_cycle *cycle, size_t index)
{
	const struct aps_inverter *r = &cycle->inverters[index];
	const struct aps_signal *sig = find_signal(cycle, index, r->uid);
	unsigned channels = r->channels <= APS_MAX_CHANNELS ? r->channels : APS_MAX_CHANNELS;
	unsigned voltages = r->voltages <= APS_MAX_VOLTAGES ? r->voltages : APS_MAX_VOLTAGES;
	double power = 0, voltage_sum = 0;

	for (unsigned i = 0; i < channels; i++) power += r->power_w[i];
	for (unsigned i = 0; i < voltages; i++) voltage_sum += r->voltage_v[i];

	if (!add_item(obj, "online", cJSON_CreateTrue())) return false;
	if (sig != NULL && !add_number(obj, "signal", aps_signal_percent(sig->strength))) return false;
	if (!add_number(obj, "temperature", r->temperature_c) ||
	    !add_number(obj, "frequency", r->frequency_raw / 10.0) || !add_number(obj, "power", power))
		return false;
	if (voltages > 0 && !add_number(obj, "voltage", voltage_sum / voltages)) return false;
	for (unsigned i = 0; i < channels; i++)
		if (!add_number(obj, power_keys[i], r->power_w[i])) return false;
	for (unsigned i = 0; i < voltages; i++)
		if (!add_number(obj, voltage_keys[i], r->voltage_v[i])) return false;
	return add_string(obj, "model", aps_inverter_model(r));
}

cJSON *aps_payload_inverter(const struct aps_cycle *cycle, size_t index)
{
	if (cycle == NULL || cycle->inv == NULL || cycle->inverters == NULL ||
	    index >= cycle->inv->count)
		return NULL;
	const struct aps_inverter *r = &cycle->inverters[index];
	cJSON *obj = cJSON_CreateObject();
	if (obj == NULL) return NULL;

	/* An offline inverter's fields are stale or filler (temperature -100 C on
	 * some ECUs): only say that it is offline.  Type 00 has never reported. */
	bool ok;
	if (!r->online || strcmp(r->type, "00") == 0)
		ok = add_item(obj, "online", cJSON_CreateFalse());
	else
		ok = add_measurements(obj, cycle, index);
	/* Energy stays when the inverter goes offline: it is what was made. */
	if (ok && cycle->energy != NULL) ok = aps_payload_add_energy(obj, &cycle->energy[index]);
	if (!ok) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}
