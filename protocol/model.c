// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

struct prefix_name {
	const char *prefix;
	const char *name;
};

static const struct prefix_name ecu_models[] = {
	{"2160", "ECU-R"},
	{"2162", "ECU-R-PRO"},
	{"2163", "ECU-B"},
	{"215", "ECU-C"},
	{"2030", "ECU-3"},
};

static const struct prefix_name uid_models[] = {
	{"40", "YC600"},
	{"50", "YC1000"},
	{"70", "DS3"},
	{"80", "QS1"},
	{"90", "QT2"},
	{"10", "YC500"},
};

/* The type code only says how the record is laid out, hence the pairs. */
static const struct prefix_name type_models[] = {
	{"01", "YC600/DS3"},
	{"02", "YC1000/QT2"},
	{"03", "QS1"},
	{"04", "DS3"},
	{"05", "DS3"},
	{"00", "unknown"},
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup_prefix(const struct prefix_name *table, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		if (strncmp(s, table[i].prefix, strlen(table[i].prefix)) == 0) return table[i].name;
	}
	return NULL;
}

const char *aps_ecu_model(const char *ecu_id)
{
	const char *name = ecu_id ? lookup_prefix(ecu_models, COUNT_OF(ecu_models), ecu_id) : NULL;

	return name ? name : "ECU";
}

const char *aps_inverter_model(const struct aps_inverter *inv)
{
	const char *name;

	if (!inv) return "unknown";
	/* strncmp reads at most a prefix's length (<= 4), so fields the caller
	 * left unterminated are still read within their bounds. */
	name = lookup_prefix(uid_models, COUNT_OF(uid_models), inv->uid);
	if (!name) name = lookup_prefix(type_models, COUNT_OF(type_models), inv->type);
	return name ? name : "unknown";
}

int aps_signal_percent(uint8_t strength)
{
	return strength * 100 / 255;
}
