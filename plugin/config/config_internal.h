// SPDX-License-Identifier: MIT
/*
 * config_internal.h - what config.c, config_apply.c, config_value.c and
 * config_yaml.c share.  Memory through alloc.h (libyaml keeps its own).
 * Not part of the plugin's API: include config.h instead.
 */
#ifndef APS_CONFIG_INTERNAL_H
#define APS_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* A value shown in a message: quoted, escaped, cut to about 60 bytes. */
#define CONFIG_SHOWN_SIZE 256
#define CONFIG_MSG_SIZE 1024

enum opt_id {
	OPT_ECU_HOST,
	OPT_ECU_PORT,
	OPT_POLL_INTERVAL,
	OPT_RETRY_INTERVAL,
	OPT_REQUEST_GAP_MS,
	OPT_TIMEOUT_MS,
	OPT_TOPIC_PREFIX,
	OPT_RETAIN,
	OPT_DISCOVERY,
	OPT_DISCOVERY_PREFIX,
	OPT_MIGRATE_APS2MQTT_DISCOVERY,
	OPT_TIMEZONE,
	OPT_STOP_AT_NIGHT,
	OPT_LATITUDE,
	OPT_LONGITUDE,
	OPT_AUTO_RESTART,
	OPT_WIFI_SSID,
	OPT_WIFI_PASSWD,
	OPT_RESTART_AFTER,
	OPT_HTTP_PORT,
	OPT_CONTROL,
	OPT_OFFLINE_AFTER,
	OPT_REDISCOVER_INTERVAL,
	OPT_CONFIG_FILE,
	OPT_STATE_FILE,
	OPT_STATUS_EXPIRY,
	OPT_STATE_EXPIRY,
	OPT_COUNT
};

enum origin_kind { FROM_DEFAULT, FROM_YAML, FROM_ENV, FROM_OPTION };

/* Where a value came from, for messages; a YAML origin's file is cfg->config_file. */
struct origin {
	enum origin_kind kind;
	unsigned long line;
};

struct loader {
	struct aps_config *cfg;
	aps_config_log_fn log;
	void *ctx;
	char *err;
	size_t errlen;
	struct origin origin[OPT_COUNT];       /* of each option's current value */
	char shown[OPT_COUNT][CONFIG_SHOWN_SIZE]; /* that value, as config_quote() shows it */
};

/* --- config_apply.c --- */

/* Finds the option a plugin option name (or an earlier name of it) names. */
bool config_find_option(const char *name, enum opt_id *id);
/* A copy of s through alloc.h, or NULL without memory. */
char *config_strdup(const char *s);
/* The value of variable name in envp, or NULL. */
const char *config_env_get(char **envp, const char *name);
/* Applies aps2mqtt's environment variables.  Returns 0 or -1 with L->err set. */
int config_read_environment(struct loader *L, char **envp);

/* Finds the option an aps2mqtt key names (any section).  Returns false when none. */
bool config_find_aps2mqtt(const char *key, enum opt_id *id, const char **section);
/* Why an accepted-but-ignored aps2mqtt key is ignored, or NULL when key is not one. */
const char *config_ignored_key(const char *key, const char **section);
/* Parses value, stores it and records where it came from.  Returns 0 or -1 with L->err set. */
int config_apply(struct loader *L, enum opt_id id, const char *value, struct origin from);

void config_log(struct loader *L, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets L->err; returns -1. */
int config_fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets L->err to "<source of option id>: <message>"; returns -1. */
int config_fail_at(struct loader *L, enum opt_id id, struct origin from, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* --- config_value.c --- */

/* Writes value as "..." with '"', '\\' and bytes outside printable ASCII
 * escaped, cut with "..." after 60 bytes.  size should be CONFIG_SHOWN_SIZE. */
void config_quote(const char *value, char *buf, size_t size);
bool config_parse_bool(const char *s, bool *out);
/* Decimal integer, optional '-', nothing else; false when malformed or out of range. */
bool config_parse_long(const char *s, long min, long max, long *out);
/* 0: *out set; 1: not an integer; 2: an integer outside min..max. */
int config_parse_int(const char *s, long min, long max, long *out);
/* Returns 0 in range, 1 when not a finite number, 2 when out of range. */
int config_parse_double(const char *s, double min, double max, double *out);
/* NULL when s is acceptable, else why not. */
const char *config_topic_problem(const char *s, bool may_be_empty);
const char *config_zone_problem(const char *s);
const char *config_ssid_problem(const char *s);
const char *config_passwd_problem(const char *s);
/* Parses "host[:port],[v6]:port,...": entries without a port get port 0.
 * Returns 0 with *out (config_malloc'd) and *count set, or -1 with why set. */
int config_parse_hosts(const char *list, struct aps_ecu_addr **out, int *count, char *why,
                       size_t whylen);

/* --- config_yaml.c --- */

/* Reads the aps2mqtt YAML file L->cfg->config_file.  Returns 0 or -1 with L->err set. */
int config_read_yaml(struct loader *L);

#endif
