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

static void set_defaults(struct aps_config *cfg)
{
	cfg->ecu_port = 8899;
	cfg->poll_interval_s = 0;
	cfg->retry_interval_s = 60;
	cfg->request_gap_ms = 250;
	cfg->timeout_ms = 5000;
	snprintf(cfg->discovery_prefix, sizeof(cfg->discovery_prefix), "homeassistant");
	cfg->restart_after = 5;
	cfg->http_port = 80;
	cfg->offline_after = 3;
	cfg->rediscover_interval_s = 30;
	cfg->status_expiry_s = 300;
	cfg->state_expiry_s = 600;
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

		if (!config_find_option(key, &id)) {
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
		path = config_env_get(envp, "CONFIG_FILE");
		from.kind = FROM_ENV;
	}
	if (path == NULL || path[0] == '\0')
		return 0;
	if (config_apply(L, OPT_CONFIG_FILE, path, from) != 0)
		return -1;
	config_log(L, APS_CONFIG_INFO, "reading aps2mqtt settings from %s", path);
	return config_read_yaml(L);
}

static int read_options(struct loader *L, const struct aps_config_opt *opts, int count)
{
	struct origin from = {FROM_OPTION, 0};
	enum opt_id id;
	int i;

	for (i = 0; i < count; i++) {
		if (!config_find_option(opts[i].key, &id) || id == OPT_CONFIG_FILE)
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
	    read_yaml_source(&L, opts, file_opt, envp) != 0 || config_read_environment(&L, envp) != 0 ||
	    read_options(&L, opts, opt_count) != 0 || check_merged(&L) != 0) {
		aps_config_free(cfg);
		return -1;
	}
	return 0;
}

void aps_config_free(struct aps_config *cfg)
{
	aps_free(cfg->ecus);
	aps_free(cfg->config_file);
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
