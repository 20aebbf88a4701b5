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

#include "civil.h"
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
void aps_cycle_time(const struct aps_ecu_info *info, const struct aps_inverter_data *inv, const char *zone,
                    struct aps_cycle_time *out)
{
	*out = (struct aps_cycle_time){ 0 };
	const struct aps_time *t = info != NULL && info->has_timestamp ? &info->timestamp
	                         : inv != NULL ? &inv->timestamp : NULL;
	if (t == NULL) return;
	out->known = true;
	out->local = *t;
	const char *ecu_zone = info != NULL ? info->zone : "";
	int32_t *offset = &out->offset_s;
	if (zone != NULL && zone[0] != '\0')
		out->has_offset = aps_tz_offset_local(zone, t->year, t->month, t->day, t->hour, t->minute,
		                                      t->second, offset) == 0;
	else
		out->has_offset = (ecu_zone[0] != '\0' && aps_tz_name_valid(ecu_zone) &&
		                   aps_tz_offset_local(ecu_zone, t->year, t->month, t->day, t->hour, t->minute,
		                                       t->second, offset) == 0) ||
		                  aps_tz_offset_local(NULL, t->year, t->month, t->day, t->hour, t->minute, t->second,
		                                      offset) == 0;
	if (out->has_offset)
		out->utc_s = aps_days_from_civil(t->year, t->month, t->day) * 86400 + t->hour * 3600 + t->minute * 60 +
		             t->second - out->offset_s;
}

bool aps_payload_timestamp(const struct aps_cycle *cycle, char *buf, size_t cap)
{
	struct aps_cycle_time own;
	const struct aps_cycle_time *when = cycle != NULL ? cycle->time : NULL;
	if (cycle == NULL || buf == NULL || cap == 0) return false;
	if (when == NULL) {
		aps_cycle_time(cycle->info, cycle->inv, cycle->zone, &own);
		when = &own;
	}
	if (!when->known) return false;
	const struct aps_time *t = &when->local;

	int n = snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02u", (unsigned)t->year,
	                 (unsigned)t->month, (unsigned)t->day, (unsigned)t->hour, (unsigned)t->minute,
	                 (unsigned)t->second);
	if (n < 0 || (size_t)n >= cap) return false;

	/* Without an offset the time means nothing to a reader elsewhere (Home
	 * Assistant rejects it for a timestamp sensor): better none at all. */
	if (!when->has_offset) return false;
	int32_t offset = when->offset_s;
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
	/* A 0 lifetime is a firmware glitch or a brand-new ECU: publishing it would
	 * make a total_increasing sensor drop to zero, so the key is left out. */
	struct aps_ecu_values own = { info->current_power_w, true, info->today_energy_raw, !info->lifetime_glitch,
		                      info->lifetime_energy_raw };
	const struct aps_ecu_values *v = cycle->values != NULL ? cycle->values : &own;
	bool ok = add_number(obj, "current_power", v->current_power_w);
	if (ok && v->today) ok = add_number(obj, "today_energy", v->today_energy_raw / 100.0);
	if (ok && v->lifetime) ok = add_number(obj, "lifetime_energy", v->lifetime_energy_raw / 10.0);
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
