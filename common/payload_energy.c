// SPDX-License-Identifier: MIT
/* payload_energy.c - see payload_energy.h. */
#include "payload_energy.h"

#include <math.h>

/* Literals: cJSON keeps a pointer to a constant key instead of a copy. */
static const char *const today_keys[APS_MAX_CHANNELS] = { "panel_1_today_energy", "panel_2_today_energy",
                                                          "panel_3_today_energy", "panel_4_today_energy" };
static const char *const lifetime_keys[APS_MAX_CHANNELS] = { "panel_1_lifetime_energy", "panel_2_lifetime_energy",
                                                             "panel_3_lifetime_energy", "panel_4_lifetime_energy" };

static bool add(cJSON *obj, const char *key, double wh)
{
	/* Whole Wh, so the text stays short and rounding is monotonic: a value
	 * that never goes down still never goes down once rounded. */
	cJSON *item = cJSON_CreateNumber(nearbyint(wh) / 1000.0);
	if (item != NULL && cJSON_AddItemToObjectCS(obj, key, item)) return true;
	cJSON_Delete(item);
	return false;
}

bool aps_payload_add_energy(cJSON *obj, const struct aps_energy_values *v)
{
	if (v == NULL || !v->have) return true;
	bool ok = add(obj, "today_energy", v->today_wh) && add(obj, "lifetime_energy", v->lifetime_wh) &&
	          add(obj, "today_energy_measured", v->measured_wh);
	for (unsigned c = 0; ok && c < v->panels && c < APS_MAX_CHANNELS; c++)
		ok = add(obj, today_keys[c], v->panel_today_wh[c]) && add(obj, lifetime_keys[c], v->panel_lifetime_wh[c]);
	return ok;
}
