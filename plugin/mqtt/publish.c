// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/* publish.c - what goes out to subscribers, and on which topic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "broker_api.h"

#include "discovery.h"
#include "json_flat.h"
#include "publish.h"

/* Hands a copy of payload to the broker, which owns it only on success.
 * expiry_s > 0: an MQTT v5 message expiry, which the broker applies to the
 * retained copy too (both 2.0 and 2.1 take it out of the property list in
 * queue_plugin_msgs()).  mosquitto_property_add_int32 and _free_all are in
 * every 2.0 and 2.1 build's export list (tests/package/test_broker_exports.py);
 * the broker owns the list on success, as it owns the payload. */
static int publish_bytes(const char *topic, const char *payload, size_t len, bool retain, uint32_t expiry_s)
{
	if (!topic_valid(topic) || len > INT32_MAX) return MOSQ_ERR_INVAL;
	mosquitto_property *props = NULL;
	if (expiry_s > 0 && mosquitto_property_add_int32(&props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, expiry_s) !=
	                            MOSQ_ERR_SUCCESS) {
		mosquitto_property_free_all(&props);
		return MOSQ_ERR_NOMEM;
	}
	void *copy = NULL;
	if (len > 0) {
		copy = mosquitto_malloc(len);
		if (!copy) {
			mosquitto_property_free_all(&props);
			return MOSQ_ERR_NOMEM;
		}
		memcpy(copy, payload, len);
	}
	int rc = mosquitto_broker_publish(NULL, topic, (int)len, copy, 0, retain, props);
	if (rc != MOSQ_ERR_SUCCESS) {
		mosquitto_free(copy);
		mosquitto_property_free_all(&props);
	}
	return rc;
}

const char *aps_mosq_error(int rc)
{
	switch (rc) {
	case MOSQ_ERR_NOMEM: return "out of memory";
	case MOSQ_ERR_INVAL: return "invalid arguments";
	case MOSQ_ERR_ALREADY_EXISTS: return "already registered";
	case MOSQ_ERR_NOT_SUPPORTED: return "not supported";
	default: return "broker error";
	}
}

static int publish_logged(const char *topic, const char *payload, size_t len, bool retain, uint32_t expiry_s)
{
	int rc = publish_bytes(topic, payload, len, retain, expiry_s);
	if (rc != MOSQ_ERR_SUCCESS)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot publish on %s: %s (%d)", topic,
		                     aps_mosq_error(rc), rc);
	return rc;
}

int publish_text(const char *topic, const char *text, bool retain)
{
	return publish_logged(topic, text, strlen(text), retain, 0);
}

int publish_text_expiring(const char *topic, const char *text, uint32_t expiry_s)
{
	return publish_logged(topic, text, strlen(text), true, expiry_s);
}

int publish_json(const char *topic, cJSON *json, bool retain)
{
	return publish_json_expiring(topic, json, retain, 0);
}

int publish_json_expiring(const char *topic, cJSON *json, bool retain, uint32_t expiry_s)
{
	int rc = MOSQ_ERR_NOMEM;
	char flat[1024], *text = NULL;
	size_t len;
	if (json && json_print_flat(json, flat, sizeof(flat), &len)) {
		rc = publish_logged(topic, flat, len, retain, expiry_s);
	} else if (json && (text = cJSON_PrintUnformatted(json)) != NULL) {
		rc = publish_logged(topic, text, strlen(text), retain, expiry_s);
		cJSON_free(text);
	} else {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: out of memory building %s", topic);
	}
	cJSON_Delete(json);
	return rc;
}

int publish_ecu_topic(char *buf, const char *prefix, const char *ecu_id, const char *leaf)
{
	const char *parts[] = { "aps", ecu_id, leaf };
	return topic_join(buf, APS_TOPIC_MAX, prefix, parts, leaf ? 3 : 2);
}

void publish_cycle(const char *prefix, const struct aps_cycle *cycle, bool retain, uint32_t expiry_s)
{
	/* Expiry means something only for what the broker keeps. */
	if (!retain) expiry_s = 0;
	char topic[APS_TOPIC_MAX];
	const char *ecu_id = cycle->info->ecu_id;
	if (publish_ecu_topic(topic, prefix, ecu_id, NULL) != 0) return;
	publish_json_expiring(topic, aps_payload_ecu(cycle), retain, expiry_s);
	for (size_t i = 0; cycle->inv && i < cycle->inv->count; i++) {
		if (publish_ecu_topic(topic, prefix, ecu_id, cycle->inverters[i].uid) != 0) continue;
		publish_json_expiring(topic, aps_payload_inverter(cycle, i), retain, expiry_s);
	}
}

void publish_diagnostics(const char *prefix, const char *ecu_id, const struct publish_diag *d, bool retain)
{
	char topic[APS_TOPIC_MAX];
	char when[32];

	if (ecu_id[0] == '\0') return;
	if (publish_ecu_topic(topic, prefix, ecu_id, APS_DIAG_TOPIC) != 0) return;

	cJSON *diag = cJSON_CreateObject();
	if (!diag) return;
	if (d->last_success > 0) {
		time_t t = (time_t)d->last_success;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
		cJSON_AddStringToObject(diag, APS_DIAG_LAST_SUCCESS, when);
	} else {
		cJSON_AddNullToObject(diag, APS_DIAG_LAST_SUCCESS);
	}
	cJSON_AddNumberToObject(diag, APS_DIAG_POLL_DURATION_MS, (double)d->poll_duration_ms);
	cJSON_AddNumberToObject(diag, APS_DIAG_CONSECUTIVE_FAILURES, d->failures);
	cJSON_AddStringToObject(diag, APS_DIAG_LAST_ERROR, d->last_error);
	cJSON_AddBoolToObject(diag, APS_DIAG_NEEDS_POWER_CYCLE, d->needs_power_cycle);
	const struct {
		const char *key;
		enum publish_flag flag;
	} flags[] = { { APS_DIAG_CONTROL_AVAILABLE, d->control_available },
		      { APS_DIAG_METER_AVAILABLE, d->meter_available } };
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (flags[i].flag == DIAG_UNKNOWN) cJSON_AddNullToObject(diag, flags[i].key);
		else if (flags[i].flag != DIAG_ABSENT) cJSON_AddBoolToObject(diag, flags[i].key, flags[i].flag == DIAG_YES);
	}
	publish_json(topic, diag, retain);
}
