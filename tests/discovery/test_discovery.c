/*
 * test_discovery.c - the Home Assistant discovery configs built from the real
 * captures: counts, unique ids, topics, two configs written out by hand, and
 * the refusals.  With a path argument it also writes every config and the
 * state messages the plugin would publish for the same captures, one JSON
 * object per line, for ha_check.py to hold against Home Assistant's rules.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "hexfile.h"
#include "payload.h"

static int failures;
#define CHECK(cond, ...)                                                                   \
	do {                                                                                   \
		if (!(cond)) {                                                                     \
			if (failures++ < 40) {                                                         \
				fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);     \
				fprintf(stderr, __VA_ARGS__);                                              \
				fputc('\n', stderr);                                                       \
			}                                                                              \
		}                                                                                  \
	} while (0)

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
	CHECK(text != NULL, "JSON line for %s", topic);
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
	CHECK(text != NULL, "state payload for %s", topic);
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
	CHECK(errno == ENOENT, "%s: %s", path, strerror(errno));
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
		CHECK(c->has_info, "%s/%s: %s", name, ecu_file, err.reason);
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

static struct aps_cycle cycle_of(const struct capture *c)
{
	struct aps_cycle cycle = {
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

/* Every config emitted since `from`: topic shape and the payload's own ids agree. */
static void check_configs(size_t from, const char *prefix, const char *what)
{
	for (size_t i = from; i < message_count; i++) {
		const char *topic = messages[i].topic;
		cJSON *cfg = cJSON_Parse(messages[i].payload);
		const cJSON *uid = cJSON_GetObjectItemCaseSensitive(cfg, "unique_id");
		const cJSON *eid = cJSON_GetObjectItemCaseSensitive(cfg, "default_entity_id");
		CHECK(cfg != NULL && cJSON_IsString(uid) && cJSON_IsString(eid), "%s: %s parses", what, topic);
		if (!cJSON_IsString(uid) || !cJSON_IsString(eid)) {
			cJSON_Delete(cfg);
			continue;
		}
		char want_topic[512], want_eid[128];
		const char *domain = strncmp(eid->valuestring, "binary_sensor.", 14) == 0 ? "binary_sensor" : "sensor";
		snprintf(want_topic, sizeof(want_topic), "%s/%s/%s/config", prefix, domain, uid->valuestring);
		snprintf(want_eid, sizeof(want_eid), "%s.%s", domain, uid->valuestring);
		CHECK(strcmp(topic, want_topic) == 0, "%s: topic %s, want %s", what, topic, want_topic);
		CHECK(strcmp(eid->valuestring, want_eid) == 0, "%s: %s", what, eid->valuestring);
		CHECK(strncmp(uid->valuestring, "aps_", 4) == 0, "%s: unique_id %s", what, uid->valuestring);
		CHECK(!cJSON_HasObjectItem(cfg, "object_id"), "%s: no deprecated object_id", what);
		CHECK(strchr(messages[i].payload, '\n') == NULL && strstr(messages[i].payload, "\": ") == NULL,
		      "%s: compact JSON", what);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(messages[j].topic, topic) != 0, "%s: %s emitted twice", what, topic);
		cJSON_Delete(cfg);
	}
}

/* The latest config emitted for unique_id. */
static const char *find_config(const char *unique_id)
{
	char tail[96];
	snprintf(tail, sizeof(tail), "/%s/config", unique_id);
	for (size_t i = message_count; i-- > 0;) {
		size_t n = strlen(messages[i].topic), t = strlen(tail);
		if (n > t && strcmp(messages[i].topic + n - t, tail) == 0) return messages[i].payload;
	}
	return NULL;
}

static void expect_config(const char *unique_id, const char *want)
{
	const char *got = find_config(unique_id);
	CHECK(got != NULL && strcmp(got, want) == 0, "%s:\n  got  %s\n  want %s", unique_id,
	      got ? got : "(none)", want);
}

/* Discovery for a whole capture, then its state messages as the plugin sends them. */
static void run_capture(const struct capture *c, const char *what, int want_total)
{
	size_t from = message_count;
	struct aps_cycle cycle = cycle_of(c);
	int total = discovery_ecu(&plain_ctx, &c->info, collect, NULL);
	CHECK(total == 10, "%s: ECU configs %d, want 10", what, total);
	for (size_t i = 0; c->has_inv && i < c->inv.count; i++) {
		int n = discovery_inverter(&plain_ctx, c->info.ecu_id, c->info.firmware, &c->records[i],
		                           collect, NULL);
		int want = strcmp(c->records[i].type, "00") == 0
		               ? 1
		               : 1 + 4 + (c->records[i].voltages > 0) + c->records[i].channels + c->records[i].voltages;
		CHECK(n == want, "%s: inverter %s (type %s) configs %d, want %d", what, c->records[i].uid,
		      c->records[i].type, n, want);
		total += n;
	}
	CHECK(total == want_total, "%s: %d configs, want %d", what, total, want_total);
	CHECK(message_count - from == (size_t)want_total, "%s: collected %zu", what, message_count - from);
	check_configs(from, "homeassistant", what);

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
	snprintf(topic, sizeof(topic), "aps/%s/%s", c->info.ecu_id, APS_DIAG_TOPIC);
	publish_state(topic, diag);
}

/* The exact text of one ECU and one panel config, with a topic prefix set. */
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
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == 10, "prefixed ECU");
	CHECK(discovery_inverter(&ctx, c->info.ecu_id, NULL, &c->records[0], collect, NULL) == 11,
	      "prefixed QS1");
	out = saved;
	check_configs(from, "ha", "prefixed");
	CHECK(strcmp(messages[from + 2].topic, "ha/sensor/aps_216200033510_lifetime_energy/config") == 0,
	      "third config is lifetime_energy: %s", messages[from + 2].topic);
	expect_config("aps_216200033510_lifetime_energy",
		"{\"name\":\"Lifetime energy\",\"unique_id\":\"aps_216200033510_lifetime_energy\","
		"\"default_entity_id\":\"sensor.aps_216200033510_lifetime_energy\","
		"\"state_topic\":\"solar/aps/216200033510\","
		"\"value_template\":\"{{ value_json.lifetime_energy | default('') }}\","
		"\"device_class\":\"energy\",\"unit_of_measurement\":\"kWh\",\"state_class\":\"total_increasing\","
		"\"availability\":["
		"{\"topic\":\"solar/aps/status\",\"payload_available\":\"online\",\"payload_not_available\":\"offline\"},"
		"{\"topic\":\"solar/aps/216200033510/status\",\"payload_available\":\"online\","
		"\"payload_not_available\":\"offline\"}],"
		"\"availability_mode\":\"all\","
		"\"device\":{\"identifiers\":[\"216200033510\"],\"name\":\"APS ECU 216200033510\","
		"\"manufacturer\":\"APsystems\",\"model\":\"ECU-R-PRO\",\"sw_version\":\"ECU_R_PRO_2.1.17\"},"
		"\"origin\":{\"name\":\"mosquitto-aps-ecu\",\"sw_version\":\"0.1.0\","
		"\"support_url\":\"https://example.invalid/aps\"}}");
	expect_config("aps_804000070564_panel_3_power",
		"{\"name\":\"Panel 3 power\",\"unique_id\":\"aps_804000070564_panel_3_power\","
		"\"default_entity_id\":\"sensor.aps_804000070564_panel_3_power\","
		"\"state_topic\":\"solar/aps/216200033510/804000070564\","
		"\"value_template\":\"{{ value_json.panel_3_power | default('') }}\","
		"\"device_class\":\"power\",\"unit_of_measurement\":\"W\",\"state_class\":\"measurement\","
		"\"availability\":["
		"{\"topic\":\"solar/aps/status\",\"payload_available\":\"online\",\"payload_not_available\":\"offline\"},"
		"{\"topic\":\"solar/aps/216200033510/status\",\"payload_available\":\"online\","
		"\"payload_not_available\":\"offline\"},"
		"{\"topic\":\"solar/aps/216200033510/804000070564\",\"payload_available\":\"online\","
		"\"payload_not_available\":\"offline\","
		"\"value_template\":\"{{ 'online' if value_json.online else 'offline' }}\"}],"
		"\"availability_mode\":\"all\","
		"\"device\":{\"identifiers\":[\"804000070564\"],\"name\":\"APS Inverter 804000070564\","
		"\"manufacturer\":\"APsystems\",\"model\":\"QS1\",\"via_device\":\"216200033510\"},"
		"\"origin\":{\"name\":\"mosquitto-aps-ecu\",\"sw_version\":\"0.1.0\","
		"\"support_url\":\"https://example.invalid/aps\"}}");
	expect_config("aps_804000070564_online",
		"{\"name\":\"Online\",\"unique_id\":\"aps_804000070564_online\","
		"\"default_entity_id\":\"binary_sensor.aps_804000070564_online\","
		"\"state_topic\":\"solar/aps/216200033510/804000070564\","
		"\"value_template\":\"{{ 'ON' if value_json.online else 'OFF' }}\","
		"\"device_class\":\"connectivity\",\"payload_on\":\"ON\",\"payload_off\":\"OFF\","
		"\"availability\":["
		"{\"topic\":\"solar/aps/status\",\"payload_available\":\"online\",\"payload_not_available\":\"offline\"},"
		"{\"topic\":\"solar/aps/216200033510/status\",\"payload_available\":\"online\","
		"\"payload_not_available\":\"offline\"}],"
		"\"availability_mode\":\"all\","
		"\"device\":{\"identifiers\":[\"804000070564\"],\"name\":\"APS Inverter 804000070564\","
		"\"manufacturer\":\"APsystems\",\"model\":\"QS1\",\"via_device\":\"216200033510\"},"
		"\"origin\":{\"name\":\"mosquitto-aps-ecu\",\"sw_version\":\"0.1.0\","
		"\"support_url\":\"https://example.invalid/aps\"}}");
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
	CHECK(discovery_ecu(&ctx, &info, collect, NULL) == -DISCOVERY_E_ARG, "ECU id with a letter");
	CHECK(discovery_inverter(&ctx, "2162000335", NULL, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	      "short ECU id");
	strcpy(inv.uid, "80400007056+");
	CHECK(discovery_inverter(&ctx, c->info.ecu_id, NULL, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	      "UID with a wildcard");
	strcpy(inv.uid, "80400007056A");
	CHECK(discovery_inverter(&ctx, c->info.ecu_id, NULL, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	      "UID not lowercase hex");
	inv = c->records[0];
	inv.channels = APS_MAX_CHANNELS + 1;
	CHECK(discovery_inverter(&ctx, c->info.ecu_id, NULL, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	      "too many channels");
	inv = c->records[0];
	ctx.topic_base = "sol#ar/";
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "wildcard in base");
	ctx.topic_base = "solar//";
	CHECK(discovery_inverter(&ctx, c->info.ecu_id, NULL, &inv, collect, NULL) == -DISCOVERY_E_ARG,
	      "empty level in base");
	ctx.topic_base = "/";
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "base starting with /");
	ctx.topic_base = "solar";
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "base without its '/'");
	ctx = plain_ctx;
	ctx.discovery_prefix = "home+assistant";
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "wildcard in prefix");
	ctx.discovery_prefix = "";
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "empty prefix");
	ctx = plain_ctx;
	ctx.status_topic = NULL;
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "no status topic");
	CHECK(discovery_ecu(NULL, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "NULL ctx");
	CHECK(discovery_ecu(&plain_ctx, NULL, collect, NULL) == -DISCOVERY_E_ARG, "NULL info");
	CHECK(discovery_inverter(&plain_ctx, c->info.ecu_id, NULL, NULL, collect, NULL) == -DISCOVERY_E_ARG,
	      "NULL inverter");
	CHECK(discovery_ecu(&plain_ctx, &c->info, NULL, NULL) == -DISCOVERY_E_ARG, "NULL emit");
	/* A prefix so long that the config topic cannot fit. */
	char longp[DISCOVERY_TOPIC_MAX];
	memset(longp, 'p', sizeof(longp) - 30);
	longp[sizeof(longp) - 30] = '\0';
	ctx = plain_ctx;
	ctx.discovery_prefix = longp;
	CHECK(discovery_ecu(&ctx, &c->info, collect, NULL) == -DISCOVERY_E_ARG, "config topic too long");
	CHECK(message_count == before, "refusals emitted %zu configs", message_count - before);

	/* Firmware that is not printable ASCII is left out, not refused.  These
	 * configs repeat ones already written, so they are dropped afterwards. */
	FILE *saved = out;
	out = NULL;
	strcpy(info.ecu_id, c->info.ecu_id);
	strcpy(info.firmware, "ECU\x01R");
	CHECK(discovery_ecu(&plain_ctx, &info, collect, NULL) == 10, "odd ECU firmware");
	CHECK(discovery_inverter(&plain_ctx, info.ecu_id, "\x7f", &inv, collect, NULL) == 11,
	      "odd inverter firmware");
	for (size_t i = before; i < message_count; i++) {
		CHECK(strstr(messages[i].payload, "\"sw_version\":\"ECU") == NULL &&
		      strstr(messages[i].payload, "\"device\":{") != NULL, "%s: sw_version", messages[i].topic);
		free(messages[i].topic);
		free(messages[i].payload);
	}
	CHECK(message_count == before + 21, "odd firmware: %zu configs", message_count - before);
	message_count = before;
	out = saved;

	/* An emit failure stops the build at once. */
	int calls = 0;
	CHECK(discovery_ecu(&plain_ctx, &c->info, fail_second, &calls) == -DISCOVERY_E_EMIT && calls == 2,
	      "emit failure: %d calls", calls);
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
	run_capture(c, "6xqs1", 10 + 6 * 11);
	test_exact(c);
	test_refusals(c);
	/* Six QT2: 4 channels, 3 voltages: 1 + 5 + 4 + 3. */
	load_capture("ecu-r-2160-qt2x6-20231120", "ecu.hex", NULL, c);
	run_capture(c, "qt2", 10 + 6 * 13);
	/* Four DS3 (1 + 5 + 2 + 2) and four never-seen type 00 (online only). */
	load_capture("ecu-r-pro-2162-ds3x4-unseen4-day", "ecu.hex", NULL, c);
	run_capture(c, "ds3-unseen", 10 + 4 * 10 + 4 * 1);
	CHECK(find_config("aps_704000038131_online") != NULL && find_config("aps_704000038131_signal") == NULL,
	      "type 00: online only");
	/* Night: five offline QS1 still get their entities (unavailable until sunrise). */
	load_capture("ecu-c-qs1x5-unseen4-night", "ecu.hex", "215000000001", c);
	run_capture(c, "ecu-c night", 10 + 5 * 11 + 4 * 1);
	/* One DS3, no signal reply. */
	load_capture("ecu-b-2163-ds3x1-afternoon", "ecu.hex", "216300000001", c);
	run_capture(c, "ecu-b ds3", 10 + 10);
	/* A new ECU-B: lifetime 0, no inverter reply; all three replies in turn. */
	static const char *const lifetime0[] = {"ecu.hex", "ecu.2.hex", "ecu.3.hex"};
	for (size_t i = 0; i < 3; i++) {
		load_capture("ecu-b-2163-new-lifetime0", lifetime0[i], NULL, c);
		if (i == 0) run_capture(c, "lifetime0", 10);
		else {
			struct aps_cycle cycle = cycle_of(c);
			publish_state("aps/216300036646", aps_payload_ecu(&cycle));
		}
	}
	/* A reply that does not parse gives nothing to announce. */
	load_capture("ecu-b-replaced-short-noend", "ecu.hex", NULL, c);
	CHECK(!c->has_info && !c->has_inv, "short reply rejected by the parser");

	/* unique_ids over everything emitted with the plain context are unique (the topic holds them). */
	for (size_t i = 0; i < message_count; i++)
		for (size_t j = i + 1; j < message_count; j++)
			CHECK(strcmp(messages[i].topic, messages[j].topic) != 0, "duplicate %s", messages[i].topic);

	printf("test_discovery: %zu configs built\n", message_count);
	for (size_t i = 0; i < message_count; i++) {
		free(messages[i].topic);
		free(messages[i].payload);
	}
	free(c);
	if (out != NULL && fclose(out) != 0) CHECK(false, "writing %s", argv[1]);
	if (failures > 0) {
		fprintf(stderr, "test_discovery: %d check(s) failed\n", failures);
		return 1;
	}
	printf("test_discovery: all checks passed\n");
	return 0;
}
