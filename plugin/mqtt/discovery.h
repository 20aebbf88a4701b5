// SPDX-License-Identifier: MIT
/*
 * discovery.h - Home Assistant MQTT discovery configs for the ECU, its
 * inverters and the plugin's own diagnostics.  Pure C over cJSON, no broker
 * headers: the caller hands in a callback that publishes (retained) each
 * config as soon as it is built.
 *
 * One retained config per device (Home Assistant's device-based discovery), on
 * <discovery_prefix>/device/aps_<id>/config, where <id> is the ECU id or the
 * inverter UID.  Each entity in it has the unique_id aps_<id>_<object>, and
 * the object ids are aps2mqtt's (power, today_energy, lifetime_energy;
 * online, signal, temperature, frequency, power, voltage, panel_<n>_power,
 * panel_<n>_voltage), so entities and devices an aps2mqtt user already has
 * keep their history.  Additions: inverters, inverters_online and timestamp on
 * the ECU, and the diagnostics below.
 *
 * default_entity_id (used by Home Assistant only for an entity it has no
 * registry entry for) is the entity id aps2mqtt's config gave:
 * <domain>.<device name>_<aps2mqtt's entity name>, slugged, e.g.
 * sensor.aps_ecu_<ECU_ID>_ecu_power, sensor.aps_inverter_<UID>_inverter_power,
 * sensor.aps_inverter_<UID>_panel_1_power; an entity of ours only takes its
 * object id after the device part (sensor.aps_ecu_<ECU_ID>_inverters_online).
 *
 * Topics the configs point at, with P = topic_base ("<prefix>/" or ""):
 *   P aps/status                    "online"/"offline"  plugin availability
 *   P aps/<ECU_ID>/status           "online"/"offline"  ECU reachable or not
 *   P aps/<ECU_ID>                  ECU payload (payload.h)
 *   P aps/<ECU_ID>/<UID>            inverter payload (payload.h)
 *   P aps/<ECU_ID>/diagnostics      JSON with the APS_DIAG_* keys
 * and with the features below (control.h):
 *   P aps/<ECU_ID>/<UID>/status     {"power","max_power",...}, commands on .../<UID>/cmd/power|max_power
 *   P aps/<ECU_ID>/control          {"zero_export","power_limit",...}, commands on .../cmd/zero_export|power_limit
 *   P aps/<ECU_ID>/meter            ECU-C meter readings; P aps/<ECU_ID>/cmd/reboot the reboot button
 */
#ifndef APS_DISCOVERY_H
#define APS_DISCOVERY_H

#include "aps_protocol.h"

/* Diagnostics payload keys, published on P aps/<ECU_ID>/APS_DIAG_TOPIC.
 * Every key should be present in every diagnostics message; a value not yet
 * known is JSON null (Home Assistant then shows "unknown"). */
#define APS_DIAG_TOPIC "diagnostics"
#define APS_DIAG_LAST_SUCCESS "last_success"         /* ISO 8601 with UTC offset, or null */
#define APS_DIAG_POLL_DURATION_MS "poll_duration_ms" /* number, milliseconds */
#define APS_DIAG_CONSECUTIVE_FAILURES "consecutive_failures" /* number */
#define APS_DIAG_LAST_ERROR "last_error"             /* short text, "" when none */
#define APS_DIAG_NEEDS_POWER_CYCLE "needs_power_cycle" /* true/false, as on APS_POWER_CYCLE_TOPIC */
/* With control on (control.h), on ECU-R-PRO and ECU-C: whether the ECU's
 * control pages answer (true/false, null before the first probe); on an
 * ECU-C also whether its meter page gives readings. */
#define APS_DIAG_CONTROL_AVAILABLE "control_available"
#define APS_DIAG_METER_AVAILABLE "meter_available"

/* The suffix of the per-ECU availability topic, P aps/<ECU_ID>/status. */
#define APS_ECU_STATUS_TOPIC "status"
/* P aps/<ECU_ID>/needs_power_cycle: "ON" while the ECU does not answer and
 * no restart over its web interface is possible (or it did not help), "OFF"
 * once it answers; always retained, for an automation with a smart plug. */
#define APS_POWER_CYCLE_TOPIC "needs_power_cycle"

/* Bounds on what we build: a longer topic or config is refused, never cut. */
#define DISCOVERY_TOPIC_MAX 256   /* bytes, with the NUL */
#define DISCOVERY_PAYLOAD_MAX 16384 /* bytes, with the NUL: a device with every panel and its energy is ~9 KB */

enum discovery_err {
	DISCOVERY_E_ARG = 1, /* NULL argument, bad id, or a topic that would be invalid */
	DISCOVERY_E_NOMEM,   /* cJSON could not allocate, or a config exceeds DISCOVERY_PAYLOAD_MAX */
	DISCOVERY_E_EMIT,    /* the emit callback returned nonzero: nothing more was emitted */
};

/* Entities that exist only while a capability holds (control.h); the
 * announcer sets them per ECU in its copy of the context. */
enum discovery_feature {
	DISCOVERY_CONTROL = 1, /* inverters: power switch, max_power number; ECU: reboot button */
	DISCOVERY_EXPORT = 2,  /* ECU-C: zero_export switch, power_limit number */
	DISCOVERY_METER = 4,   /* ECU-C: meter sensors (production, grid, consumption, W) */
};

struct discovery_ctx {
	/* DISCOVERY_* features present, and those just gone: each entity of a
	 * gone feature is sent once more with only its platform, which is how
	 * Home Assistant removes a component from a device config. */
	unsigned features, removed;
	const char *discovery_prefix; /* "homeassistant"; not empty */
	const char *topic_base;       /* "<prefix>/" or "": empty or ending in '/' */
	const char *status_topic;     /* P aps/status */
	const char *origin_sw;        /* our version; NULL or "" leaves it out */
	const char *support_url;      /* NULL or "" leaves it out */
	/* Home Assistant's expire_after on the entities that read the ECU's and
	 * the inverters' state topics: seconds without a state after which they
	 * show unavailable (Home Assistant is not told when a retained message
	 * expires in the broker); 0 leaves it out. */
	unsigned expire_after_s;
};

/* Publishes one retained message; payload is NUL-terminated compact JSON, or
 * "" to clear the topic.  Both strings are only valid during the call.
 * Returns 0, or nonzero to stop the build. */
typedef int (*discovery_emit_fn)(void *arg, const char *topic, const char *payload);

/* The ECU device's config: its measurements and the plugin's diagnostics for
 * it.  info->ecu_id must be 12 digits; info->firmware becomes the device's
 * sw_version (left out when empty or not printable ASCII).  Returns the
 * number of entities in the config (11), or -DISCOVERY_E_* (nothing emitted). */
int discovery_ecu(const struct discovery_ctx *ctx, const struct aps_ecu_info *info,
                  discovery_emit_fn emit, void *arg);

/* One inverter's config, as a device behind the ECU (via_device).  It has no
 * sw_version: the ECU reports no firmware for its inverters, and its own is
 * not theirs.  A never-seen inverter (type "00", no channels) gets only its
 * online entity; otherwise the measurements, one panel power per channel and
 * one panel voltage per voltage.  Returns the number of entities, or
 * -DISCOVERY_E_* (as discovery_ecu). */
int discovery_inverter(const struct discovery_ctx *ctx, const char *ecu_id, const struct aps_inverter *inv,
                       discovery_emit_fn emit, void *arg);

/* Home Assistant's hand-over of a per-entity config to a device config: the
 * entity is unloaded, its registry entry (entity id, settings, history) kept
 * for the device config that names its unique_id. */
#define DISCOVERY_MIGRATE_PAYLOAD "{\"migrate_discovery\":true}"

/* The single-component topics (<prefix>/<component>/aps_<id>_<object>/config)
 * aps2mqtt used for this device's entities, every panel an inverter may have
 * included (3 for the ECU, 13 for an inverter), each emitted with payload:
 * DISCOVERY_MIGRATE_PAYLOAD to hand the entity over, or "" to clear the
 * retained config (after a hand-over; on its own, Home Assistant removes the
 * entity and its registry entry).  Returns the number of topics, or
 * -DISCOVERY_E_* (DISCOVERY_E_ARG also for any other payload); after
 * DISCOVERY_E_EMIT some may have been emitted. */
int discovery_ecu_legacy(const struct discovery_ctx *ctx, const struct aps_ecu_info *info, const char *payload,
                         discovery_emit_fn emit, void *arg);
int discovery_inverter_legacy(const struct discovery_ctx *ctx, const char *ecu_id, const struct aps_inverter *inv,
                              const char *payload, discovery_emit_fn emit, void *arg);

#endif
