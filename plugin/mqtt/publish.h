// SPDX-License-Identifier: MIT
/*
 * publish.h - the broker as a sink: these functions send what they are given,
 * on topics built under the configured prefix, and decide nothing about when.
 */
#ifndef APS_PUBLISH_H
#define APS_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "payload.h"
#include "topic.h"

/* mosquitto_strerror() lives in libmosquitto, which a broker built by
 * Mosquitto's own Makefile (the official image) does not export to plugins. */
const char *aps_mosq_error(int rc);

/* Publishes text (QoS 0); logs a failure.  Returns a MOSQ_ERR_* code. */
int publish_text(const char *topic, const char *text, bool retain);

/* Publishes text retained (QoS 0) with an MQTT v5 message expiry: the broker
 * drops its retained copy expiry_s seconds on (0: never). */
int publish_text_expiring(const char *topic, const char *text, uint32_t expiry_s);

/* Publishes json as compact text and frees it, whatever happens; NULL (out of
 * memory while building it) is logged. */
int publish_json(const char *topic, cJSON *json, bool retain);
/* The same, with a message expiry (0: none). */
int publish_json_expiring(const char *topic, cJSON *json, bool retain, uint32_t expiry_s);

/* P aps/<ecu_id>[/<leaf>] into buf (APS_TOPIC_MAX bytes), P being prefix and
 * '/' unless prefix is empty.  Returns 0, or -1 when it is no valid topic. */
int publish_ecu_topic(char *buf, const char *prefix, const char *ecu_id, const char *leaf);

/* The ECU's state and each inverter's, on their topics; when retained, they
 * expire expiry_s seconds on (0: never). */
void publish_cycle(const char *prefix, const struct aps_cycle *cycle, bool retain, uint32_t expiry_s);

/* What the diagnostics topic says of one ECU (discovery.h's APS_DIAG_* keys). */
struct publish_diag {
	int64_t last_success;        /* wall clock; 0: never */
	uint64_t poll_duration_ms;
	unsigned failures;
	const char *last_error;
	bool needs_power_cycle;
	/* control_available / meter_available (control.h): left out when they
	 * do not apply (control off, no such model), null while unknown. */
	enum publish_flag { DIAG_ABSENT, DIAG_UNKNOWN, DIAG_NO, DIAG_YES } control_available, meter_available;
};
void publish_diagnostics(const char *prefix, const char *ecu_id, const struct publish_diag *d, bool retain);

#endif
