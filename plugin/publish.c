#define _DEFAULT_SOURCE
/* publish.c - what goes out to subscribers, and on which topic. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <mosquitto.h>

#include "aps_plugin.h"
#include "discovery.h"
#include "payload.h"

/* Hands a copy of payload to the broker, which owns it only on success. */
static int publish_bytes(const char *topic, const char *payload, size_t len, bool retain)
{
	if (!topic_valid(topic) || len > INT32_MAX) return MOSQ_ERR_INVAL;
	void *copy = NULL;
	if (len > 0) {
		copy = mosquitto_malloc(len);
		if (!copy) return MOSQ_ERR_NOMEM;
		memcpy(copy, payload, len);
	}
	int rc = mosquitto_broker_publish(NULL, topic, (int)len, copy, 0, retain, NULL);
	if (rc != MOSQ_ERR_SUCCESS) mosquitto_free(copy);
	return rc;
}

int publish_text(struct aps_plugin *pl, const char *topic, const char *text, bool retain)
{
	(void)pl;
	int rc = publish_bytes(topic, text, strlen(text), retain);
	if (rc != MOSQ_ERR_SUCCESS)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot publish on %s: %s", topic,
		                     mosquitto_strerror(rc));
	return rc;
}

static int publish_json(struct aps_plugin *pl, const char *topic, cJSON *json, bool retain)
{
	int rc = MOSQ_ERR_NOMEM;
	char *text = json ? cJSON_PrintUnformatted(json) : NULL;
	if (text) {
		rc = publish_text(pl, topic, text, retain);
		cJSON_free(text);
	} else {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: out of memory building %s", topic);
	}
	cJSON_Delete(json);
	return rc;
}

static int ecu_topic(struct aps_plugin *pl, char *buf, const char *ecu_id, const char *leaf)
{
	const char *parts[] = { "aps", ecu_id, leaf };
	return topic_join(buf, APS_TOPIC_MAX, pl->cfg.topic_prefix, parts, leaf ? 3 : 2);
}

void publish_ecu_status(struct aps_plugin *pl, struct ecu *e, bool online)
{
	char topic[APS_TOPIC_MAX];
	if (e->state.ecu_id[0] == '\0') return; /* never reached: its id is unknown */
	if (e->state.status_published && e->state.online == online) return;
	if (ecu_topic(pl, topic, e->state.ecu_id, "status") != 0) return;
	if (publish_text(pl, topic, online ? "online" : "offline", true) == MOSQ_ERR_SUCCESS) {
		e->state.status_published = true;
		e->state.online = online;
	}
}

void publish_cycle(struct aps_plugin *pl, struct ecu *e, const struct energy_result *energy, bool dusk)
{
	struct ecu_poller *p = &e->poller;
	char topic[APS_TOPIC_MAX];

	/* The ECU's own values, with the energy filter's in place of its energy
	 * readings, and no power once night has come. */
	struct aps_ecu_info info = p->info;
	info.today_energy_raw = energy->today_raw;
	info.lifetime_energy_raw = energy->lifetime_raw;
	info.lifetime_glitch = !energy->publish_lifetime;
	if (dusk) info.current_power_w = 0;

	struct aps_cycle cycle = {
		.info = &info,
		.inv = p->have_inverters ? &p->inv : NULL,
		.inverters = p->inverters,
		.signals = p->have_signal ? p->signals : NULL,
		.signal_count = p->have_signal ? p->signal_count : 0,
		.zone = pl->cfg.timezone[0] ? pl->cfg.timezone : NULL,
	};

	if (strcmp(e->state.ecu_id, p->info.ecu_id) != 0) {
		/* Another ECU now answers at this address: its status starts afresh. */
		memcpy(e->state.ecu_id, p->info.ecu_id, sizeof(e->state.ecu_id));
		e->state.status_published = false;
	}
	/* Availability and discovery first: Home Assistant must know the
	 * entities, and find them available, when their states arrive. */
	publish_ecu_status(pl, e, true);
	announce_cycle(pl, e);

	if (ecu_topic(pl, topic, p->info.ecu_id, NULL) != 0) return;
	cJSON *ecu = aps_payload_ecu(&cycle);
	if (ecu && !energy->publish_today) cJSON_DeleteItemFromObjectCaseSensitive(ecu, "today_energy");
	publish_json(pl, topic, ecu, pl->cfg.retain);

	for (size_t i = 0; cycle.inv && i < p->inv.count; i++) {
		if (ecu_topic(pl, topic, p->info.ecu_id, p->inverters[i].uid) != 0) continue;
		publish_json(pl, topic, aps_payload_inverter(&cycle, i), pl->cfg.retain);
	}
}

void publish_diagnostics(struct aps_plugin *pl, struct ecu *e)
{
	char topic[APS_TOPIC_MAX];
	char when[32];
	struct ecu_state *st = &e->state;

	if (st->ecu_id[0] == '\0') return;
	if (ecu_topic(pl, topic, st->ecu_id, APS_DIAG_TOPIC) != 0) return;

	cJSON *diag = cJSON_CreateObject();
	if (!diag) return;
	if (st->last_success > 0) {
		time_t t = (time_t)st->last_success;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
		cJSON_AddStringToObject(diag, APS_DIAG_LAST_SUCCESS, when);
	} else {
		cJSON_AddNullToObject(diag, APS_DIAG_LAST_SUCCESS);
	}
	cJSON_AddNumberToObject(diag, APS_DIAG_POLL_DURATION_MS, (double)e->poller.cycle_duration_ms);
	cJSON_AddNumberToObject(diag, APS_DIAG_CONSECUTIVE_FAILURES, st->failures);
	cJSON_AddStringToObject(diag, APS_DIAG_LAST_ERROR, st->last_error);
	publish_json(pl, topic, diag, pl->cfg.retain);
}

void publish_all_offline(struct aps_plugin *pl)
{
	for (size_t i = 0; i < pl->ecu_count; i++) publish_ecu_status(pl, &pl->ecus[i], false);
	publish_text(pl, pl->status_topic, "offline", true);
}
