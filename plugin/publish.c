// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/* publish.c - what goes out to subscribers, and on which topic. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "energy_store.h"
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

/* mosquitto_strerror() lives in libmosquitto, which a broker built by
 * Mosquitto's own Makefile (the official image) does not export to plugins. */
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

static int publish_logged(const char *topic, const char *payload, size_t len, bool retain)
{
	int rc = publish_bytes(topic, payload, len, retain);
	if (rc != MOSQ_ERR_SUCCESS)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot publish on %s: %s (%d)", topic,
		                     aps_mosq_error(rc), rc);
	return rc;
}

int publish_text(struct aps_plugin *pl, const char *topic, const char *text, bool retain)
{
	(void)pl;
	return publish_logged(topic, text, strlen(text), retain);
}

/*
 * cJSON_PrintUnformatted() formats every number with sprintf("%1.15g") and
 * reads it back with sscanf(): three quarters of a poll cycle's CPU time
 * (tests/bench).  Our state payloads are flat objects of small integers and
 * tenths, so they are written here, to the same text, most numbers without
 * any sprintf; anything else (a nested object) goes the cJSON way.
 */
#define JSON_NUMBER_MAX 32

/* Digits of v (< 1e15), with a '.' before the last `decimals` of them. */
static size_t put_decimal(char *out, bool negative, uint64_t v, unsigned decimals)
{
	char rev[24];
	size_t n = 0, len = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n <= decimals);
	if (negative) out[len++] = '-';
	while (n > 0) {
		if (n == decimals) out[len++] = '.';
		out[len++] = rev[--n];
	}
	return len;
}

/* What cJSON prints for d: "%1.15g", or "%1.17g" when that does not read
 * back as d.  A double that is exactly the nearest one to m / 10^k, with m
 * below 10^15, is printed by "%1.15g" as that decimal: no sprintf needed. */
static size_t format_number(char *out, double d)
{
	static const double scale[] = { 1, 10, 100, 1000 };
	if (!isfinite(d)) {
		memcpy(out, "null", 4);
		return 4;
	}
	for (unsigned k = 0; k < sizeof(scale) / sizeof(scale[0]) && fabs(d) < 1e15; k++) {
		double m = nearbyint(fabs(d) * scale[k]);
		if (m >= 1e15) break;
		if (m / scale[k] == fabs(d)) return put_decimal(out, signbit(d), (uint64_t)m, k);
	}
	int n = snprintf(out, JSON_NUMBER_MAX, "%1.15g", d);
	double back = strtod(out, NULL);
	if (!(fabs(back - d) <= fmax(fabs(back), fabs(d)) * DBL_EPSILON))
		n = snprintf(out, JSON_NUMBER_MAX, "%1.17g", d);
	return n > 0 && n < JSON_NUMBER_MAX ? (size_t)n : 0;
}

struct json_out {
	char *buf;
	size_t len, cap;
};

static bool put(struct json_out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len) return false;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

/* cJSON's escape for c, or NULL when c goes out as it is. */
static const char *escape_of(unsigned char c, char esc[8])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	}
	if (c >= 32) return NULL;
	snprintf(esc, 8, "\\u%04x", c);
	return esc;
}

static bool put_string(struct json_out *o, const char *s)
{
	const char *run = s ? s : "";
	if (!put(o, "\"", 1)) return false;
	for (const char *c = run;; c++) {
		char buf[8];
		const char *esc = *c ? escape_of((unsigned char)*c, buf) : NULL;
		if (*c && !esc) continue;
		/* The bytes up to here go out as they are, in one copy. */
		if (!put(o, run, (size_t)(c - run))) return false;
		if (!*c) break;
		if (!put(o, esc, strlen(esc))) return false;
		run = c + 1;
	}
	return put(o, "\"", 1);
}

/* The text of a flat object into buf, or false (then ask cJSON). */
static bool print_flat(const cJSON *obj, char *buf, size_t cap, size_t *len)
{
	struct json_out o = { buf, 0, cap };
	if (!cJSON_IsObject(obj) || !put(&o, "{", 1)) return false;
	for (const cJSON *item = obj->child; item; item = item->next) {
		if ((item != obj->child && !put(&o, ",", 1)) || !put_string(&o, item->string) || !put(&o, ":", 1))
			return false;
		char num[JSON_NUMBER_MAX];
		size_t n;
		switch (item->type & 0xff) {
		case cJSON_False: if (!put(&o, "false", 5)) return false; break;
		case cJSON_True: if (!put(&o, "true", 4)) return false; break;
		case cJSON_NULL: if (!put(&o, "null", 4)) return false; break;
		case cJSON_String: if (!put_string(&o, item->valuestring)) return false; break;
		case cJSON_Number:
			n = format_number(num, item->valuedouble);
			if (n == 0 || !put(&o, num, n)) return false;
			break;
		default:
			return false;
		}
	}
	if (!put(&o, "}", 1)) return false;
	*len = o.len;
	return true;
}

static int publish_json(struct aps_plugin *pl, const char *topic, cJSON *json, bool retain)
{
	(void)pl;
	int rc = MOSQ_ERR_NOMEM;
	char flat[1024], *text = NULL;
	size_t len;
	if (json && print_flat(json, flat, sizeof(flat), &len)) {
		rc = publish_logged(topic, flat, len, retain);
	} else if (json && (text = cJSON_PrintUnformatted(json)) != NULL) {
		rc = publish_logged(topic, text, strlen(text), retain);
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

bool publish_cycle(struct aps_plugin *pl, struct ecu *e, const struct energy_result *energy, bool dusk,
                   uint64_t deadline_ns)
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
		.energy = energy_store_values(pl, e),
	};

	if (strcmp(e->state.ecu_id, p->info.ecu_id) != 0) {
		/* Another ECU now answers at this address: its status starts afresh. */
		memcpy(e->state.ecu_id, p->info.ecu_id, sizeof(e->state.ecu_id));
		e->state.status_published = false;
		announce_forget(e);
	}
	/* Availability and discovery first: Home Assistant must know the
	 * entities, and find them available, when their states arrive. */
	publish_ecu_status(pl, e, true);
	if (!announce_cycle(pl, e, deadline_ns)) return false;

	if (ecu_topic(pl, topic, p->info.ecu_id, NULL) != 0) return true;
	cJSON *ecu = aps_payload_ecu(&cycle);
	if (ecu && !energy->publish_today) cJSON_DeleteItemFromObjectCaseSensitive(ecu, "today_energy");
	publish_json(pl, topic, ecu, pl->cfg.retain);

	for (size_t i = 0; cycle.inv && i < p->inv.count; i++) {
		if (ecu_topic(pl, topic, p->info.ecu_id, p->inverters[i].uid) != 0) continue;
		publish_json(pl, topic, aps_payload_inverter(&cycle, i), pl->cfg.retain);
	}
	return true;
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
