// SPDX-License-Identifier: MIT
/*
 * payload_energy.h - the per-inverter and per-panel energy keys of an
 * inverter's payload (the plugin's; `aps-ecu query` has no history to
 * integrate, so it leaves them out).
 */
#ifndef APS_PAYLOAD_ENERGY_H
#define APS_PAYLOAD_ENERGY_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "aps_protocol.h"

/* One inverter's values, Wh; have false: no keys at all. */
struct aps_energy_values {
	bool have;
	unsigned panels;
	double today_wh, lifetime_wh, measured_wh;
	double panel_today_wh[APS_MAX_CHANNELS], panel_lifetime_wh[APS_MAX_CHANNELS];
};

/* Adds today_energy, lifetime_energy, today_energy_measured and
 * panel_N_today_energy / panel_N_lifetime_energy, in kWh to the Wh. */
bool aps_payload_add_energy(cJSON *obj, const struct aps_energy_values *v);

#endif
