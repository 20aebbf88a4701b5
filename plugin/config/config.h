// SPDX-License-Identifier: MIT
/*
 * config.h - the plugin's settings, merged from four sources (lowest
 * precedence first): built-in defaults, an aps2mqtt YAML file, aps2mqtt's
 * environment variables, the broker's plugin_opt_* options.  Everything is
 * validated here, so the rest of the plugin can trust struct aps_config.
 * No broker headers: the plugin passes its options in and logs through a
 * callback.
 *
 * Sources in detail:
 *  - YAML file: named by plugin_opt_config_file, else by $CONFIG_FILE (as in
 *    aps2mqtt).  Sections ecu: and mqtt: with aps2mqtt's keys (APS_ECU_IP,
 *    MQTT_TOPIC_PREFIX, ...).  Unknown sections and keys are warned about and
 *    ignored; None/null/~/empty means "not set here".
 *  - Environment: the same aps2mqtt names.  An empty variable counts as not
 *    set, as docker-compose leaves `VAR=` behind for undefined substitutions.
 *  - Options: plugin_opt_ecu_host etc., names case-insensitive.  An empty
 *    value is a value: plugin_opt_topic_prefix "" removes a prefix the YAML
 *    file set.
 * aps2mqtt's MQTT_BROKER_* and MQTT_CLIENT_ID keys are accepted and ignored
 * with one info line each: inside the broker there is no connection to make.
 */
#ifndef APS_CONFIG_H
#define APS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APS_CONFIG_MAX_ECUS 256
#define APS_CONFIG_HOST_MAX 253  /* longest DNS name */
#define APS_CONFIG_TOPIC_MAX 128 /* topic_prefix and discovery_prefix, in bytes */
#define APS_CONFIG_ZONE_MAX 63
#define APS_CONFIG_SSID_MAX 32   /* 802.11 limit */
#define APS_CONFIG_PASSWD_MAX 63 /* WPA2 passphrase limit */
#define APS_CONFIG_PATH_MAX 1023
/* Room for "<topic_prefix>/" and its NUL: see aps_config_topic_base(). */
#define APS_CONFIG_TOPIC_BASE_SIZE (APS_CONFIG_TOPIC_MAX + 2)

enum aps_config_level { APS_CONFIG_INFO, APS_CONFIG_WARNING, APS_CONFIG_ERR };

/* msg is one line without a trailing newline and never holds the Wi-Fi password. */
typedef void (*aps_config_log_fn)(void *ctx, int level, const char *msg);

/* One plugin option with "plugin_opt_" already removed by the broker: the
 * same layout as Mosquitto's struct mosquitto_opt. */
struct aps_config_opt {
	const char *key;
	const char *value;
};

struct aps_ecu_addr {
	char host[APS_CONFIG_HOST_MAX + 1]; /* name or address; IPv6 without brackets, canonical form */
	uint16_t port;                      /* its own port, else ecu_port */
};

struct aps_config {
	struct aps_ecu_addr *ecus; /* ecu_count entries, at least one, no duplicates */
	int ecu_count;
	int ecu_port;
	int poll_interval_s;  /* 0: follow the ECU's own 5-minute refresh */
	int retry_interval_s;
	int request_gap_ms;
	int timeout_ms;
	/* Stored WITHOUT the '/' that joins it to "aps/...", "" when none: build
	 * topics from aps_config_topic_base(), as aps2mqtt's "super_topic" gives
	 * "super_topic/aps/<ECU_ID>". */
	char topic_prefix[APS_CONFIG_TOPIC_MAX + 1];
	bool retain;
	bool discovery;
	char discovery_prefix[APS_CONFIG_TOPIC_MAX + 1]; /* never empty */
	/* Hand aps2mqtt's per-entity discovery configs over to the device
	 * configs by Home Assistant's migration, then clear them (announce.c).
	 * Also read as clear_aps2mqtt_discovery, its earlier name. */
	bool migrate_aps2mqtt_discovery;
	char timezone[APS_CONFIG_ZONE_MAX + 1];          /* "": the system's zone */
	bool stop_at_night;
	bool has_position; /* latitude and longitude both given */
	double latitude;
	double longitude;
	bool auto_restart; /* when true, wifi_ssid and wifi_passwd are both valid */
	char wifi_ssid[APS_CONFIG_SSID_MAX + 1];
	char wifi_passwd[APS_CONFIG_PASSWD_MAX + 1]; /* never log it */
	int restart_after;   /* consecutive failed cycles before an auto restart */
	/* The ECU's web pages (restart, control, meter); also read as
	 * restart_port, its earlier name. */
	int http_port;
	/* Act on commands published under <prefix>aps/<ECU>/.../cmd/ (control.h);
	 * false: every command is answered "disabled" and nothing is sent. */
	bool control;
	int offline_after;   /* consecutive failed cycles before the ECU's status is offline */
	int rediscover_interval_s; /* least time between two re-announces of an ECU for Home Assistant */
	char *config_file;   /* the YAML file read, NULL when none */
	/* The energy state file: an absolute path, or "none"/"" for none; when
	 * state_file_set is false, a default place is looked for (energy_store.c). */
	char state_file[APS_CONFIG_PATH_MAX + 1];
	bool state_file_set;
	/* "online" on aps/status and aps/<ECU>/status expires this long after it
	 * was sent, and is sent again every third of it; 0: never expires. */
	int status_expiry_s;
	/* A retained state message expires this long after the poll due to
	 * replace it; 0: never. */
	int state_expiry_s;
};

/* Fills *cfg from the sources above.  opts: opt_count options (may be NULL
 * when 0); envp: NULL-terminated "NAME=value" strings, or NULL for none;
 * log: NULL for silence.  Returns 0, or -1 with a one-line message in err
 * naming the source, the option and the bad value; loading stops at the first
 * error and *cfg is then left zeroed (nothing to free).  Warnings and info
 * lines go to log.  On success the caller owns *cfg: see aps_config_free(). */
int aps_config_load(struct aps_config *cfg, const struct aps_config_opt *opts, int opt_count,
                    char **envp, aps_config_log_fn log, void *ctx, char *err, size_t errlen);

/* Frees what aps_config_load() allocated and zeroes *cfg; safe to call twice. */
void aps_config_free(struct aps_config *cfg);

/* The options whose values differ between a and b (both loaded), by their
 * plugin_opt_ names, in the table's order: at most max names go to names[];
 * returns how many differ (may be more than max).  A changed Wi-Fi password
 * is named, never shown. */
int aps_config_changes(const struct aps_config *a, const struct aps_config *b, const char **names, int max);

/* Writes the start of every state topic: "<topic_prefix>/", or "" when there
 * is no prefix.  Returns the length written; buf should hold
 * APS_CONFIG_TOPIC_BASE_SIZE bytes (a smaller one is cut short, still
 * NUL-terminated when size > 0). */
size_t aps_config_topic_base(const struct aps_config *cfg, char *buf, size_t size);

#endif
