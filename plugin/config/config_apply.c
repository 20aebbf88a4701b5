// SPDX-License-Identifier: MIT
/*
 * config_apply.c - the options: their table (plugin option name, aps2mqtt's
 * key and environment variable, kind, range), finding one by any of its
 * names, and applying a value read from any source; the environment read.
 * config.c orders the sources, config_yaml.c reads the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "config_internal.h"

enum opt_kind { KIND_HOSTS, KIND_INT, KIND_BOOL, KIND_DEGREES, KIND_TOPIC, KIND_ZONE, KIND_TEXT, KIND_PATH };

struct opt_def {
	const char *name;     /* plugin_opt_<name> */
	const char *aps2mqtt; /* aps2mqtt's YAML key and environment variable, or NULL */
	const char *section;  /* the YAML section of that key; NULL: environment only */
	enum opt_kind kind;
	size_t offset;        /* of the field in struct aps_config */
	long min, max;        /* KIND_INT, KIND_DEGREES: range; KIND_TEXT: max length;
	                         KIND_TOPIC: min 1 when it may not be empty */
	const char *what;     /* "is not <what>" */
};

#define FIELD(f) offsetof(struct aps_config, f)

static const struct opt_def opt_defs[OPT_COUNT] = {
	[OPT_ECU_HOST] = {"ecu_host", "APS_ECU_IP", "ecu", KIND_HOSTS, 0, 0, 0, NULL},
	[OPT_ECU_PORT] = {"ecu_port", "APS_ECU_PORT", "ecu", KIND_INT, FIELD(ecu_port), 1, 65535,
	                  "a port (1-65535)"},
	[OPT_POLL_INTERVAL] = {"poll_interval", NULL, NULL, KIND_INT, FIELD(poll_interval_s), 1, 86400,
	                       "a number of seconds (1-86400; leave it unset to follow the ECU's "
	                       "own 5-minute refresh)"},
	[OPT_RETRY_INTERVAL] = {"retry_interval", NULL, NULL, KIND_INT, FIELD(retry_interval_s), 1,
	                        86400, "a number of seconds (1-86400)"},
	[OPT_REQUEST_GAP_MS] = {"request_gap_ms", NULL, NULL, KIND_INT, FIELD(request_gap_ms), 0,
	                        10000, "a number of milliseconds (0-10000)"},
	[OPT_TIMEOUT_MS] = {"timeout_ms", NULL, NULL, KIND_INT, FIELD(timeout_ms), 100, 60000,
	                    "a number of milliseconds (100-60000)"},
	[OPT_TOPIC_PREFIX] = {"topic_prefix", "MQTT_TOPIC_PREFIX", "mqtt", KIND_TOPIC,
	                      FIELD(topic_prefix), 0, 0, NULL},
	[OPT_RETAIN] = {"retain", "MQTT_RETAIN", "mqtt", KIND_BOOL, FIELD(retain), 0, 0, NULL},
	[OPT_DISCOVERY] = {"discovery", "MQTT_DISCOVERY_ENABLED", "mqtt", KIND_BOOL, FIELD(discovery),
	                   0, 0, NULL},
	[OPT_DISCOVERY_PREFIX] = {"discovery_prefix", "MQTT_DISCOVERY_PREFIX", "mqtt", KIND_TOPIC,
	                          FIELD(discovery_prefix), 1, 0, NULL},
	[OPT_MIGRATE_APS2MQTT_DISCOVERY] = {"migrate_aps2mqtt_discovery", NULL, NULL, KIND_BOOL,
	                                    FIELD(migrate_aps2mqtt_discovery), 0, 0, NULL},
	[OPT_TIMEZONE] = {"timezone", "APS_ECU_TIMEZONE", "ecu", KIND_ZONE, FIELD(timezone), 0, 0, NULL},
	[OPT_STOP_AT_NIGHT] = {"stop_at_night", "APS_ECU_STOP_AT_NIGHT", "ecu", KIND_BOOL,
	                       FIELD(stop_at_night), 0, 0, NULL},
	[OPT_LATITUDE] = {"latitude", "APS_ECU_POSITION_LAT", "ecu", KIND_DEGREES, FIELD(latitude), -90,
	                  90, "a latitude (-90 to 90)"},
	[OPT_LONGITUDE] = {"longitude", "APS_ECU_POSITION_LNG", "ecu", KIND_DEGREES, FIELD(longitude),
	                   -180, 180, "a longitude (-180 to 180)"},
	[OPT_AUTO_RESTART] = {"auto_restart", "APS_ECU_AUTO_RESTART", "ecu", KIND_BOOL,
	                      FIELD(auto_restart), 0, 0, NULL},
	[OPT_WIFI_SSID] = {"wifi_ssid", "APS_ECU_WIFI_SSID", "ecu", KIND_TEXT, FIELD(wifi_ssid), 0,
	                   APS_CONFIG_SSID_MAX, NULL},
	[OPT_WIFI_PASSWD] = {"wifi_passwd", "APS_ECU_WIFI_PASSWD", "ecu", KIND_TEXT, FIELD(wifi_passwd),
	                     0, APS_CONFIG_PASSWD_MAX, NULL},
	[OPT_RESTART_AFTER] = {"restart_after", NULL, NULL, KIND_INT, FIELD(restart_after), 1, 1000,
	                       "a number of failed cycles (1-1000)"},
	[OPT_HTTP_PORT] = {"http_port", "APS_ECU_HTTP_PORT", "ecu", KIND_INT, FIELD(http_port), 1, 65535,
	                   "a port (1-65535)"},
	[OPT_CONTROL] = {"control", "APS_ECU_CONTROL", "ecu", KIND_BOOL, FIELD(control), 0, 0, NULL},
	[OPT_OFFLINE_AFTER] = {"offline_after", NULL, NULL, KIND_INT, FIELD(offline_after), 1, 1000,
	                       "a number of failed cycles (1-1000)"},
	[OPT_REDISCOVER_INTERVAL] = {"rediscover_interval", NULL, NULL, KIND_INT, FIELD(rediscover_interval_s), 1,
	                             86400, "a number of seconds (1-86400)"},
	[OPT_CONFIG_FILE] = {"config_file", "CONFIG_FILE", NULL, KIND_PATH, 0, 0, 0, NULL},
	[OPT_STATE_FILE] = {"state_file", NULL, NULL, KIND_TEXT, FIELD(state_file), 0, APS_CONFIG_PATH_MAX, NULL},
	[OPT_STATUS_EXPIRY] = {"status_expiry", NULL, NULL, KIND_INT, FIELD(status_expiry_s), 0, 86400,
	                       "a number of seconds (0-86400; 0: never)"},
	[OPT_STATE_EXPIRY] = {"state_expiry", NULL, NULL, KIND_INT, FIELD(state_expiry_s), 0, 604800,
	                      "a number of seconds (0-604800; 0: never)"},
};

#define NO_BROKER "the plugin publishes inside the broker, so there is no broker to connect to"
#define NO_LOGIN "the plugin publishes inside the broker, so there is no login"
#define NO_TLS "the plugin publishes inside the broker, so there is no connection to secure"

/* aps2mqtt settings for its own MQTT connection, which a plugin does not make. */
static const struct ignored_key {
	const char *key;
	const char *why;
} ignored_keys[] = {
	{"MQTT_BROKER_HOST", NO_BROKER},
	{"MQTT_BROKER_PORT", NO_BROKER},
	{"MQTT_BROKER_USER", NO_LOGIN},
	{"MQTT_BROKER_PASSWD", NO_LOGIN},
	{"MQTT_CLIENT_ID", "the plugin publishes as the broker itself, not as a client"},
	{"MQTT_BROKER_SECURED_CONNECTION", NO_TLS},
	{"MQTT_BROKER_CACERTS_PATH", NO_TLS},
};

#define IGNORED_COUNT (sizeof(ignored_keys) / sizeof(ignored_keys[0]))

bool config_find_aps2mqtt(const char *key, enum opt_id *id, const char **section)
{
	int i;

	for (i = 0; i < OPT_COUNT; i++) {
		if (opt_defs[i].section != NULL && strcasecmp(key, opt_defs[i].aps2mqtt) == 0) {
			*id = (enum opt_id)i;
			*section = opt_defs[i].section;
			return true;
		}
	}
	return false;
}

const char *config_ignored_key(const char *key, const char **section)
{
	size_t i;

	for (i = 0; i < IGNORED_COUNT; i++) {
		if (strcasecmp(key, ignored_keys[i].key) == 0) {
			*section = "mqtt";
			return ignored_keys[i].why;
		}
	}
	return NULL;
}

void config_log(struct loader *L, int level, const char *fmt, ...)
{
	char msg[CONFIG_MSG_SIZE];
	va_list ap;

	if (L->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->log(L->ctx, level, msg);
}

int config_fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;

	if (L->err != NULL && L->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(L->err, L->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int config_fail_at(struct loader *L, enum opt_id id, struct origin from, const char *fmt, ...)
{
	const struct opt_def *def = &opt_defs[id];
	char msg[CONFIG_MSG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	switch (from.kind) {
	case FROM_YAML:
		return config_fail(L, "%s:%lu: %s: %s", L->cfg->config_file, from.line, def->aps2mqtt,
		                   msg);
	case FROM_ENV:
		return config_fail(L, "%s (environment): %s", def->aps2mqtt, msg);
	default:
		return config_fail(L, "plugin_opt_%s: %s", def->name, msg);
	}
}

char *config_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = aps_calloc(1, len);

	if (copy != NULL)
		memcpy(copy, s, len);
	return copy;
}

int config_apply(struct loader *L, enum opt_id id, const char *value, struct origin from)
{
	const struct opt_def *def = &opt_defs[id];
	struct aps_config *cfg = L->cfg;
	char *field = (char *)cfg + def->offset;
	char *shown = L->shown[id];
	char why[CONFIG_MSG_SIZE / 2];
	const char *problem;
	struct aps_ecu_addr *addrs;
	int count;
	long n;
	double d;
	bool b;

	if (id == OPT_WIFI_PASSWD)
		snprintf(shown, CONFIG_SHOWN_SIZE, "(hidden)");
	else
		config_quote(value, shown, CONFIG_SHOWN_SIZE);

	switch (def->kind) {
	case KIND_HOSTS:
		if (config_parse_hosts(value, &addrs, &count, why, sizeof(why)) != 0)
			return config_fail_at(L, id, from, "%s is not a list of ECUs: %s", shown, why);
		aps_free(cfg->ecus);
		cfg->ecus = addrs;
		cfg->ecu_count = count;
		break;
	case KIND_INT:
		switch (config_parse_int(value, def->min, def->max, &n)) {
		case 0:
			break;
		case 1:
			return config_fail_at(L, id, from, "%s is not %s", shown, def->what);
		default:
			return config_fail_at(L, id, from, "%s is out of range for %s", shown, def->what);
		}
		*(int *)field = (int)n;
		break;
	case KIND_BOOL:
		if (!config_parse_bool(value, &b))
			return config_fail_at(L, id, from,
			                      "%s is not a boolean (yes/no, true/false, on/off, 1/0)", shown);
		*(bool *)field = b;
		break;
	case KIND_DEGREES:
		switch (config_parse_double(value, (double)def->min, (double)def->max, &d)) {
		case 0:
			break;
		case 1:
			return config_fail_at(L, id, from, "%s is not a number", shown);
		default:
			return config_fail_at(L, id, from, "%s is out of range for %s", shown, def->what);
		}
		*(double *)field = d;
		break;
	case KIND_TOPIC:
		problem = config_topic_problem(value, def->min == 0);
		if (problem != NULL)
			return config_fail_at(L, id, from, "%s is not a topic prefix: %s", shown, problem);
		memcpy(field, value, strlen(value) + 1);
		break;
	case KIND_ZONE:
		problem = config_zone_problem(value);
		if (problem != NULL)
			return config_fail_at(L, id, from, "%s is not a time zone name: %s", shown,
			                      problem);
		memcpy(field, value, strlen(value) + 1);
		break;
	case KIND_TEXT:
		if (strlen(value) > (size_t)def->max)
			return config_fail_at(L, id, from, "%s is longer than %ld bytes", shown, def->max);
		memcpy(field, value, strlen(value) + 1);
		break;
	case KIND_PATH:
		aps_free(cfg->config_file);
		cfg->config_file = config_strdup(value);
		if (cfg->config_file == NULL)
			return config_fail_at(L, id, from, "out of memory");
		break;
	}
	L->origin[id] = from;
	return 0;
}

/* Earlier names of options, still accepted. */
static const struct {
	const char *name;
	enum opt_id id;
} opt_aliases[] = {
	{"clear_aps2mqtt_discovery", OPT_MIGRATE_APS2MQTT_DISCOVERY},
	{"restart_port", OPT_HTTP_PORT},
};

bool config_find_option(const char *name, enum opt_id *id)
{
	int i;

	for (i = 0; i < (int)(sizeof(opt_aliases) / sizeof(opt_aliases[0])); i++) {
		if (strcasecmp(name, opt_aliases[i].name) == 0) {
			*id = opt_aliases[i].id;
			return true;
		}
	}
	for (i = 0; i < OPT_COUNT; i++) {
		if (strcasecmp(name, opt_defs[i].name) == 0) {
			*id = (enum opt_id)i;
			return true;
		}
	}
	return false;
}

const char *config_env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	}
	return NULL;
}

int config_read_environment(struct loader *L, char **envp)
{
	struct origin from = {FROM_ENV, 0};
	const char *value;
	size_t i;

	for (i = 0; i < OPT_COUNT; i++) {
		if (opt_defs[i].section == NULL)
			continue;
		value = config_env_get(envp, opt_defs[i].aps2mqtt);
		if (value != NULL && value[0] != '\0' &&
		    config_apply(L, (enum opt_id)i, value, from) != 0)
			return -1;
	}
	for (i = 0; i < IGNORED_COUNT; i++) {
		if (config_env_get(envp, ignored_keys[i].key) != NULL)
			config_log(L, APS_CONFIG_INFO, "%s (environment) is ignored: %s",
			           ignored_keys[i].key, ignored_keys[i].why);
	}
	return 0;
}


/* Whether option def holds the same value in a and b, compared as parsed
 * (a poll_interval of "05" and "5" is one value). */
static bool same_value(const struct opt_def *def, const struct aps_config *a, const struct aps_config *b)
{
	const char *fa = (const char *)a + def->offset;
	const char *fb = (const char *)b + def->offset;
	int i;

	switch (def->kind) {
	case KIND_HOSTS:
		if (a->ecu_count != b->ecu_count)
			return false;
		for (i = 0; i < a->ecu_count; i++) {
			if (a->ecus[i].port != b->ecus[i].port || strcasecmp(a->ecus[i].host, b->ecus[i].host) != 0)
				return false;
		}
		return true;
	case KIND_INT:
		return *(const int *)(const void *)fa == *(const int *)(const void *)fb;
	case KIND_BOOL:
		return *(const bool *)(const void *)fa == *(const bool *)(const void *)fb;
	case KIND_DEGREES:
		return *(const double *)(const void *)fa == *(const double *)(const void *)fb;
	case KIND_PATH: /* config_file, the only one: a pointer */
		return (a->config_file == NULL) == (b->config_file == NULL) &&
		       (a->config_file == NULL || strcmp(a->config_file, b->config_file) == 0);
	case KIND_TOPIC:
	case KIND_ZONE:
	case KIND_TEXT:
		return strcmp(fa, fb) == 0;
	}
	return false;
}

int aps_config_changes(const struct aps_config *a, const struct aps_config *b, const char **names, int max)
{
	int i, n = 0;

	for (i = 0; i < OPT_COUNT; i++) {
		if (same_value(&opt_defs[i], a, b))
			continue;
		if (n < max)
			names[n] = opt_defs[i].name;
		n++;
	}
	return n;
}
