// SPDX-License-Identifier: MIT
/* forget.c - `aps-ecu forget`: clears from a broker the retained messages the
 * plugin left there (Home Assistant device configs, status topics, retained
 * state), so that Home Assistant forgets the devices once the plugin is gone.
 *
 * It subscribes to <P>aps/# and <discovery_prefix>/device/+/config, collects
 * the retained messages the broker sends at once, keeps those that are the
 * plugin's by topic and content, and publishes an empty retained message to
 * each (which deletes it), or with --dry-run only lists them. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include "commands.h"

#define ORIGIN_NAME "mosquitto-aps-ecu" /* the "o" block of our discovery configs */
#define MAX_TOPICS 200000
#define MAX_COLLECT_MS 30000

struct forget {
	const char *topic_prefix;     /* "" or without a trailing '/' */
	const char *discovery_prefix; /* e.g. "homeassistant" */
	bool connected, subscribed, failed;
	int connect_rc;
	int64_t last_activity_ms;
	char **topics; /* ours, to clear */
	size_t count, cap;
	size_t others; /* retained messages under the same filters that are not ours */
	bool plugin_online;
	int pending;   /* publishes not yet acknowledged */
	long quiet_ms; /* collecting ends once nothing came for this long */
};

static void usage(FILE *out)
{
	fputs("usage: aps-ecu forget [--host H] [--port P] [--username U] [--password W]\n"
	      "                      [--topic-prefix P] [--discovery-prefix D] [--wait MS] [--dry-run]\n"
	      "\n"
	      "Deletes from an MQTT broker the retained messages the plugin published: the Home\n"
	      "Assistant device configs D/device/aps_<id>/config whose origin is mosquitto-aps-ecu,\n"
	      "and P/aps/status, P/aps/<ECU_ID>, P/aps/<ECU_ID>/status, .../diagnostics,\n"
	      ".../needs_power_cycle and .../<UID>. It publishes an empty retained message to each, which makes Home\n"
	      "Assistant remove the devices. Other retained messages are left alone. Run it once\n"
	      "the plugin no longer runs (it would publish them again).\n"
	      "\n"
	      "  --host H              broker (default: $MQTT_BROKER_HOST, else localhost)\n"
	      "  --port P              broker port (default: $MQTT_BROKER_PORT, else 1883)\n"
	      "  --username U          (default: $MQTT_BROKER_USER)\n"
	      "  --password W          (default: $MQTT_BROKER_PASSWD)\n"
	      "  --topic-prefix P      the plugin's topic_prefix (default: $MQTT_TOPIC_PREFIX, else none)\n"
	      "  --discovery-prefix D  the plugin's discovery_prefix (default: $MQTT_DISCOVERY_PREFIX,\n"
	      "                        else homeassistant)\n"
	      "  --wait MS             stop collecting once the broker has sent nothing for MS\n"
	      "                        milliseconds (default 1000; at most 30 s in all)\n"
	      "  --dry-run             list what would be deleted, delete nothing\n"
	      "\n"
	      "Prints each topic deleted (or that would be). Exit status: 0 done, 1 the broker\n"
	      "could not be used, 2 usage error.\n",
	      out);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool all_chars(const char *s, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL) return false;
	return true;
}

/* An ECU id: 12 digits; an inverter UID: 12 hex digits (as the plugin checks them). */
static bool is_ecu_id(const char *s, size_t len)
{
	return len == 12 && all_chars(s, len, "0123456789");
}

static bool is_uid(const char *s, size_t len)
{
	return len == 12 && all_chars(s, len, "0123456789abcdefABCDEF");
}

static bool is_json_object(const char *payload, int len)
{
	cJSON *j = cJSON_ParseWithLength(payload, (size_t)len);
	bool ok = cJSON_IsObject(j);
	cJSON_Delete(j);
	return ok;
}

static bool is_status(const char *payload, int len)
{
	return (len == 6 && memcmp(payload, "online", 6) == 0) || (len == 7 && memcmp(payload, "offline", 7) == 0);
}

/* Whether topic (already without the topic prefix) and payload are one of the
 * plugin's aps/ messages. */
static bool ours_state(struct forget *f, const char *t, const char *payload, int len)
{
	if (strncmp(t, "aps/", 4) != 0) return false;
	t += 4;
	if (strcmp(t, "status") == 0) {
		if (len == 6 && memcmp(payload, "online", 6) == 0) f->plugin_online = true;
		return is_status(payload, len);
	}
	const char *slash = strchr(t, '/');
	if (slash == NULL) return is_ecu_id(t, strlen(t)) && is_json_object(payload, len);
	if (!is_ecu_id(t, (size_t)(slash - t))) return false;
	const char *sub = slash + 1;
	if (strcmp(sub, "status") == 0) return is_status(payload, len);
	if (strcmp(sub, "diagnostics") == 0) return is_json_object(payload, len);
	if (strcmp(sub, "needs_power_cycle") == 0)
		return (len == 2 && memcmp(payload, "ON", 2) == 0) || (len == 3 && memcmp(payload, "OFF", 3) == 0);
	return is_uid(sub, strlen(sub)) && is_json_object(payload, len);
}

/* Whether payload is one of our device configs for device id (the topic's
 * aps_<id>): origin mosquitto-aps-ecu and the device's identifiers [id]. */
static bool ours_config(const char *id, const char *payload, int len)
{
	cJSON *j = cJSON_ParseWithLength(payload, (size_t)len);
	const cJSON *origin = cJSON_GetObjectItemCaseSensitive(j, "o");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(origin, "name");
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "dev");
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(dev, "ids");
	const cJSON *first = cJSON_GetArrayItem(ids, 0);
	bool ok = cJSON_IsString(name) && strcmp(name->valuestring, ORIGIN_NAME) == 0 && cJSON_IsArray(ids) &&
	          cJSON_GetArraySize(ids) == 1 && cJSON_IsString(first) && strcmp(first->valuestring, id) == 0;
	cJSON_Delete(j);
	return ok;
}

static bool is_ours(struct forget *f, const char *topic, const char *payload, int len)
{
	size_t dl = strlen(f->discovery_prefix);
	if (strncmp(topic, f->discovery_prefix, dl) == 0 && strncmp(topic + dl, "/device/aps_", 12) == 0) {
		const char *id = topic + dl + 12;
		const char *end = strchr(id, '/');
		if (end != NULL && strcmp(end, "/config") == 0 && end - id == 12 &&
		    (is_ecu_id(id, 12) || is_uid(id, 12))) {
			char idbuf[13];
			memcpy(idbuf, id, 12);
			idbuf[12] = '\0';
			return ours_config(idbuf, payload, len);
		}
	}
	size_t pl = strlen(f->topic_prefix);
	if (pl > 0) {
		if (strncmp(topic, f->topic_prefix, pl) != 0 || topic[pl] != '/') return false;
		topic += pl + 1;
	}
	return ours_state(f, topic, payload, len);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	struct forget *f = obj;
	f->connect_rc = rc;
	if (rc != 0) {
		f->failed = true;
		return;
	}
	f->connected = true;
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
	(void)mosq;
	(void)mid;
	struct forget *f = obj;
	for (int i = 0; i < count; i++)
		if (granted[i] > 2) f->failed = true; /* 0x80: refused */
	f->subscribed = true;
	f->last_activity_ms = now_ms();
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
	(void)mosq;
	struct forget *f = obj;
	if (f->subscribed) f->last_activity_ms = now_ms();
	if (!m->retain || m->payloadlen == 0) return; /* live traffic, or already deleted */
	if (!is_ours(f, m->topic, m->payload, m->payloadlen)) {
		f->others++;
		return;
	}
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->topics[i], m->topic) == 0) return;
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		char **t = cap <= MAX_TOPICS ? realloc(f->topics, cap * sizeof(*t)) : NULL;
		if (t == NULL) {
			f->failed = true;
			return;
		}
		f->topics = t;
		f->cap = cap;
	}
	f->topics[f->count] = strdup(m->topic);
	if (f->topics[f->count] == NULL) {
		f->failed = true;
		return;
	}
	f->count++;
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	(void)mosq;
	(void)mid;
	struct forget *f = obj;
	f->pending--;
}

static bool parse_int(const char *s, long min, long max, long *out)
{
	if (s == NULL || *s < '0' || *s > '9') return false;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) return false;
	*out = v;
	return true;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v != NULL && *v != '\0' ? v : fallback;
}

/* Runs the loop until done() or deadline; false on a lost connection. */
static bool loop_until(struct mosquitto *mosq, struct forget *f, bool (*done)(const struct forget *),
                       int64_t deadline)
{
	while (!done(f) && !f->failed && now_ms() < deadline) {
		int rc = mosquitto_loop(mosq, 50, 1);
		if (rc != MOSQ_ERR_SUCCESS && !f->connected && f->connect_rc != 0) return true; /* caller says why */
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "aps-ecu forget: connection to the broker lost: %s\n", mosquitto_strerror(rc));
			return false;
		}
	}
	return true;
}

static bool is_connected(const struct forget *f) { return f->connected; }
static bool is_subscribed(const struct forget *f) { return f->subscribed; }
static bool all_acked(const struct forget *f) { return f->pending <= 0; }
static bool is_quiet(const struct forget *f) { return now_ms() - f->last_activity_ms >= f->quiet_ms; }

static int run(struct mosquitto *mosq, struct forget *f, const char *host, long port, bool dry_run)
{
	int rc = mosquitto_connect(mosq, host, (int)port, 30);
	if (rc != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "aps-ecu forget: cannot connect to %s:%ld: %s\n", host, port,
		        rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		return 1;
	}
	if (!loop_until(mosq, f, is_connected, now_ms() + 10000)) return 1;
	if (!f->connected) {
		fprintf(stderr, "aps-ecu forget: %s:%ld refused the connection: %s\n", host, port,
		        f->failed ? mosquitto_connack_string(f->connect_rc) : "no answer in 10 s");
		return 1;
	}

	char state[300], config[300];
	snprintf(state, sizeof state, "%s%saps/#", f->topic_prefix, *f->topic_prefix ? "/" : "");
	snprintf(config, sizeof config, "%s/device/+/config", f->discovery_prefix);
	char *const subs[] = { state, config };
	rc = mosquitto_subscribe_multiple(mosq, NULL, 2, subs, 0, 0, NULL);
	if (rc != MOSQ_ERR_SUCCESS || !loop_until(mosq, f, is_subscribed, now_ms() + 10000) || !f->subscribed ||
	    f->failed) {
		fprintf(stderr, "aps-ecu forget: cannot subscribe to %s and %s%s\n", state, config,
		        f->subscribed ? ": refused (access control?)" : "");
		return 1;
	}
	if (!loop_until(mosq, f, is_quiet, now_ms() + MAX_COLLECT_MS) || f->failed) {
		if (f->failed) fprintf(stderr, "aps-ecu forget: out of memory collecting topics\n");
		return 1;
	}
	if (f->plugin_online)
		fprintf(stderr, "aps-ecu forget: the plugin's aps/status says online: if it still runs, it will "
		                "publish again; remove it from the broker's config first\n");

	for (size_t i = 0; i < f->count; i++) {
		if (dry_run) {
			printf("would delete %s\n", f->topics[i]);
			continue;
		}
		rc = mosquitto_publish(mosq, NULL, f->topics[i], 0, NULL, 1, true);
		if (rc != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "aps-ecu forget: cannot delete %s: %s\n", f->topics[i], mosquitto_strerror(rc));
			return 1;
		}
		f->pending++;
		printf("deleted %s\n", f->topics[i]);
		/* Keep the outgoing queue short on large installations. */
		if (f->pending >= 100 && !loop_until(mosq, f, all_acked, now_ms() + 10000)) return 1;
	}
	if (!loop_until(mosq, f, all_acked, now_ms() + 10000)) return 1;
	if (f->pending > 0) {
		fprintf(stderr, "aps-ecu forget: the broker did not confirm %d deletions in 10 s\n", f->pending);
		return 1;
	}
	fprintf(stderr, "aps-ecu forget: %s %zu retained messages of the plugin; left %zu others alone\n",
	        dry_run ? "would delete" : "deleted", f->count, f->others);
	mosquitto_disconnect(mosq);
	return 0;
}

int aps_forget_main(int argc, char **argv)
{
	const char *host = env_or("MQTT_BROKER_HOST", "localhost");
	const char *port_text = env_or("MQTT_BROKER_PORT", "1883");
	const char *user = env_or("MQTT_BROKER_USER", NULL);
	const char *password = env_or("MQTT_BROKER_PASSWD", NULL);
	struct forget f = {
		.topic_prefix = env_or("MQTT_TOPIC_PREFIX", ""),
		.discovery_prefix = env_or("MQTT_DISCOVERY_PREFIX", "homeassistant"),
	};
	bool dry_run = false;
	long port, wait = 1000;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(opt, "--dry-run") == 0) {
			dry_run = true;
			continue;
		}
		const char **slot = strcmp(opt, "--host") == 0               ? &host
		                    : strcmp(opt, "--port") == 0             ? &port_text
		                    : strcmp(opt, "--username") == 0         ? &user
		                    : strcmp(opt, "--password") == 0         ? &password
		                    : strcmp(opt, "--topic-prefix") == 0     ? &f.topic_prefix
		                    : strcmp(opt, "--discovery-prefix") == 0 ? &f.discovery_prefix
		                                                             : NULL;
		if (slot == NULL && strcmp(opt, "--wait") != 0) {
			fprintf(stderr, "aps-ecu forget: unknown option %s (see --help)\n", opt);
			return 2;
		}
		if (val == NULL) {
			fprintf(stderr, "aps-ecu forget: %s needs a value (see --help)\n", opt);
			return 2;
		}
		i++;
		if (slot != NULL) {
			*slot = val;
		} else if (!parse_int(val, 100, MAX_COLLECT_MS, &wait)) {
			fprintf(stderr, "aps-ecu forget: --wait %s: want milliseconds (100-30000)\n", val);
			return 2;
		}
	}
	if (!parse_int(port_text, 1, 65535, &port)) {
		fprintf(stderr, "aps-ecu forget: port %s: want 1-65535\n", port_text);
		return 2;
	}
	size_t tl = strlen(f.topic_prefix), dl = strlen(f.discovery_prefix);
	if (tl > 200 || dl == 0 || dl > 200 || strpbrk(f.topic_prefix, "+#") != NULL ||
	    strpbrk(f.discovery_prefix, "+#") != NULL || (tl > 0 && f.topic_prefix[tl - 1] == '/') ||
	    f.discovery_prefix[dl - 1] == '/') {
		fprintf(stderr, "aps-ecu forget: the topic and discovery prefixes are topic levels as in the "
		                "plugin's options: no '+', '#' or trailing '/', the discovery prefix not empty\n");
		return 2;
	}
	f.quiet_ms = wait;

	mosquitto_lib_init();
	struct mosquitto *mosq = mosquitto_new(NULL, true, &f);
	int rc = 1;
	if (mosq == NULL) {
		fprintf(stderr, "aps-ecu forget: out of memory\n");
	} else if (user != NULL && mosquitto_username_pw_set(mosq, user, password) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "aps-ecu forget: cannot use that username and password\n");
	} else {
		mosquitto_connect_callback_set(mosq, on_connect);
		mosquitto_subscribe_callback_set(mosq, on_subscribe);
		mosquitto_message_callback_set(mosq, on_message);
		mosquitto_publish_callback_set(mosq, on_publish);
		rc = run(mosq, &f, host, port, dry_run);
	}
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	for (size_t i = 0; i < f.count; i++) free(f.topics[i]);
	free(f.topics);
	return rc;
}
