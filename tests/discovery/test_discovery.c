// SPDX-License-Identifier: MIT
/*
 * test_discovery.c - the Home Assistant discovery configs built from the real
 * captures: one per device, its entities counted, unique ids, topics, two
 * configs written out by hand, the clearing of the per-entity configs of the
 * past, and the refusals.  With a path argument it also writes every config and the
 * state messages the plugin would publish for the same captures, one JSON
 * object per line, for ha_check.py to hold against Home Assistant's rules.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aps_check.h"
#include "discovery.h"
#include "hexfile.h"
#include "payload.h"

#define MAX_RECORDS 64
#define MAX_MESSAGES 2048

/* Everything emitted, in order, across all captures. */
struct message {
	char *topic, *payload;
};
static struct message messages[MAX_MESSAGES];
static size_t message_count;
static FILE *out; /* JSON lines for ha_check.py, or NULL */

static void write_line(const char *kind, const char *topic, const char *payload)
{
	if (out == NULL) return;
	cJSON *line = cJSON_CreateObject();
	cJSON_AddStringToObject(line, "kind", kind);
	cJSON_AddStringToObject(line, "topic", topic);
	cJSON_AddStringToObject(line, "payload", payload);
	char *text = cJSON_PrintUnformatted(line);
	CHECKF(text != NULL, "JSON line for %s", topic);
	if (text != NULL) fprintf(out, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(line);
}

static int collect(void *arg, const char *topic, const char *payload)
{
	(void)arg;
	if (message_count == MAX_MESSAGES) return -1;
	messages[message_count].topic = strdup(topic);
	messages[message_count].payload = strdup(payload);
	message_count++;
	write_line("config", topic, payload);
	return 0;
}

static void publish_state(const char *topic, cJSON *payload)
{
	char *text = payload != NULL ? cJSON_PrintUnformatted(payload) : NULL;
	CHECKF(text != NULL, "state payload for %s", topic);
	if (text != NULL) write_line("state", topic, text);
	cJSON_free(text);
	cJSON_Delete(payload);
}

/* ---- Captures ---- */

struct capture {
	struct aps_ecu_info info;
	struct aps_inverter_data inv;
	struct aps_inverter records[MAX_RECORDS];
	struct aps_signal signals[MAX_RECORDS];
	size_t signal_count;
	bool has_info, has_inv, has_signal;
};

static bool read_fixture(const char *capture, const char *file, uint8_t *buf, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s", APS_FIXTURES, capture, file);
	if (hexfile_read(path, buf, APS_REPLY_MAX, len) == 0) return true;
	CHECKF(errno == ENOENT, "%s: %s", path, strerror(errno));
	return false;
}

/* Captures without an ECU info reply get a made-up one so that their
 * inverters have an ECU to belong to (fake_id: a plausible id of that model). */
static void load_capture(const char *name, const char *ecu_file, const char *fake_id, struct capture *c)
{
	uint8_t buf[APS_REPLY_MAX];
	size_t len;
	struct aps_error err;
	memset(c, 0, sizeof(*c));
	if (read_fixture(name, ecu_file, buf, &len)) {
		c->has_info = aps_parse_ecu_info(buf, len, &c->info, &err) == 0;
		CHECKF(c->has_info, "%s/%s: %s", name, ecu_file, err.reason);
	}
	if (read_fixture(name, "inverters.hex", buf, &len))
		c->has_inv = aps_parse_inverters(buf, len, &c->inv, c->records, MAX_RECORDS, &err) == 0;
	if (read_fixture(name, "signal.hex", buf, &len))
		c->has_signal = aps_parse_signal(buf, len, c->signals, MAX_RECORDS, &c->signal_count, &err) == 0;
	if (!c->has_info && fake_id != NULL) {
		strcpy(c->info.ecu_id, fake_id);
		c->info.lifetime_energy_raw = 12345;
		c->info.current_power_w = 0;
		c->has_info = true;
	}
}

/* Energy values as the plugin's integrator gives them, for every inverter
 * that has panels: the states then carry every key the configs read. */
static struct aps_energy_values energy_of[APS_MAX_RECORDS];

static const struct aps_energy_values *energy_for(const struct capture *c)
{
	for (size_t i = 0; c->has_inv && i < c->inv.count && i < APS_MAX_RECORDS; i++) {
		struct aps_energy_values *v = &energy_of[i];
		memset(v, 0, sizeof(*v));
		v->have = strcmp(c->records[i].type, "00") != 0 && c->records[i].channels > 0;
		v->panels = c->records[i].channels;
		for (unsigned p = 0; p < v->panels; p++) {
			v->panel_today_wh[p] = 100.0 * (p + 1);
			v->panel_lifetime_wh[p] = 5000.0 + v->panel_today_wh[p];
			v->today_wh += v->panel_today_wh[p];
			v->lifetime_wh += v->panel_lifetime_wh[p];
		}
		v->measured_wh = v->today_wh * 0.98;
	}
	return energy_of;
}

static struct aps_cycle cycle_of(const struct capture *c)
{
	struct aps_cycle cycle = {
		.energy = energy_for(c),
		.info = &c->info,
		.inv = c->has_inv ? &c->inv : NULL,
		.inverters = c->has_inv ? c->records : NULL,
		.signals = c->has_signal ? c->signals : NULL,
		.signal_count = c->signal_count,
	};
	return cycle;
}

/* ---- Checks over what was emitted ---- */

static const struct discovery_ctx plain_ctx = {
	.discovery_prefix = "homeassistant",
	.topic_base = "",
	.status_topic = "aps/status",
	.origin_sw = "0.1.0",
};

/* The entity id Home Assistant gave an aps2mqtt (v2.0.2) entity: its device
 * name and its entity name ("APS ECU <id>" + "ECU Power", "APS Inverter <uid>"
 * + "Inverter Online" / "Panel 1 Power"), lowercased, each run of other
 * characters made one '_'.  An object aps2mqtt did not have: the device part,
 * then the object id. */
static void aps2mqtt_entity_id(char *buf, size_t size, const char *domain, const char *device, const char *object)
{
	static const char *const ecu[] = { "power", "today_energy", "lifetime_energy" };
	static const char *const inverter[] = { "online", "signal", "temperature", "frequency", "power", "voltage" };
	bool on_ecu = strncmp(device, "APS ECU ", 8) == 0;
	const char *prefix = NULL;
	for (size_t i = 0; on_ecu && i < sizeof(ecu) / sizeof(ecu[0]); i++)
		if (strcmp(object, ecu[i]) == 0) prefix = "ECU ";
	for (size_t i = 0; !on_ecu && i < sizeof(inverter) / sizeof(inverter[0]); i++)
		if (strcmp(object, inverter[i]) == 0) prefix = "Inverter ";
	char text[160];
	snprintf(text, sizeof(text), "%s %s%s", device, prefix != NULL ? prefix : "", object);
	size_t n = (size_t)snprintf(buf, size, "%s.", domain);
	bool gap = false;
	for (const char *c = text; *c != '\0' && n + 2 < size; c++) {
		if (isalnum((unsigned char)*c)) {
			if (gap && buf[n - 1] != '.') buf[n++] = '_';
			buf[n++] = (char)tolower((unsigned char)*c);
			gap = false;
		} else {
			gap = true;
		}
	}
	buf[n] = '\0';
}

static const char *dev_name(const cJSON *cfg)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "dev"), "name");
	return cJSON_IsString(name) ? name->valuestring : "";
}

/* Every device config emitted since `from`: topic shape and the ids of its
 * entities agree; returns the number of entities. */
static int check_configs(size_t from, const char *prefix, const char *what)
{
	int entities = 0;
	for (size_t i = from; i < message_count; i++) {
		const char *topic = messages[i].topic;
		cJSON *cfg = cJSON_Parse(messages[i].payload);
		const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "dev"), "ids");
		const cJSON *id = cJSON_GetArrayItem(ids, 0);
		const cJSON *cmps = cJSON_GetObjectItemCaseSensitive(cfg, "cmps");
		CHECKF(cJSON_IsString(id) && cJSON_IsObject(cmps) && cJSON_HasObjectItem(cfg, "o"), "%s: %s parses", what,
		       topic);
		if (!cJSON_IsString(id) || !cJSON_IsObject(cmps)) {
			cJSON_Delete(cfg);
			continue;
		}
		char want[512];
		snprintf(want, sizeof(want), "%s/device/aps_%s/config", prefix, id->valuestring);
		CHECKF(strcmp(topic, want) == 0, "%s: topic %s, want %s", what, topic, want);
		const cJSON *c;
		cJSON_ArrayForEach(c, cmps) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "p");
			const cJSON *uid = cJSON_GetObjectItemCaseSensitive(c, "uniq_id");
			const cJSON *eid = cJSON_GetObjectItemCaseSensitive(c, "default_entity_id");
			entities++;
			CHECKF(cJSON_IsString(p) && cJSON_IsString(uid) && cJSON_IsString(eid), "%s: %s/%s", what, topic,
			       c->string);
			if (!cJSON_IsString(p) || !cJSON_IsString(uid) || !cJSON_IsString(eid)) continue;
			CHECKF(strcmp(p->valuestring, "sensor") == 0 || strcmp(p->valuestring, "binary_sensor") == 0,
			       "%s: platform %s", what, p->valuestring);
			snprintf(want, sizeof(want), "aps_%s_%s", id->valuestring, c->string);
			CHECKF(strcmp(uid->valuestring, want) == 0, "%s: unique_id %s, want %s", what, uid->valuestring,
			       want);
			aps2mqtt_entity_id(want, sizeof(want), p->valuestring, dev_name(cfg), c->string);
			CHECKF(strcmp(eid->valuestring, want) == 0, "%s: default_entity_id %s, want %s", what,
			       eid->valuestring, want);
			CHECKF(!cJSON_HasObjectItem(c, "dev") && !cJSON_HasObjectItem(c, "o"), "%s: %s overrides device",
			       what, uid->valuestring);
		}
		CHECKF(strchr(messages[i].payload, '\n') == NULL && strstr(messages[i].payload, "\": ") == NULL,
		       "%s: compact JSON", what);
		CHECKF(strlen(messages[i].payload) < DISCOVERY_PAYLOAD_MAX, "%s: %zu bytes", what,
		       strlen(messages[i].payload));
		for (size_t j = 0; j < i; j++)
			CHECKF(strcmp(messages[j].topic, topic) != 0, "%s: %s emitted twice", what, topic);
		cJSON_Delete(cfg);
	}
	return entities;
}

/* The latest config emitted on topic. */
static const char *find_config(const char *topic)
{
	for (size_t i = message_count; i-- > 0;)
		if (strcmp(messages[i].topic, topic) == 0) return messages[i].payload;
	return NULL;
}

/* Whether the latest config of device id has an entity with that object id. */
static bool has_entity(const char *id, const char *object)
{
	char topic[DISCOVERY_TOPIC_MAX];
	snprintf(topic, sizeof(topic), "homeassistant/device/aps_%s/config", id);
	const char *payload = find_config(topic);
	cJSON *cfg = cJSON_Parse(payload ? payload : "");
	bool found = cJSON_HasObjectItem(cJSON_GetObjectItemCaseSensitive(cfg, "cmps"), object);
	cJSON_Delete(cfg);
	return found;
}

static void expect_config(const char *topic, const char *want)
{
	const char *got = find_config(topic);
	CHECKF(got != NULL && strcmp(got, want) == 0, "%s:\n  got  %s\n  want %s", topic, got ? got : "(none)", want);
}

/* The per-entity topics of the past, each sent the same payload: the
 * hand-over, or an empty one to clear them (all_empty: every payload was want). */
struct cleared {
	size_t count;
	bool all_empty;
	const char *want; /* NULL: "" */
	char first[DISCOVERY_TOPIC_MAX], last[DISCOVERY_TOPIC_MAX];
};

static int collect_cleared(void *arg, const char *topic, const char *payload)
{
	struct cleared *c = arg;
	if (c->count++ == 0) snprintf(c->first, sizeof(c->first), "%s", topic);
	snprintf(c->last, sizeof(c->last), "%s", topic);
	c->all_empty = c->all_empty && strcmp(payload, c->want != NULL ? c->want : "") == 0;
	write_line("config", topic, payload);
	return 0;
}

/* Whether a config's device block ("dev", no nested braces) has a sw_version. */
static bool device_has_sw(const char *payload)
{
	const char *dev = strstr(payload, "\"dev\":{");
	const char *end = dev != NULL ? strchr(dev, '}') : NULL;
	const char *sw = dev != NULL ? strstr(dev, "\"sw\":") : NULL;
	return sw != NULL && sw < end;
}

/* Discovery for a whole capture, then its state messages as the plugin sends them. */
static void run_capture(const struct capture *c, const char *what, int want_total)
{
	size_t from = message_count;
	struct aps_cycle cycle = cycle_of(c);
	/* As the plugin does with migrate_aps2mqtt_discovery: the past handed
	 * over, then the devices (cleared afterwards, below). */
	struct cleared past = { .all_empty = true, .want = DISCOVERY_MIGRATE_PAYLOAD };
	CHECKF(discovery_ecu_legacy(&plain_ctx, &c->info, DISCOVERY_MIGRATE_PAYLOAD, collect_cleared, &past) == 3,
	       "%s: ECU legacy", what);
	for (size_t i = 0; c->has_inv && i < c->inv.count; i++)
		CHECKF(discovery_inverter_legacy(&plain_ctx, c->info.ecu_id, &c->records[i], DISCOVERY_MIGRATE_PAYLOAD,
		                                 collect_cleared, &past) == 1 + 5 + APS_MAX_CHANNELS + APS_MAX_VOLTAGES,
		       "%s: inverter legacy", what);
	CHECKF(past.all_empty, "%s: legacy payloads not the hand-over", what);

	int total = discovery_ecu(&plain_ctx, &c->info, collect, NULL);
	CHECKF(total == 11, "%s: ECU entities %d, want 11", what, total);
	for (size_t i = 0; c->has_inv && i < c->inv.count; i++) {
		int n = discovery_inverter(&plain_ctx, c->info.ecu_id, &c->records[i], collect, NULL);
		CHECKF(n <= 0 || !device_has_sw(messages[message_count - 1].payload),
		       "%s: inverter %s carries a sw_version", what, c->records[i].uid);
		int want = strcmp(c->records[i].type, "00") == 0
		               ? 1
		               : 1 + 4 + (c->records[i].voltages > 0) + c->records[i].channels + c->records[i].voltages +
		                     2 + 2 * c->records[i].channels; /* energy: the inverter's and each panel's */
		CHECKF(n == want, "%s: inverter %s (type %s) entities %d, want %d", what, c->records[i].uid,
		       c->records[i].type, n, want);
		total += n;
	}
	CHECKF(total == want_total, "%s: %d entities, want %d", what, total, want_total);
	size_t devices = 1 + (c->has_inv ? c->inv.count : 0);
	CHECKF(message_count - from == devices, "%s: %zu configs, want one per device (%zu)", what,
	       message_count - from, devices);
	CHECKF(check_configs(from, "homeassistant", what) == want_total, "%s: entities in the configs", what);
	past = (struct cleared){ .all_empty = true };
	discovery_ecu_legacy(&plain_ctx, &c->info, "", collect_cleared, &past);
	for (size_t i = 0; c->has_inv && i < c->inv.count; i++)
		discovery_inverter_legacy(&plain_ctx, c->info.ecu_id, &c->records[i], "", collect_cleared, &past);
	CHECKF(past.all_empty, "%s: clearing payloads not empty", what);

	char topic[DISCOVERY_TOPIC_MAX];
	write_line("state", "aps/status", "online");
	snprintf(topic, sizeof(topic), "aps/%s/%s", c->info.ecu_id, APS_ECU_STATUS_TOPIC);
	write_line("state", topic, "online");
	snprintf(topic, sizeof(topic), "aps/%s", c->info.ecu_id);
	publish_state(topic, aps_payload_ecu(&cycle));
	for (size_t i = 0; c->has_inv && i < c->inv.count; i++) {
		snprintf(topic, sizeof(topic), "aps/%s/%s", c->info.ecu_id, c->records[i].uid);
		publish_state(topic, aps_payload_inverter(&cycle, i));
	}
	/* The diagnostics payload, with the header's key names. */
	char stamp[40];
	cJSON *diag = cJSON_CreateObject();
	if (aps_payload_timestamp(&cycle, stamp, sizeof(stamp)) && strlen(stamp) > 19)
		cJSON_AddStringToObject(diag, APS_DIAG_LAST_SUCCESS, stamp);
	else
		cJSON_AddNullToObject(diag, APS_DIAG_LAST_SUCCESS);
	cJSON_AddNumberToObject(diag, APS_DIAG_POLL_DURATION_MS, 412);
	cJSON_AddNumberToObject(diag, APS_DIAG_CONSECUTIVE_FAILURES, 0);
	cJSON_AddStringToObject(diag, APS_DIAG_LAST_ERROR, "");
	cJSON_AddBoolToObject(diag, APS_DIAG_NEEDS_POWER_CYCLE, false);
	snprintf(topic, sizeof(topic), "aps/%s/%s", c->info.ecu_id, APS_DIAG_TOPIC);
	publish_state(topic, diag);
	/* The escalation ladder's flag, as tick.c publishes it. */
	snprintf(topic, sizeof(topic), "aps/%s/%s", c->info.ecu_id, APS_POWER_CYCLE_TOPIC);
	write_line("state", topic, "OFF");
}

/* expire_after: on the entities that read the state topics, not on the
 * diagnostics nor on the power-cycle flag. */
static void test_expire_after(const struct capture *c)
{
	const struct discovery_ctx ctx = {
		.discovery_prefix = "exp", .topic_base = "", .status_topic = "aps/status", .expire_after_s = 960,
	};
	FILE *saved = out;
	out = NULL;
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == 11, "ECU with expire_after");
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &c->records[0], collect, NULL) > 0, "QS1 with expire_after");
	out = saved;
	char topic[DISCOVERY_TOPIC_MAX];
	const char *ids[2] = { c->info.ecu_id, c->records[0].uid };
	for (int d = 0; d < 2; d++) {
		snprintf(topic, sizeof(topic), "exp/device/aps_%s/config", ids[d]);
		const char *payload = find_config(topic);
		cJSON *cfg = cJSON_Parse(payload ? payload : "");
		const cJSON *cmp;
		int with = 0, without = 0;
		cJSON_ArrayForEach(cmp, cJSON_GetObjectItemCaseSensitive(cfg, "cmps")) {
			const cJSON *exp = cJSON_GetObjectItemCaseSensitive(cmp, "exp_aft");
			bool own_topic = cJSON_HasObjectItem(cmp, "stat_t");
			CHECKF(own_topic ? exp == NULL : cJSON_IsNumber(exp) && exp->valuedouble == 960, "%s: %s", topic,
			       cmp->string);
			if (exp) with++;
			else without++;
		}
		CHECKF(with > 0 && (d == 1 || without == 5), "%s: %d with expire_after, %d without", topic, with, without);
		cJSON_Delete(cfg);
	}
}

/* An ECU-C whose pages answer (plugin/control.c): the control and meter
 * entities join its configs, go (each sent once with its platform only)
 * and come back; then the states they read, for ha_check.py. */
static int ignore(void *arg, const char *topic, const char *payload)
{
	(void)arg;
	(void)topic;
	(void)payload;
	return 0;
}

static void run_control(const struct capture *c)
{
	const unsigned all = DISCOVERY_CONTROL | DISCOVERY_EXPORT | DISCOVERY_METER;
	struct discovery_ctx ctx = plain_ctx;
	size_t inverters = c->has_inv ? c->inv.count : 0;
	for (int round = 0; round < 3; round++) {
		ctx.features = round == 1 ? 0 : all;
		ctx.removed = round == 1 ? all : 0;
		size_t from = message_count;
		int base = discovery_ecu(&plain_ctx, &c->info, ignore, NULL);
		int n = discovery_ecu(&ctx, &c->info, collect, NULL);
		/* reboot, zero export, export limit; meter: 3 sums and 9 phases */
		CHECKF(n == base + (round == 1 ? 0 : 3 + 12), "control round %d: ECU entities %d, want %d more than %d",
		       round, n, round == 1 ? 0 : 15, base);
		CHECKF(strstr(messages[from].payload, "\"reboot\":{\"p\":\"button\"}") != NULL || round != 1,
		       "round %d: the reboot button removed by its platform alone", round);
		for (size_t i = 0; i < inverters; i++) {
			int inv_base = discovery_inverter(&plain_ctx, c->info.ecu_id, &c->records[i], ignore, NULL);
			n = discovery_inverter(&ctx, c->info.ecu_id, &c->records[i], collect, NULL);
			CHECKF(n == inv_base + (round == 1 ? 0 : 2), "control round %d: inverter entities %d, want %d", round,
			       n, inv_base + (round == 1 ? 0 : 2));
		}
	}
	char topic[DISCOVERY_TOPIC_MAX];
	for (size_t i = 0; i < inverters; i++) {
		snprintf(topic, sizeof(topic), "aps/%s/%s/status", c->info.ecu_id, c->records[i].uid);
		write_line("state", topic, i % 2 ? "{\"power\":\"OFF\",\"max_power\":300,\"source\":\"assumed\","
		                                   "\"since\":\"2026-06-21T12:00:05+00:00\"}"
		                                 : "{\"power\":null,\"max_power\":null,\"source\":\"assumed\","
		                                   "\"since\":\"2026-06-21T12:00:00+00:00\"}");
	}
	snprintf(topic, sizeof(topic), "aps/%s/control", c->info.ecu_id);
	write_line("state", topic, "{\"zero_export\":\"ON\",\"power_limit\":1500,\"source\":\"assumed\","
	                           "\"since\":\"2026-06-21T12:00:05+00:00\"}");
	snprintf(topic, sizeof(topic), "aps/%s/meter", c->info.ecu_id);
	write_line("state", topic, "{\"production_a\":410,\"production_b\":0,\"production_c\":0,\"production\":410,"
	                           "\"grid_a\":-120,\"grid_b\":35,\"grid_c\":40,\"grid\":-45,"
	                           "\"consumption_a\":290,\"consumption_b\":35,\"consumption_c\":40,"
	                           "\"consumption\":365}");
}

/* The exact text of the ECU's and a QS1's config, with a topic prefix set. */
static void test_exact(const struct capture *c)
{
	const struct discovery_ctx ctx = {
		.discovery_prefix = "ha",
		.topic_base = "solar/",
		.status_topic = "solar/aps/status",
		.origin_sw = "0.1.0",
		.support_url = "https://example.invalid/aps",
	};
	size_t from = message_count;
	FILE *saved = out;
	out = NULL; /* these are not published alongside the plain ones */
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == 11, "prefixed ECU");
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &c->records[0], collect, NULL) == 21,
	       "prefixed QS1");
	out = saved;
	CHECKF(check_configs(from, "ha", "prefixed") == 32, "prefixed: entities");
	/* Each line of the file: a topic, a space, the config as it must be. */
	FILE *f = fopen(APS_DISCOVERY_EXPECTED, "r");
	char line[DISCOVERY_PAYLOAD_MAX + DISCOVERY_TOPIC_MAX];
	int lines = 0;
	CHECKF(f != NULL, "%s: %s", APS_DISCOVERY_EXPECTED, strerror(errno));
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *space = strchr(line, ' ');
		line[strcspn(line, "\n")] = '\0';
		CHECKF(space != NULL, "%s: no space in line %d", APS_DISCOVERY_EXPECTED, lines + 1);
		if (space == NULL) break;
		*space = '\0';
		expect_config(line, space + 1);
		lines++;
	}
	if (f != NULL) fclose(f);
	CHECKF(lines == 2, "%s: %d configs, want 2", APS_DISCOVERY_EXPECTED, lines);

	/* aps2mqtt's topics only: none for the entities it never had. */
	struct cleared past = { .all_empty = true };
	CHECKF(discovery_ecu_legacy(&ctx, &c->info, "", collect_cleared, &past) == 3 && past.all_empty, "ECU legacy");
	CHECKF(strcmp(past.first, "ha/sensor/aps_216200033510_power/config") == 0, "first: %s", past.first);
	CHECKF(strcmp(past.last, "ha/sensor/aps_216200033510_lifetime_energy/config") == 0, "last: %s", past.last);
	past = (struct cleared){ .all_empty = true };
	CHECKF(discovery_inverter_legacy(&ctx, c->info.ecu_id, &c->records[0], "", collect_cleared, &past) == 13,
	       "QS1 legacy");
	CHECKF(strcmp(past.first, "ha/binary_sensor/aps_804000070564_online/config") == 0, "first: %s", past.first);
	CHECKF(strcmp(past.last, "ha/sensor/aps_804000070564_panel_3_voltage/config") == 0, "last: %s", past.last);
}

static int fail_second(void *arg, const char *topic, const char *payload)
{
	int *calls = arg;
	(void)topic;
	(void)payload;
	return ++*calls == 2 ? 7 : 0;
}

/* Bad ids and contexts are refused before anything is emitted. */
static void test_refusals(const struct capture *c)
{
	struct aps_ecu_info info = c->info;
	struct aps_inverter inv = c->records[0];
	struct discovery_ctx ctx = plain_ctx;
	size_t before = message_count;

	strcpy(info.ecu_id, "21620003351x");
	CHECKF(discovery_ecu(&ctx, &info, collect, NULL) == -DISCOVERY_E_ARG, "ECU id with a letter");
	CHECKF(discovery_inverter(&ctx, "2162000335", &inv, collect, NULL) == -DISCOVERY_E_ARG,
	       "short ECU id");
	strcpy(inv.uid, "80400007056+");
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	       "UID with a wildcard");
	strcpy(inv.uid, "80400007056A");
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	       "UID not lowercase hex");
	inv = c->records[0];
	inv.channels = APS_MAX_CHANNELS + 1;
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	       "too many channels");
	inv = c->records[0];
	ctx.topic_base = "sol#ar/";
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "wildcard in base");
	ctx.topic_base = "solar//";
	CHECKF(discovery_inverter(&ctx, c->info.ecu_id, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	       "empty level in base");
	ctx.topic_base = "/";
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "base starting with /");
	ctx.topic_base = "solar";
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "base without its '/'");
	ctx = plain_ctx;
	ctx.discovery_prefix = "home+assistant";
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "wildcard in prefix");
	ctx.discovery_prefix = "";
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "empty prefix");
	ctx = plain_ctx;
	ctx.status_topic = NULL;
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "no status topic");
	CHECKF(discovery_ecu(NULL, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "NULL ctx");
	CHECKF(discovery_ecu(&plain_ctx, NULL, collect, NULL) == -DISCOVERY_E_ARG, "NULL info");
	CHECKF(discovery_inverter(&plain_ctx, c->info.ecu_id, NULL, collect, NULL) == -DISCOVERY_E_ARG,
	       "NULL inverter");
	CHECKF(discovery_ecu(&plain_ctx, &c->info, NULL, NULL) == -DISCOVERY_E_ARG, "NULL emit");
	/* A prefix so long that the config topic cannot fit. */
	char longp[DISCOVERY_TOPIC_MAX];
	memset(longp, 'p', sizeof(longp) - 30);
	longp[sizeof(longp) - 30] = '\0';
	ctx = plain_ctx;
	ctx.discovery_prefix = longp;
	CHECKF(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "config topic too long");
	CHECKF(message_count == before, "refusals emitted %zu configs", message_count - before);

	/* Firmware that is not printable ASCII is left out, not refused.  These
	 * configs repeat ones already written, so they are dropped afterwards. */
	FILE *saved = out;
	out = NULL;
	strcpy(info.ecu_id, c->info.ecu_id);
	strcpy(info.firmware, "ECU\x01R");
	CHECKF(discovery_ecu(&plain_ctx, &info, collect, NULL) == 11, "odd ECU firmware");
	CHECKF(discovery_inverter(&plain_ctx, info.ecu_id, &inv, collect, NULL) == 21, "inverter");
	for (size_t i = before; i < message_count; i++) {
		CHECKF(strstr(messages[i].payload, "\"sw\":\"ECU") == NULL && strstr(messages[i].payload, "\"sw\":\"\\u") == NULL &&
		       strstr(messages[i].payload, "\"dev\":{") != NULL, "%s: sw_version", messages[i].topic);
		free(messages[i].topic);
		free(messages[i].payload);
	}
	CHECKF(message_count == before + 2, "odd firmware: %zu configs", message_count - before);
	message_count = before;
	out = saved;

	/* An emit failure stops the build at once, and is told. */
	int calls = 0;
	CHECKF(discovery_ecu_legacy(&plain_ctx, &c->info, "", fail_second, &calls) == -DISCOVERY_E_EMIT && calls == 2,
	       "emit failure: %d calls", calls);
	calls = 1;
	CHECKF(discovery_ecu(&plain_ctx, &c->info, fail_second, &calls) == -DISCOVERY_E_EMIT && calls == 2,
	       "emit failure of a device config");
	CHECKF(discovery_inverter_legacy(&plain_ctx, "2162000335", &inv, "", collect, NULL) == -DISCOVERY_E_ARG,
	       "legacy: short ECU id");
	CHECKF(discovery_ecu_legacy(&plain_ctx, &c->info, "", NULL, NULL) == -DISCOVERY_E_ARG, "legacy: NULL emit");
	CHECKF(discovery_ecu_legacy(&plain_ctx, &c->info, "{}", collect, NULL) == -DISCOVERY_E_ARG,
	       "legacy: a payload that is neither hand-over nor clear");
	CHECKF(discovery_ecu_legacy(&plain_ctx, &c->info, NULL, collect, NULL) == -DISCOVERY_E_ARG,
	       "legacy: NULL payload");
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		out = fopen(argv[1], "w");
		if (out == NULL) {
			perror(argv[1]);
			return 1;
		}
	}
	struct capture *c = malloc(sizeof(*c));
	if (c == NULL) return 1;

	/* Six QS1: per inverter online + 5 measurements + 4 panel powers + 1 panel voltage. */
	load_capture("ecu-r-pro-6xqs1", "ecu.hex", NULL, c);
	run_capture(c, "6xqs1", 11 + 6 * (11 + 10));
	test_exact(c);
	test_expire_after(c);
	test_refusals(c);
	/* Six QT2: 4 channels, 3 voltages: 1 + 5 + 4 + 3. */
	load_capture("ecu-r-2160-qt2x6-20231120", "ecu.hex", NULL, c);
	run_capture(c, "qt2", 11 + 6 * (13 + 10));
	/* Four DS3 (1 + 5 + 2 + 2) and four never-seen type 00 (online only). */
	load_capture("ecu-r-pro-2162-ds3x4-unseen4-day", "ecu.hex", NULL, c);
	run_capture(c, "ds3-unseen", 11 + 4 * (10 + 6) + 4 * 1);
	CHECKF(has_entity("704000038131", "online") && !has_entity("704000038131", "signal"), "type 00: online only");
	CHECKF(has_entity("704000037390", "panel_2_voltage") && !has_entity("704000037390", "panel_3_power"),
	       "DS3: two panels");
	/* Night: five offline QS1 still get their entities (unavailable until sunrise). */
	load_capture("ecu-c-qs1x5-unseen4-night", "ecu.hex", "215000000001", c);
	run_capture(c, "ecu-c night", 11 + 5 * (11 + 10) + 4 * 1);
	/* One DS3, no signal reply. */
	load_capture("ecu-b-2163-ds3x1-afternoon", "ecu.hex", "216300000001", c);
	run_capture(c, "ecu-b ds3", 11 + 10 + 6);
	/* A new ECU-B: lifetime 0, no inverter reply; all three replies in turn. */
	static const char *const lifetime0[] = {"ecu.hex", "ecu.2.hex", "ecu.3.hex"};
	for (size_t i = 0; i < 3; i++) {
		load_capture("ecu-b-2163-new-lifetime0", lifetime0[i], NULL, c);
		if (i == 0) run_capture(c, "lifetime0", 11);
		else {
			struct aps_cycle cycle = cycle_of(c);
			publish_state("aps/216300036646", aps_payload_ecu(&cycle));
		}
	}
	/* A reply that does not parse gives nothing to announce. */
	load_capture("ecu-b-replaced-short-noend", "ecu.hex", NULL, c);
	CHECKF(!c->has_info && !c->has_inv, "short reply rejected by the parser");

	/* Device topics over everything emitted with the plain context are unique
	 * (and with them the unique_ids, checked to be aps_<device id>_<object>). */
	for (size_t i = 0; i < message_count; i++)
		for (size_t j = i + 1; j < message_count; j++)
			CHECKF(strcmp(messages[i].topic, messages[j].topic) != 0, "duplicate %s", messages[i].topic);

	load_capture("ecu-c-qs1x5-unseen4-night", "ecu.hex", "215000000001", c);
	run_control(c);

	printf("test_discovery: %zu configs built\n", message_count);
	for (size_t i = 0; i < message_count; i++) {
		free(messages[i].topic);
		free(messages[i].payload);
	}
	free(c);
	if (out != NULL && fclose(out) != 0) CHECKF(false, "writing %s", argv[1]);
	return aps_check_report("test_discovery");
}
