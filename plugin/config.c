// SPDX-License-Identifier: MIT
/*
 * config.c - merges defaults, the aps2mqtt YAML file, the environment and the
 * plugin options (in that order, each overriding the previous), then checks
 * the settings that depend on each other.  Every value is checked as it is
 * read, so an error names the exact source that holds it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "config_internal.h"

/* Slower polling than this can't miss an ECU update: it refreshes every 5 minutes. */
#define ECU_REFRESH_S 300

/* Through the plugin's allocator: the broker's, inside the broker. */
void *config_malloc(size_t size)
{
	return aps_calloc(1, size);
}

void config_mfree(void *ptr)
{
	aps_free(ptr);
}

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
	[OPT_RESTART_PORT] = {"restart_port", NULL, NULL, KIND_INT, FIELD(restart_port), 1, 65535,
	                      "a port (1-65535)"},
	[OPT_OFFLINE_AFTER] = {"offline_after", NULL, NULL, KIND_INT, FIELD(offline_after), 1, 1000,
	                       "a number of failed cycles (1-1000)"},
	[OPT_CONFIG_FILE] = {"config_file", "CONFIG_FILE", NULL, KIND_PATH, 0, 0, 0, NULL},
	[OPT_STATE_FILE] = {"state_file", NULL, NULL, KIND_TEXT, FIELD(state_file), 0, APS_CONFIG_PATH_MAX, NULL},
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

static char *dup_string(const char *s)
{
	size_t len = strlen(s) + 1;
	char *copy = config_malloc(len);

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
		config_mfree(cfg->ecus);
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
		config_mfree(cfg->config_file);
		cfg->config_file = dup_string(value);
		if (cfg->config_file == NULL)
			return config_fail_at(L, id, from, "out of memory");
		break;
	}
	L->origin[id] = from;
	return 0;
}

static void set_defaults(struct aps_config *cfg)
{
	cfg->ecu_port = 8899;
	cfg->poll_interval_s = 0;
	cfg->retry_interval_s = 60;
	cfg->request_gap_ms = 250;
	cfg->timeout_ms = 5000;
	snprintf(cfg->discovery_prefix, sizeof(cfg->discovery_prefix), "homeassistant");
	cfg->restart_after = 5;
	cfg->restart_port = 80;
	cfg->offline_after = 3;
}

static const char *env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	}
	return NULL;
}

/* Earlier names of options, still accepted. */
static const struct {
	const char *name;
	enum opt_id id;
} opt_aliases[] = {
	{"clear_aps2mqtt_discovery", OPT_MIGRATE_APS2MQTT_DISCOVERY},
};

static bool find_option(const char *name, enum opt_id *id)
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

/* Rejects unknown option names before anything is read, and finds
 * config_file, which decides what else is read: *file_opt is its index or -1.
 * Returns 0 or -1. */
static int scan_options(struct loader *L, const struct aps_config_opt *opts, int count, int *file_opt)
{
	char shown[CONFIG_SHOWN_SIZE];
	enum opt_id id;
	int i;

	*file_opt = -1;
	for (i = 0; i < count; i++) {
		const char *key = opts[i].key != NULL ? opts[i].key : "";

		if (!find_option(key, &id)) {
			/* The value is left out: a misspelt wifi_passwd must not leak. */
			config_quote(key, shown, sizeof(shown));
			shown[strlen(shown) - 1] = '\0'; /* drop the quotes */
			return config_fail(L, "plugin_opt_%s: unknown option", shown + 1);
		}
		if (id == OPT_CONFIG_FILE)
			*file_opt = i;
	}
	return 0;
}

static int read_yaml_source(struct loader *L, const struct aps_config_opt *opts, int file_opt,
                            char **envp)
{
	struct origin from = {FROM_OPTION, 0};
	const char *path;

	if (file_opt >= 0) {
		path = opts[file_opt].value != NULL ? opts[file_opt].value : "";
	} else {
		path = env_get(envp, "CONFIG_FILE");
		from.kind = FROM_ENV;
	}
	if (path == NULL || path[0] == '\0')
		return 0;
	if (config_apply(L, OPT_CONFIG_FILE, path, from) != 0)
		return -1;
	config_log(L, APS_CONFIG_INFO, "reading aps2mqtt settings from %s", path);
	return config_read_yaml(L);
}

static int read_environment(struct loader *L, char **envp)
{
	struct origin from = {FROM_ENV, 0};
	const char *value;
	size_t i;

	for (i = 0; i < OPT_COUNT; i++) {
		if (opt_defs[i].section == NULL)
			continue;
		value = env_get(envp, opt_defs[i].aps2mqtt);
		if (value != NULL && value[0] != '\0' &&
		    config_apply(L, (enum opt_id)i, value, from) != 0)
			return -1;
	}
	for (i = 0; i < IGNORED_COUNT; i++) {
		if (env_get(envp, ignored_keys[i].key) != NULL)
			config_log(L, APS_CONFIG_INFO, "%s (environment) is ignored: %s",
			           ignored_keys[i].key, ignored_keys[i].why);
	}
	return 0;
}

static int read_options(struct loader *L, const struct aps_config_opt *opts, int count)
{
	struct origin from = {FROM_OPTION, 0};
	enum opt_id id;
	int i;

	for (i = 0; i < count; i++) {
		if (!find_option(opts[i].key, &id) || id == OPT_CONFIG_FILE)
			continue;
		if (config_apply(L, id, opts[i].value != NULL ? opts[i].value : "", from) != 0)
			return -1;
	}
	return 0;
}

static bool same_ecu(const struct aps_ecu_addr *a, const struct aps_ecu_addr *b)
{
	return a->port == b->port && strcasecmp(a->host, b->host) == 0;
}

/* The rules that involve several settings, once every source is merged. */
static int check_merged(struct loader *L)
{
	struct aps_config *cfg = L->cfg;
	const char *problem;
	char fast[128] = "";
	int i, j;

	if (cfg->ecu_count == 0)
		return config_fail(L, "plugin_opt_ecu_host: missing: give the ECU's address "
		                      "(APS_ECU_IP in aps2mqtt's YAML file or environment)");
	for (i = 0; i < cfg->ecu_count; i++) {
		if (cfg->ecus[i].port == 0)
			cfg->ecus[i].port = (uint16_t)cfg->ecu_port;
		for (j = 0; j < i; j++) {
			if (same_ecu(&cfg->ecus[i], &cfg->ecus[j])) {
				bool v6 = strchr(cfg->ecus[i].host, ':') != NULL;

				return config_fail_at(L, OPT_ECU_HOST, L->origin[OPT_ECU_HOST],
				                      "%s lists %s%s%s:%u twice", L->shown[OPT_ECU_HOST],
				                      v6 ? "[" : "", cfg->ecus[i].host, v6 ? "]" : "",
				                      cfg->ecus[i].port);
			}
		}
	}

	/* Unset: a default place (energy_store.c); "none" or "": no file. */
	cfg->state_file_set = L->origin[OPT_STATE_FILE].kind != FROM_DEFAULT;
	if (cfg->state_file[0] != '\0' && strcmp(cfg->state_file, "none") != 0 && cfg->state_file[0] != '/')
		return config_fail_at(L, OPT_STATE_FILE, L->origin[OPT_STATE_FILE],
		                      "%s is not an absolute path (or none)", L->shown[OPT_STATE_FILE]);

	cfg->has_position = L->origin[OPT_LATITUDE].kind != FROM_DEFAULT &&
	                    L->origin[OPT_LONGITUDE].kind != FROM_DEFAULT;
	if (cfg->stop_at_night && !cfg->has_position)
		return config_fail_at(L, OPT_STOP_AT_NIGHT, L->origin[OPT_STOP_AT_NIGHT],
		                      "%s needs both latitude and longitude to know when night falls",
		                      L->shown[OPT_STOP_AT_NIGHT]);

	if (cfg->auto_restart) {
		if (cfg->wifi_ssid[0] == '\0' || cfg->wifi_passwd[0] == '\0')
			return config_fail_at(L, OPT_AUTO_RESTART, L->origin[OPT_AUTO_RESTART],
			                      "%s needs wifi_ssid and wifi_passwd, those of the ECU's "
			                      "hotspot: restarting without them leaves the hotspot open",
			                      L->shown[OPT_AUTO_RESTART]);
		problem = config_ssid_problem(cfg->wifi_ssid);
		if (problem != NULL)
			return config_fail_at(L, OPT_WIFI_SSID, L->origin[OPT_WIFI_SSID],
			                      "%s cannot be sent to the ECU: %s", L->shown[OPT_WIFI_SSID],
			                      problem);
		problem = config_passwd_problem(cfg->wifi_passwd);
		if (problem != NULL)
			return config_fail_at(L, OPT_WIFI_PASSWD, L->origin[OPT_WIFI_PASSWD],
			                      "(hidden) cannot be sent to the ECU: %s", problem);
	}

	/* Allowed (a simulator may want it), but worth one line in the log. */
	if (L->origin[OPT_POLL_INTERVAL].kind != FROM_DEFAULT && cfg->poll_interval_s < ECU_REFRESH_S)
		snprintf(fast, sizeof(fast), "poll_interval %d s", cfg->poll_interval_s);
	if (L->origin[OPT_RETRY_INTERVAL].kind != FROM_DEFAULT &&
	    cfg->retry_interval_s < ECU_REFRESH_S) {
		size_t len = strlen(fast);

		snprintf(fast + len, sizeof(fast) - len, "%sretry_interval %d s", len > 0 ? ", " : "",
		         cfg->retry_interval_s);
	}
	if (fast[0] != '\0')
		config_log(L, APS_CONFIG_WARNING,
		           "%s: against a real ECU, polling faster than every 300 s gives nothing new "
		           "and can hang some units",
		           fast);
	return 0;
}

int aps_config_load(struct aps_config *cfg, const struct aps_config_opt *opts, int opt_count,
                    char **envp, aps_config_log_fn log, void *ctx, char *err, size_t errlen)
{
	struct loader L;
	int file_opt;

	memset(cfg, 0, sizeof(*cfg));
	memset(&L, 0, sizeof(L));
	L.cfg = cfg;
	L.log = log;
	L.ctx = ctx;
	L.err = err;
	L.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (opts == NULL || opt_count < 0)
		opt_count = 0;
	set_defaults(cfg);

	if (scan_options(&L, opts, opt_count, &file_opt) != 0 ||
	    read_yaml_source(&L, opts, file_opt, envp) != 0 || read_environment(&L, envp) != 0 ||
	    read_options(&L, opts, opt_count) != 0 || check_merged(&L) != 0) {
		aps_config_free(cfg);
		return -1;
	}
	return 0;
}

void aps_config_free(struct aps_config *cfg)
{
	config_mfree(cfg->ecus);
	config_mfree(cfg->config_file);
	memset(cfg, 0, sizeof(*cfg));
}

size_t aps_config_topic_base(const struct aps_config *cfg, char *buf, size_t size)
{
	int n;

	if (size == 0)
		return 0;
	if (cfg->topic_prefix[0] == '\0') {
		buf[0] = '\0';
		return 0;
	}
	n = snprintf(buf, size, "%s/", cfg->topic_prefix);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}
