// SPDX-License-Identifier: MIT
/*
 * discovery.c - Home Assistant MQTT discovery configs from one entity table.
 *
 * Facts from Home Assistant's MQTT and sensor documentation (and the sensor
 * constants in its source) that shape what is built here:
 *  - Device-based discovery (Home Assistant 2024.11): one config per device
 *    on <prefix>/device/<object_id>/config, object_id being letters, digits,
 *    '_' and '-'.  Its root holds the device ("dev") and origin ("o"), which
 *    every entity takes and none may override, and the shared options
 *    (state topic, availability) that an entity may override; the entities
 *    are under "cmps", each naming its platform ("p") and unique_id.
 *    Abbreviated keys ("stat_t", "uniq_id", ...) are expanded by Home
 *    Assistant before anything else.
 *  - Each retained message costs Mosquitto about 1 KB of its own beyond the
 *    payload (tests/bench): 80 inverters as one config per entity kept
 *    about 1,000 retained messages and 2 MB in the broker; one per device
 *    keeps 81 and about 0.3 MB.
 *  - The single-component form (<prefix>/<component>/<object_id>/config) is
 *    what aps2mqtt published, with our unique_ids as object_ids.  A component
 *    of a device config has another discovery id ("<object_id> <component>"),
 *    so the two forms do not clash as topics; they clash in the entity
 *    registry: while the per-entity entity is loaded, the device config's
 *    entity with the same unique_id is ignored ("does not generate unique
 *    IDs ... already exists - ignoring"), that entity only.  An empty payload
 *    on a per-entity topic removes the entity and its registry entry
 *    (mqtt/entity.py, _async_remove_state_and_registry_entry);
 *    {"migrate_discovery": true} (discovery.py; abbreviated migr_discvry,
 *    nothing else allowed beside it) only unloads it, and needs a unique_id
 *    and a device in the old config.  The device config then adopts the
 *    registry entry: same entity id, settings and history.  discovery_*_legacy
 *    send either message; announce.c orders them.
 *  - default_entity_id replaces the deprecated object_id (2025.10; object_id
 *    stops working in 2026.4) and must be a full entity id, "<domain>.<slug>":
 *    a bare slug fails validation and the entity becomes "unnamed_device".
 *    It is used only when the registry has no entry for the unique_id (a
 *    registered entity keeps its entity id); ours are the ids aps2mqtt's
 *    names gave (discovery.h).
 *  - Entity names are shown after the device name (has_entity_name), so they
 *    must not repeat it: "Power", not "APS ECU ... Power".
 *  - A device is matched by its identifiers; Home Assistant coerces them to
 *    strings, so aps2mqtt's [<ECU_ID>] and our ["<ECU_ID>"] are one device.
 *    via_device names the identifier of the device messages pass through.
 *  - origin: name is required, sw_version and support_url are optional.
 *  - availability is a list of {topic, payload_available, payload_not_available,
 *    value_template}; with availability_mode "all" every topic must say
 *    available.  A value_template on an entry is rendered against that topic's
 *    payload and compared with the two payloads.
 *  - Sensor device classes accept fixed units (power W/kW/..., energy Wh/kWh/
 *    MWh/..., voltage V/mV/..., frequency Hz/kHz/..., temperature degC/degF/K,
 *    duration d/h/min/s/ms, signal_strength only dB/dBm, timestamp none) and
 *    fixed state classes (energy: total or total_increasing only; power,
 *    voltage, frequency, temperature: measurement; duration: any; timestamp:
 *    none).  MQTT discovery rejects a config whose unit does not fit its class.
 *  - A template that reads a missing JSON key logs "Template variable warning"
 *    on every message; "| default(...)" does not.  A numeric sensor ignores an
 *    empty rendered state (keeps its value); the rendered text "None" makes any
 *    sensor "unknown".  So measurements render '' when their key is absent
 *    (the lifetime_energy glitch, no signal reply), timestamps and text 'None'.
 *  - A binary_sensor compares the rendered value with payload_on/payload_off
 *    exactly; a JSON true renders as "True", which is why aps2mqtt's
 *    payload_on "true" never matched.
 * Sources: home-assistant.io integrations/mqtt (discovery, availability,
 * device, origin), sensor.mqtt and binary_sensor.mqtt; the 2023-07-21 MQTT
 * naming post on developers.home-assistant.io; home-assistant/core
 * components/sensor/const.py (DEVICE_CLASS_UNITS, DEVICE_CLASS_STATE_CLASSES)
 * and components/mqtt/sensor.py (unit check, empty and "None" states);
 * home-assistant/core issues 155819 and 157241 (default_entity_id format).
 */
#include "discovery.h"
#include "topic.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#define ORIGIN_NAME "mosquitto-aps-ecu"
#define MANUFACTURER "APsystems"

enum component { SENSOR, BINARY_SENSOR };
enum device { ON_ECU, ON_INVERTER };
/* device: the ECU or inverter topic; power cycle: P aps/<ECU_ID>/needs_power_cycle */
enum state_topic { STATE_DEVICE, STATE_DIAGNOSTICS, STATE_POWER_CYCLE };

/* What must say "online" for the entity to be available. */
enum avail {
	AVAIL_PLUGIN,   /* P aps/status only: diagnostics matter most when the ECU is down */
	AVAIL_ECU,      /* and P aps/<ECU>/status */
	AVAIL_INVERTER, /* and the inverter reporting: at night its values are not stale */
};

enum render {
	RENDER_NUMBER, /* {{ value_json.key | default('') }} */
	RENDER_TEXT,   /* {{ value_json.key | default('None') }} */
	RENDER_ONLINE, /* ON / OFF from value_json.online */
	RENDER_PLAIN,  /* the payload as it is (ON / OFF) */
};

/* How many configs one row gives for one inverter. */
enum count {
	ONE,              /* always */
	IF_MEASURED,      /* one when the inverter has channels (type 00 has none) */
	IF_VOLTAGES,      /* one when it reports voltages */
	EACH_CHANNEL,     /* panel_<n>_<object>, n = 1..channels */
	EACH_VOLTAGE,     /* panel_<n>_<object>, n = 1..voltages */
};

struct entity {
	const char *object; /* object id; for EACH_* the part after "panel_<n>_" */
	const char *key;    /* JSON key the template reads (EACH_*: same rule as object) */
	const char *name;   /* for EACH_* the part after "Panel <n> " */
	enum component component;
	enum device device;
	enum state_topic state;
	enum avail avail;
	enum render render;
	enum count count;
	const char *device_class, *unit, *state_class, *icon;
	bool diagnostic;
	/* aps2mqtt published this entity: its name there, as Home Assistant
	 * made it part of the entity id (EACH_*: the part after "panel_<n>_").
	 * NULL: an entity of ours only. */
	const char *aps2mqtt;
};

static const struct entity entities[] = {
	/* ECU: aps2mqtt's three, then additions. */
	{"power", "current_power", "Power", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU, RENDER_NUMBER, ONE,
	 "power", "W", "measurement", NULL, false, "ecu_power"},
	{"today_energy", "today_energy", "Today energy", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, ONE, "energy", "kWh", "total_increasing", NULL, false, "ecu_today_energy"},
	{"lifetime_energy", "lifetime_energy", "Lifetime energy", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, ONE, "energy", "kWh", "total_increasing", NULL, false, "ecu_lifetime_energy"},
	{"inverters", "inverters", "Inverters", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU, RENDER_NUMBER, ONE,
	 NULL, NULL, "measurement", "mdi:solar-panel", false, NULL},
	{"inverters_online", "inverters_online", "Inverters online", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, ONE, NULL, NULL, "measurement", "mdi:solar-panel", false, NULL},
	{"timestamp", "timestamp", "Report time", SENSOR, ON_ECU, STATE_DEVICE, AVAIL_ECU, RENDER_TEXT, ONE,
	 "timestamp", NULL, NULL, NULL, false, NULL},
	/* The plugin's view of the ECU. */
	{APS_DIAG_LAST_SUCCESS, APS_DIAG_LAST_SUCCESS, "Last successful poll", SENSOR, ON_ECU,
	 STATE_DIAGNOSTICS, AVAIL_PLUGIN, RENDER_TEXT, ONE, "timestamp", NULL, NULL, NULL, true, NULL},
	{APS_DIAG_POLL_DURATION_MS, APS_DIAG_POLL_DURATION_MS, "Poll duration", SENSOR, ON_ECU,
	 STATE_DIAGNOSTICS, AVAIL_PLUGIN, RENDER_NUMBER, ONE, "duration", "ms", "measurement", NULL, true, NULL},
	{APS_DIAG_CONSECUTIVE_FAILURES, APS_DIAG_CONSECUTIVE_FAILURES, "Consecutive failures", SENSOR,
	 ON_ECU, STATE_DIAGNOSTICS, AVAIL_PLUGIN, RENDER_NUMBER, ONE, NULL, NULL, "measurement",
	 "mdi:alert-circle-outline", true, NULL},
	{APS_DIAG_LAST_ERROR, APS_DIAG_LAST_ERROR, "Last error", SENSOR, ON_ECU, STATE_DIAGNOSTICS,
	 AVAIL_PLUGIN, RENDER_TEXT, ONE, NULL, NULL, NULL, "mdi:alert-outline", true, NULL},
	/* The escalation ladder's last rung, for a smart-plug automation: it is
	 * ON while the ECU is offline, so only the plugin's status gates it. */
	{APS_DIAG_NEEDS_POWER_CYCLE, APS_DIAG_NEEDS_POWER_CYCLE, "Needs power cycle", BINARY_SENSOR, ON_ECU,
	 STATE_POWER_CYCLE, AVAIL_PLUGIN, RENDER_PLAIN, ONE, "problem", NULL, NULL, NULL, true, NULL},
	/* Inverter.  online must stay available to be able to show OFF. */
	{"online", "online", "Online", BINARY_SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_ECU, RENDER_ONLINE,
	 ONE, "connectivity", NULL, NULL, NULL, false, "inverter_online"},
	/* A percentage of the ECU's 0..255 scale, not dB/dBm: no signal_strength class. */
	{"signal", "signal", "Signal", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER, RENDER_NUMBER,
	 IF_MEASURED, NULL, "%", "measurement", "mdi:wifi", true, "inverter_signal"},
	/* The unit is the degree sign in UTF-8, then C. */
	{"temperature", "temperature", "Temperature", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER,
	 RENDER_NUMBER, IF_MEASURED, "temperature", "\xc2\xb0" "C", "measurement", NULL, false,
	 "inverter_temperature"},
	{"frequency", "frequency", "Frequency", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER,
	 RENDER_NUMBER, IF_MEASURED, "frequency", "Hz", "measurement", NULL, false, "inverter_frequency"},
	{"power", "power", "Power", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER, RENDER_NUMBER,
	 IF_MEASURED, "power", "W", "measurement", NULL, false, "inverter_power"},
	{"voltage", "voltage", "Voltage", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER, RENDER_NUMBER,
	 IF_VOLTAGES, "voltage", "V", "measurement", NULL, false, "inverter_voltage"},
	/* Panels read the inverter topic (aps2mqtt pointed at <uid>/<n>, never published). */
	{"power", "power", "power", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER, RENDER_NUMBER,
	 EACH_CHANNEL, "power", "W", "measurement", NULL, false, "power"},
	{"voltage", "voltage", "voltage", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_INVERTER, RENDER_NUMBER,
	 EACH_VOLTAGE, "voltage", "V", "measurement", NULL, false, "voltage"},
	/* Energy per inverter and panel (energy_store.h): available while the
	 * inverter sleeps, since what it made today stays true at night. */
	{"today_energy", "today_energy", "Today energy", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, IF_MEASURED, "energy", "kWh", "total_increasing", NULL, false, NULL},
	{"lifetime_energy", "lifetime_energy", "Lifetime energy", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, IF_MEASURED, "energy", "kWh", "total_increasing", NULL, false, NULL},
	{"today_energy", "today_energy", "today energy", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, EACH_CHANNEL, "energy", "kWh", "total_increasing", NULL, false, NULL},
	{"lifetime_energy", "lifetime_energy", "lifetime energy", SENSOR, ON_INVERTER, STATE_DEVICE, AVAIL_ECU,
	 RENDER_NUMBER, EACH_CHANNEL, "energy", "kWh", "total_increasing", NULL, false, NULL},
};

/* The device the entities belong to, and the topics they read. */
struct target {
	const char *id;         /* ECU id or inverter UID */
	const char *model;
	const char *sw_version; /* NULL: none */
	const char *via_device; /* NULL: none */
	char name[40];
	char slug[40];          /* the name as Home Assistant puts it in entity ids */
	char state_topic[DISCOVERY_TOPIC_MAX];
	char diag_topic[DISCOVERY_TOPIC_MAX];
	char power_cycle_topic[DISCOVERY_TOPIC_MAX];
	char ecu_status_topic[DISCOVERY_TOPIC_MAX];
};

/* ---- Validation ---- */

/* Exactly len characters, all from set; reads at most len + 1 bytes. */
static bool all_of(const char *s, size_t len, const char *set)
{
	if (strnlen(s, len + 1) != len) return false;
	for (size_t i = 0; i < len; i++)
		if (strchr(set, s[i]) == NULL) return false;
	return true;
}

static bool ecu_id_valid(const char *id) { return id != NULL && all_of(id, APS_ECU_ID_LEN, "0123456789"); }
static bool uid_valid(const char *id) { return id != NULL && all_of(id, APS_UID_LEN, "0123456789abcdef"); }

/* Firmware text as the parser promises it (printable ASCII, bounded), else none. */
static const char *firmware_or_null(const char *s)
{
	if (s == NULL) return NULL;
	size_t n = strnlen(s, APS_FIRMWARE_MAX + 1);
	if (n > APS_FIRMWARE_MAX) return NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e) return NULL;
	return s;
}

static bool ctx_valid(const struct discovery_ctx *ctx)
{
	if (ctx == NULL || ctx->discovery_prefix == NULL || ctx->topic_base == NULL ||
	    ctx->status_topic == NULL)
		return false;
	size_t base = strlen(ctx->topic_base);
	/* The base is joined to "aps/..." as is: it must be empty or end in '/'. */
	return topic_valid(ctx->discovery_prefix) && topic_valid(ctx->status_topic) &&
	       (base == 0 || ctx->topic_base[base - 1] == '/');
}

/* snprintf that says whether the whole text fit and makes a valid topic. */
static bool topic_fmt(char *buf, const char *base, const char *ecu_id, const char *tail)
{
	int n = tail != NULL ? snprintf(buf, DISCOVERY_TOPIC_MAX, "%saps/%s/%s", base, ecu_id, tail)
	                     : snprintf(buf, DISCOVERY_TOPIC_MAX, "%saps/%s", base, ecu_id);
	return n > 0 && n < DISCOVERY_TOPIC_MAX && topic_valid(buf);
}

/* ---- JSON ---- */

/* Each adder says whether it worked, so a config is built as one && chain. */
static bool add_str(cJSON *obj, const char *key, const char *value)
{
	return cJSON_AddStringToObject(obj, key, value) != NULL;
}

static bool add_opt(cJSON *obj, const char *key, const char *value)
{
	return value == NULL || value[0] == '\0' || add_str(obj, key, value);
}

/* One availability entry; template NULL for a plain online/offline topic.
 * payload_available and payload_not_available are left to their defaults,
 * "online" and "offline", which are what we publish. */
static bool add_availability(cJSON *list, const char *topic, const char *template)
{
	cJSON *entry = cJSON_CreateObject();
	if (entry == NULL) return false;
	if (!cJSON_AddItemToArray(list, entry)) {
		cJSON_Delete(entry);
		return false;
	}
	return add_str(entry, "t", topic) && add_opt(entry, "val_tpl", template);
}

/* The availability list of an entity that needs avail: the plugin, then the
 * ECU, then the inverter reporting. */
static bool add_availability_list(cJSON *config, const struct discovery_ctx *ctx, const struct target *t,
                                  enum avail avail)
{
	cJSON *list = cJSON_AddArrayToObject(config, "avty");
	bool ok = list != NULL && add_availability(list, ctx->status_topic, NULL);
	if (ok && avail != AVAIL_PLUGIN) ok = add_availability(list, t->ecu_status_topic, NULL);
	if (ok && avail == AVAIL_INVERTER)
		ok = add_availability(list, t->state_topic, "{{ 'online' if value_json.online else 'offline' }}");
	return ok;
}

static bool add_device(cJSON *config, const struct target *t)
{
	cJSON *dev = cJSON_AddObjectToObject(config, "dev");
	cJSON *ids = dev != NULL ? cJSON_AddArrayToObject(dev, "ids") : NULL;
	cJSON *id = ids != NULL ? cJSON_CreateString(t->id) : NULL;
	if (id == NULL) return false;
	if (!cJSON_AddItemToArray(ids, id)) {
		cJSON_Delete(id);
		return false;
	}
	/* via_device has no abbreviation in Home Assistant's device table. */
	return add_str(dev, "name", t->name) && add_str(dev, "mf", MANUFACTURER) && add_str(dev, "mdl", t->model) &&
	       add_opt(dev, "sw", t->sw_version) && add_opt(dev, "via_device", t->via_device);
}

static bool add_origin(cJSON *config, const struct discovery_ctx *ctx)
{
	cJSON *origin = cJSON_AddObjectToObject(config, "o");
	return origin != NULL && add_str(origin, "name", ORIGIN_NAME) && add_opt(origin, "sw", ctx->origin_sw) &&
	       add_opt(origin, "url", ctx->support_url);
}

/* The per-instance strings of a row: panel 0 means "not a panel row". */
struct names {
	char object[40], key[40], name[48], unique_id[64], template[96], entity_id[96];
};

static const char *component_name(const struct entity *e)
{
	return e->component == SENSOR ? "sensor" : "binary_sensor";
}

static bool make_names(const struct entity *e, const struct target *t, unsigned panel,
                       struct names *n)
{
	int a, b, c, d, f = -1, g;
	/* The entity id aps2mqtt's entity got, or ours in the same form. */
	const char *tail = e->aps2mqtt != NULL ? e->aps2mqtt : e->object;
	if (panel > 0) {
		a = snprintf(n->object, sizeof(n->object), "panel_%u_%s", panel, e->object);
		b = snprintf(n->key, sizeof(n->key), "panel_%u_%s", panel, e->key);
		c = snprintf(n->name, sizeof(n->name), "Panel %u %s", panel, e->name);
		g = snprintf(n->entity_id, sizeof(n->entity_id), "%s.%s_panel_%u_%s", component_name(e), t->slug,
		             panel, tail);
	} else {
		a = snprintf(n->object, sizeof(n->object), "%s", e->object);
		b = snprintf(n->key, sizeof(n->key), "%s", e->key);
		c = snprintf(n->name, sizeof(n->name), "%s", e->name);
		g = snprintf(n->entity_id, sizeof(n->entity_id), "%s.%s_%s", component_name(e), t->slug, tail);
	}
	d = snprintf(n->unique_id, sizeof(n->unique_id), "aps_%s_%s", t->id, n->object);
	switch (e->render) {
	case RENDER_NUMBER:
		f = snprintf(n->template, sizeof(n->template), "{{ value_json.%s | default('') }}", n->key);
		break;
	case RENDER_TEXT:
		f = snprintf(n->template, sizeof(n->template), "{{ value_json.%s | default('None') }}", n->key);
		break;
	case RENDER_ONLINE:
		f = snprintf(n->template, sizeof(n->template), "{{ 'ON' if value_json.%s else 'OFF' }}", n->key);
		break;
	case RENDER_PLAIN:
		n->template[0] = '\0';
		f = 1;
		break;
	}
	return a > 0 && (size_t)a < sizeof(n->object) && b > 0 && (size_t)b < sizeof(n->key) && c > 0 &&
	       (size_t)c < sizeof(n->name) && d > 0 && (size_t)d < sizeof(n->unique_id) && f > 0 &&
	       (size_t)f < sizeof(n->template) && g > 0 && (size_t)g < sizeof(n->entity_id);
}

/* The availability and state topic every entity of the device shares; an
 * entity that needs others sets its own (Home Assistant lets a component
 * override the shared options, device and origin excepted). */
static enum avail device_avail(enum device device)
{
	return device == ON_ECU ? AVAIL_ECU : AVAIL_INVERTER;
}

/* One entity, under "cmps" of its device's config, keys abbreviated as
 * Home Assistant's discovery reads them. */
static bool add_component(cJSON *cmps, const struct entity *e, const struct discovery_ctx *ctx,
                          const struct target *t, const struct names *n)
{
	cJSON *c = cJSON_AddObjectToObject(cmps, n->object);
	bool ok = c != NULL && add_str(c, "p", component_name(e)) && add_str(c, "name", n->name) &&
	          add_str(c, "uniq_id", n->unique_id) && add_str(c, "default_entity_id", n->entity_id) &&
	          (e->state != STATE_DIAGNOSTICS || add_str(c, "stat_t", t->diag_topic)) &&
	          (e->state != STATE_POWER_CYCLE || add_str(c, "stat_t", t->power_cycle_topic)) &&
	          add_opt(c, "val_tpl", n->template) && add_opt(c, "dev_cla", e->device_class) &&
	          add_opt(c, "unit_of_meas", e->unit) && add_opt(c, "stat_cla", e->state_class) &&
	          add_opt(c, "ic", e->icon) && add_opt(c, "ent_cat", e->diagnostic ? "diagnostic" : NULL);
	if (ok && e->avail != device_avail(e->device)) ok = add_availability_list(c, ctx, t, e->avail);
	if (ok && e->state == STATE_DEVICE && ctx->expire_after_s > 0)
		ok = cJSON_AddNumberToObject(c, "exp_aft", ctx->expire_after_s) != NULL;
	return ok;
}

/* Calls fn for every entity a device has: the table's rows for that device,
 * as many times as its panels.  Stops at the first false. */
typedef bool (*entity_fn)(void *arg, const struct entity *e, const struct names *n);

static bool each_entity(enum device device, const struct target *t, unsigned channels, unsigned voltages,
                        entity_fn fn, void *arg)
{
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		const struct entity *e = &entities[i];
		unsigned panels = 0; /* 0: one entity that is not a panel's */
		if (e->device != device) continue;
		switch (e->count) {
		case ONE: break;
		case IF_MEASURED: if (channels == 0) continue; break;
		case IF_VOLTAGES: if (channels == 0 || voltages == 0) continue; break;
		case EACH_CHANNEL: if ((panels = channels) == 0) continue; break;
		case EACH_VOLTAGE: if ((panels = voltages) == 0) continue; break;
		}
		unsigned panel = panels > 0 ? 1 : 0;
		do {
			struct names n;
			if (!make_names(e, t, panel, &n) || !fn(arg, e, &n)) return false;
		} while (++panel <= panels);
	}
	return true;
}

/* ---- Entities of a capability (control.h) ---- */

struct feature_entity {
	const char *object, *name, *platform;
	const char *state_leaf;  /* after aps/<ECU>/ (inverter: after <UID>/) */
	const char *command;     /* the command's leaf, NULL for a sensor */
	const char *key;         /* JSON key of the state */
	const char *unit, *device_class, *icon;
	enum device device;
	enum discovery_feature feature;
	int max;                 /* number: 0..max, step 1 */
	bool config;             /* entity_category config */
};

#define INVERTER_CONTROL .device = ON_INVERTER, .feature = DISCOVERY_CONTROL, .state_leaf = "status"
#define METER_SENSOR .platform = "sensor", .device = ON_ECU, .feature = DISCOVERY_METER, .state_leaf = "meter", \
	.unit = "W", .device_class = "power"

static const struct feature_entity feature_entities[] = {
	{ .object = "power_switch", .name = "Power", .platform = "switch", INVERTER_CONTROL, .command = "power",
	  .key = "power", .device_class = "switch" },
	{ .object = "max_power", .name = "Max power per panel", .platform = "number", INVERTER_CONTROL,
	  .command = "max_power", .key = "max_power", .max = 500, .unit = "W", .device_class = "power", .config = true },
	{ .object = "reboot", .name = "Reboot", .platform = "button", .device = ON_ECU, .feature = DISCOVERY_CONTROL,
	  .command = "reboot", .device_class = "restart", .config = true },
	{ .object = "zero_export", .name = "Zero export", .platform = "switch", .device = ON_ECU,
	  .feature = DISCOVERY_EXPORT, .state_leaf = "control", .command = "zero_export", .key = "zero_export",
	  .device_class = "switch", .icon = "mdi:transmission-tower-export", .config = true },
	{ .object = "power_limit", .name = "Export limit", .platform = "number", .device = ON_ECU,
	  .feature = DISCOVERY_EXPORT, .state_leaf = "control", .command = "power_limit", .key = "power_limit",
	  .max = 100000, .unit = "W", .device_class = "power", .config = true },
	{ .object = "meter_production", .name = "Meter production", METER_SENSOR, .key = "production" },
	{ .object = "meter_grid", .name = "Meter grid", METER_SENSOR, .key = "grid" },
	{ .object = "meter_consumption", .name = "Meter consumption", METER_SENSOR, .key = "consumption" },
};

static bool add_feature_sensor(cJSON *cmps, const struct target *t, const char *object, const char *name,
                               const char *state_topic, const char *key, const char *platform_only)
{
	char uid[64], eid[96], tpl[96];
	cJSON *c = cJSON_AddObjectToObject(cmps, object);
	if (c == NULL) return false;
	if (platform_only) return add_str(c, "p", platform_only);
	int a = snprintf(uid, sizeof(uid), "aps_%s_%s", t->id, object);
	int b = snprintf(eid, sizeof(eid), "sensor.%s_%s", t->slug, object);
	int d = snprintf(tpl, sizeof(tpl), "{{ value_json.%s | default('') }}", key);
	return a > 0 && (size_t)a < sizeof(uid) && b > 0 && (size_t)b < sizeof(eid) && d > 0 &&
	       (size_t)d < sizeof(tpl) && add_str(c, "p", "sensor") && add_str(c, "name", name) &&
	       add_str(c, "uniq_id", uid) && add_str(c, "default_entity_id", eid) && add_str(c, "stat_t", state_topic) &&
	       add_str(c, "val_tpl", tpl) && add_str(c, "dev_cla", "power") && add_str(c, "unit_of_meas", "W") &&
	       add_str(c, "stat_cla", "measurement");
}

/* ecu_id/uid: the topics' ECU and inverter ("" for the ECU's own). */
static bool add_feature_entity(cJSON *cmps, const struct feature_entity *f, const struct discovery_ctx *ctx,
                               const struct target *t, const char *ecu_id, const char *uid, bool remove)
{
	char state[DISCOVERY_TOPIC_MAX], command[DISCOVERY_TOPIC_MAX], leaf[64], unique[64], eid[96], tpl[128];
	if (f->feature == DISCOVERY_METER) {
		/* The sums, then each phase. */
		int n = snprintf(leaf, sizeof(leaf), "%s", f->state_leaf);
		if (n <= 0 || !topic_fmt(state, ctx->topic_base, ecu_id, leaf)) return false;
		if (!add_feature_sensor(cmps, t, f->object, f->name, state, f->key, remove ? "sensor" : NULL)) return false;
		for (int p = 0; p < 3; p++) {
			char object[48], name[48], key[32];
			snprintf(object, sizeof(object), "%s_%c", f->object, 'a' + p);
			snprintf(name, sizeof(name), "%s phase %c", f->name, 'A' + p);
			snprintf(key, sizeof(key), "%s_%c", f->key, 'a' + p);
			if (!add_feature_sensor(cmps, t, object, name, state, key, remove ? "sensor" : NULL)) return false;
		}
		return true;
	}
	cJSON *c = cJSON_AddObjectToObject(cmps, f->object);
	if (c == NULL) return false;
	if (remove) return add_str(c, "p", f->platform);
	const char *sep = uid[0] ? "/" : "";
	int a = snprintf(leaf, sizeof(leaf), "%s%scmd/%s", uid, sep, f->command);
	int b = snprintf(unique, sizeof(unique), "aps_%s_%s", t->id, f->object);
	int d = snprintf(eid, sizeof(eid), "%s.%s_%s", f->platform, t->slug, f->object);
	if (a <= 0 || (size_t)a >= sizeof(leaf) || !topic_fmt(command, ctx->topic_base, ecu_id, leaf) || b <= 0 ||
	    (size_t)b >= sizeof(unique) || d <= 0 || (size_t)d >= sizeof(eid))
		return false;
	bool ok = add_str(c, "p", f->platform) && add_str(c, "name", f->name) && add_str(c, "uniq_id", unique) &&
	          add_str(c, "default_entity_id", eid) && add_str(c, "cmd_t", command) &&
	          add_opt(c, "ic", f->icon) && add_opt(c, "ent_cat", f->config ? "config" : NULL) &&
	          /* Commands work while the ECU answers, even to an inverter
	           * that is off and so not reporting. */
	          add_availability_list(c, ctx, t, AVAIL_ECU);
	if (!ok) return false;
	if (strcmp(f->platform, "button") == 0) return add_str(c, "pl_prs", "PRESS") && add_opt(c, "dev_cla", f->device_class);
	a = snprintf(leaf, sizeof(leaf), "%s%s%s", uid, sep, f->state_leaf);
	if (a <= 0 || (size_t)a >= sizeof(leaf) || !topic_fmt(state, ctx->topic_base, ecu_id, leaf)) return false;
	/* A JSON null (never set) renders "None": the switch's and the
	 * number's unknown state (PAYLOAD_NONE, payload_reset). */
	d = snprintf(tpl, sizeof(tpl), "{{ value_json.%s | default('None') }}", f->key);
	if (d <= 0 || (size_t)d >= sizeof(tpl)) return false;
	ok = add_str(c, "stat_t", state) && add_str(c, "val_tpl", tpl) && add_opt(c, "dev_cla", f->device_class);
	if (strcmp(f->platform, "switch") == 0) return ok && add_str(c, "pl_on", "ON") && add_str(c, "pl_off", "OFF");
	return ok && cJSON_AddNumberToObject(c, "min", 0) && cJSON_AddNumberToObject(c, "max", f->max) &&
	       cJSON_AddNumberToObject(c, "step", 1) && add_str(c, "mode", "box") &&
	       add_opt(c, "unit_of_meas", f->unit);
}

/* The device's feature entities: those present, and stubs for those gone. */
static bool add_feature_entities(cJSON *cmps, const struct discovery_ctx *ctx, enum device device,
                                 const struct target *t, int *count)
{
	const char *ecu_id = device == ON_ECU ? t->id : t->via_device;
	const char *uid = device == ON_ECU ? "" : t->id;
	for (size_t i = 0; i < sizeof(feature_entities) / sizeof(feature_entities[0]); i++) {
		const struct feature_entity *f = &feature_entities[i];
		bool present = (ctx->features & f->feature) != 0, gone = (ctx->removed & f->feature) != 0;
		if (f->device != device || (!present && !gone)) continue;
		if (!add_feature_entity(cmps, f, ctx, t, ecu_id, uid, !present)) return false;
		if (present) *count += f->feature == DISCOVERY_METER ? 4 : 1;
	}
	return true;
}

struct device_build {
	const struct discovery_ctx *ctx;
	const struct target *t;
	cJSON *cmps;
	int count;
};

static bool build_one(void *arg, const struct entity *e, const struct names *n)
{
	struct device_build *b = arg;
	b->count++;
	return add_component(b->cmps, e, b->ctx, b->t, n);
}

/* Builds the device's config and hands it to emit.  Returns the number of
 * entities in it, or -DISCOVERY_E_*. */
static int emit_device(const struct discovery_ctx *ctx, enum device device, const struct target *t,
                       unsigned channels, unsigned voltages, discovery_emit_fn emit, void *arg)
{
	char topic[DISCOVERY_TOPIC_MAX];
	int len = snprintf(topic, sizeof(topic), "%s/device/aps_%s/config", ctx->discovery_prefix, t->id);
	if (len <= 0 || (size_t)len >= sizeof(topic) || !topic_valid(topic)) return -DISCOVERY_E_ARG;

	cJSON *config = cJSON_CreateObject();
	if (config == NULL) return -DISCOVERY_E_NOMEM;
	struct device_build b = { .ctx = ctx, .t = t, .cmps = NULL, .count = 0 };
	bool ok = add_device(config, t) && add_origin(config, ctx) && add_str(config, "stat_t", t->state_topic) &&
	          add_availability_list(config, ctx, t, device_avail(device)) &&
	          add_str(config, "avty_mode", "all") && (b.cmps = cJSON_AddObjectToObject(config, "cmps")) != NULL &&
	          each_entity(device, t, channels, voltages, build_one, &b) &&
	          add_feature_entities(b.cmps, ctx, device, t, &b.count);
	char payload[DISCOVERY_PAYLOAD_MAX];
	/* cJSON wants a few bytes of slack beyond the printed length. */
	ok = ok && cJSON_PrintPreallocated(config, payload, (int)sizeof(payload) - 5, false);
	cJSON_Delete(config);
	if (!ok) return -DISCOVERY_E_NOMEM;
	return emit(arg, topic, payload) == 0 ? b.count : -DISCOVERY_E_EMIT;
}

/* ---- The per-entity configs of the past ---- */

struct legacy_send {
	const struct discovery_ctx *ctx;
	const char *payload;
	discovery_emit_fn emit;
	void *arg;
	int count;
};

static bool legacy_one(void *arg, const struct entity *e, const struct names *n)
{
	struct legacy_send *c = arg;
	char topic[DISCOVERY_TOPIC_MAX];
	if (e->aps2mqtt == NULL) return true; /* never published per entity */
	int len = snprintf(topic, sizeof(topic), "%s/%s/%s/config", c->ctx->discovery_prefix, component_name(e),
	                   n->unique_id);
	if (len <= 0 || (size_t)len >= sizeof(topic) || !topic_valid(topic)) return false;
	if (c->emit(c->arg, topic, c->payload) != 0) return false;
	c->count++;
	return true;
}

static int emit_legacy(const struct discovery_ctx *ctx, enum device device, const struct target *t,
                       const char *payload, discovery_emit_fn emit, void *arg)
{
	struct legacy_send c = { .ctx = ctx, .payload = payload, .emit = emit, .arg = arg, .count = 0 };
	/* Every panel an inverter may have: the count of the past is not known. */
	unsigned channels = device == ON_INVERTER ? APS_MAX_CHANNELS : 0;
	unsigned voltages = device == ON_INVERTER ? APS_MAX_VOLTAGES : 0;
	if (!each_entity(device, t, channels, voltages, legacy_one, &c)) return -DISCOVERY_E_EMIT;
	return c.count;
}

static bool target_topics(const struct discovery_ctx *ctx, const char *ecu_id, struct target *t,
                          const char *uid)
{
	return topic_fmt(t->state_topic, ctx->topic_base, ecu_id, uid) &&
	       topic_fmt(t->diag_topic, ctx->topic_base, ecu_id, APS_DIAG_TOPIC) &&
	       topic_fmt(t->power_cycle_topic, ctx->topic_base, ecu_id, APS_POWER_CYCLE_TOPIC) &&
	       topic_fmt(t->ecu_status_topic, ctx->topic_base, ecu_id, APS_ECU_STATUS_TOPIC);
}

static int ecu_target(const struct discovery_ctx *ctx, const struct aps_ecu_info *info, struct target *t)
{
	if (!ctx_valid(ctx) || info == NULL || !ecu_id_valid(info->ecu_id)) return -DISCOVERY_E_ARG;
	*t = (struct target){
		.id = info->ecu_id,
		.model = aps_ecu_model(info->ecu_id),
		.sw_version = firmware_or_null(info->firmware),
	};
	snprintf(t->name, sizeof(t->name), "APS ECU %s", info->ecu_id);
	snprintf(t->slug, sizeof(t->slug), "aps_ecu_%s", info->ecu_id);
	return target_topics(ctx, info->ecu_id, t, NULL) ? 0 : -DISCOVERY_E_ARG;
}

static int inverter_target(const struct discovery_ctx *ctx, const char *ecu_id, const struct aps_inverter *inv,
                           struct target *t)
{
	if (!ctx_valid(ctx) || inv == NULL || !ecu_id_valid(ecu_id) || !uid_valid(inv->uid) ||
	    inv->channels > APS_MAX_CHANNELS || inv->voltages > APS_MAX_VOLTAGES)
		return -DISCOVERY_E_ARG;
	*t = (struct target){
		.id = inv->uid,
		.model = aps_inverter_model(inv),
		.via_device = ecu_id,
	};
	snprintf(t->name, sizeof(t->name), "APS Inverter %s", inv->uid);
	snprintf(t->slug, sizeof(t->slug), "aps_inverter_%s", inv->uid);
	return target_topics(ctx, ecu_id, t, inv->uid) ? 0 : -DISCOVERY_E_ARG;
}

int discovery_ecu(const struct discovery_ctx *ctx, const struct aps_ecu_info *info,
                  discovery_emit_fn emit, void *arg)
{
	struct target t;
	int rc = emit == NULL ? -DISCOVERY_E_ARG : ecu_target(ctx, info, &t);
	return rc < 0 ? rc : emit_device(ctx, ON_ECU, &t, 0, 0, emit, arg);
}

int discovery_inverter(const struct discovery_ctx *ctx, const char *ecu_id, const struct aps_inverter *inv,
                       discovery_emit_fn emit, void *arg)
{
	struct target t;
	int rc = emit == NULL ? -DISCOVERY_E_ARG : inverter_target(ctx, ecu_id, inv, &t);
	if (rc < 0) return rc;
	/* A never-seen inverter (type "00") has no measurements yet. */
	bool measured = strcmp(inv->type, "00") != 0;
	return emit_device(ctx, ON_INVERTER, &t, measured ? inv->channels : 0, measured ? inv->voltages : 0, emit,
	                   arg);
}

/* What may go to a per-entity topic of the past: a hand-over or a clear. */
static bool legacy_payload_ok(const char *payload)
{
	return payload != NULL && (payload[0] == '\0' || strcmp(payload, DISCOVERY_MIGRATE_PAYLOAD) == 0);
}

int discovery_ecu_legacy(const struct discovery_ctx *ctx, const struct aps_ecu_info *info, const char *payload,
                         discovery_emit_fn emit, void *arg)
{
	struct target t;
	int rc = emit == NULL || !legacy_payload_ok(payload) ? -DISCOVERY_E_ARG : ecu_target(ctx, info, &t);
	return rc < 0 ? rc : emit_legacy(ctx, ON_ECU, &t, payload, emit, arg);
}

int discovery_inverter_legacy(const struct discovery_ctx *ctx, const char *ecu_id, const struct aps_inverter *inv,
                              const char *payload, discovery_emit_fn emit, void *arg)
{
	struct target t;
	int rc = emit == NULL || !legacy_payload_ok(payload) ? -DISCOVERY_E_ARG : inverter_target(ctx, ecu_id, inv, &t);
	return rc < 0 ? rc : emit_legacy(ctx, ON_INVERTER, &t, payload, emit, arg);
}
