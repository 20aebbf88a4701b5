// SPDX-License-Identifier: MIT
/*
 * test_options.c - plugin options and environment variables: defaults, every
 * rejected value, the rules that tie settings together, host lists, and that
 * the Wi-Fi password never reaches a message.
 */
#include <math.h>

#include "harness.h"

static void test_defaults(void)
{
	const struct aps_config_opt opts[] = {{"ecu_host", "192.168.0.10"}};
	struct aps_config cfg;
	char base[APS_CONFIG_TOPIC_BASE_SIZE];

	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK_INT(cfg.ecu_count, 1);
	CHECK_STR(cfg.ecus[0].host, "192.168.0.10");
	CHECK_INT(cfg.ecus[0].port, 8899);
	CHECK_INT(cfg.ecu_port, 8899);
	CHECK_INT(cfg.poll_interval_s, 0);
	CHECK_INT(cfg.retry_interval_s, 60);
	CHECK_INT(cfg.request_gap_ms, 250);
	CHECK_INT(cfg.timeout_ms, 5000);
	CHECK_STR(cfg.topic_prefix, "");
	CHECK(!cfg.retain);
	CHECK(!cfg.discovery);
	CHECK_STR(cfg.discovery_prefix, "homeassistant");
	CHECK(!cfg.migrate_aps2mqtt_discovery);
	CHECK_STR(cfg.timezone, "");
	CHECK(!cfg.stop_at_night);
	CHECK(!cfg.has_position);
	CHECK(!cfg.auto_restart);
	CHECK_STR(cfg.wifi_ssid, "");
	CHECK_STR(cfg.wifi_passwd, "");
	CHECK_INT(cfg.restart_after, 5);
	CHECK_INT(cfg.http_port, 80);
	CHECK(!cfg.control);
	CHECK_INT(cfg.offline_after, 3);
	CHECK_INT(cfg.rediscover_interval_s, 30);
	CHECK_INT(cfg.status_expiry_s, 300);
	CHECK_INT(cfg.state_expiry_s, 600);
	CHECK(cfg.config_file == NULL);
	CHECK_STR(cfg.state_file, "");
	CHECK(!cfg.state_file_set);
	CHECK_INT(aps_config_topic_base(&cfg, base, sizeof(base)), 0);
	CHECK_STR(base, "");
	CHECK_INT(log_count(), 0);
	aps_config_free(&cfg);
	aps_config_free(&cfg); /* twice is harmless */
	CHECK(cfg.ecus == NULL);

	/* No log callback, no environment at all. */
	CHECK_INT(aps_config_load(&cfg, opts, 1, NULL, NULL, NULL, err, sizeof(err)), 0);
	aps_config_free(&cfg);
}

static void test_every_option(void)
{
	const struct aps_config_opt opts[] = {
		{"ECU_HOST", "ecu.lan"},       {"ecu_port", "8900"},       {"Poll_Interval", "600"},
		{"retry_interval", "900"},     {"request_gap_ms", "0"},    {"timeout_ms", "100"},
		{"topic_prefix", "solar/roof"}, {"retain", "YES"},         {"discovery", "On"},
		{"discovery_prefix", "ha"},    {"timezone", "America/Argentina/Buenos_Aires"},
		{"stop_at_night", "1"},        {"latitude", "-33.5"},      {"longitude", "-180"},
		{"auto_restart", "TRUE"},      {"wifi_ssid", "ECU_R_2160"}, {"wifi_passwd", PASSWORD},
		{"restart_after", "1000"},     {"http_port", "8080"},   {"offline_after", "7"},
		{"rediscover_interval", "5"},
		{"migrate_aps2mqtt_discovery", "yes"}, {"status_expiry", "0"}, {"state_expiry", "604800"},
	};
	struct aps_config cfg;
	char base[APS_CONFIG_TOPIC_BASE_SIZE];

	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK_STR(cfg.ecus[0].host, "ecu.lan");
	CHECK_INT(cfg.ecus[0].port, 8900);
	CHECK_INT(cfg.poll_interval_s, 600);
	CHECK_INT(cfg.retry_interval_s, 900);
	CHECK_INT(cfg.request_gap_ms, 0);
	CHECK_INT(cfg.timeout_ms, 100);
	CHECK_STR(cfg.topic_prefix, "solar/roof");
	CHECK(cfg.retain && cfg.discovery && cfg.stop_at_night && cfg.auto_restart && cfg.migrate_aps2mqtt_discovery);
	CHECK_STR(cfg.discovery_prefix, "ha");
	CHECK_STR(cfg.timezone, "America/Argentina/Buenos_Aires");
	CHECK(cfg.has_position && cfg.latitude == -33.5 && cfg.longitude == -180.0);
	CHECK_STR(cfg.wifi_ssid, "ECU_R_2160");
	CHECK_STR(cfg.wifi_passwd, PASSWORD);
	CHECK_INT(cfg.restart_after, 1000);
	CHECK_INT(cfg.http_port, 8080);
	CHECK_INT(cfg.offline_after, 7);
	CHECK_INT(cfg.rediscover_interval_s, 5);
	CHECK_INT(cfg.status_expiry_s, 0);
	CHECK_INT(cfg.state_expiry_s, 604800);
	CHECK_INT(log_count(), 0); /* nothing faster than 300 s: no warning */
	CHECK_INT(aps_config_topic_base(&cfg, base, sizeof(base)), 11);
	CHECK_STR(base, "solar/roof/");
	CHECK_INT(aps_config_topic_base(&cfg, base, 4), 3);
	CHECK_STR(base, "sol");
	CHECK_INT(aps_config_topic_base(&cfg, base, 0), 0);
	aps_config_free(&cfg);
}

static char long_topic[APS_CONFIG_TOPIC_MAX + 2];
static char long_zone[APS_CONFIG_ZONE_MAX + 2];
static char long_ssid[APS_CONFIG_SSID_MAX + 2];
static char long_host[APS_CONFIG_HOST_MAX + 2];
static char long_entry[300];

struct bad_value {
	const char *key;
	const char *value;
	const char *reason;
	const char *shown; /* how the message quotes value; NULL: "value" */
};

static const struct bad_value bad_values[] = {
	{"ecu_port", "0", "is out of range for a port (1-65535)", NULL},
	{"ecu_port", "70000", "is out of range for a port (1-65535)", NULL},
	{"ecu_port", "abc", "is not a port (1-65535)", NULL},
	{"ecu_port", "", "is not a port", NULL},
	{"ecu_port", " 80", "is not a port", NULL},
	{"ecu_port", "+80", "is not a port", NULL},
	{"ecu_port", "80 ", "is not a port", NULL},
	{"ecu_port", "99999999999999999999", "is out of range for a port", NULL},
	{"ecu_host", "", "ECU 1 of the list is empty", NULL},
	{"ecu_host", "a,,b", "ECU 2 of the list is empty", NULL},
	{"ecu_host", "a,", "ECU 2 of the list is empty", NULL},
	{"ecu_host", "ecu_1", "\"ecu_1\" has a host with characters other than", NULL},
	{"ecu_host", "a b", "characters other than", NULL},
	{"ecu_host", "fe80::1", "looks like an IPv6 address", NULL},
	{"ecu_host", "[fe80::1", "has no closing ']'", NULL},
	{"ecu_host", "[fe80::zz]:80", "is not an IPv6 address", NULL},
	{"ecu_host", "[1.2.3.4]", "is not an IPv6 address", NULL},
	{"ecu_host", "[::1]x", "has text after ']'", NULL},
	{"ecu_host", "a:0", "\"a:0\" has a port that is not 1-65535", NULL},
	{"ecu_host", "a:70000", "has a port that is not 1-65535", NULL},
	{"ecu_host", "a:", "has a port that is not 1-65535", NULL},
	{"ecu_host", "a:80x", "has a port that is not 1-65535", NULL},
	{"ecu_host", ":80", "has no host", NULL},
	{"ecu_host", long_host, "longer than 253 bytes", NULL},
	{"ecu_host", long_entry, "ECU 1 of the list is longer than", NULL},
	{"ecu_host", "a,b,a", "lists a:8899 twice", NULL},
	{"ecu_host", "a:8899,a", "lists a:8899 twice", NULL},
	{"ecu_host", "ECU.lan,ecu.LAN", "twice", NULL},
	{"ecu_host", "[::1],[0:0::1]:8899", "lists [::1]:8899 twice", NULL},
	{"poll_interval", "10abc", "is not a number of seconds (1-86400", NULL},
	{"poll_interval", "0", "is out of range for a number of seconds (1-86400; leave it unset", NULL},
	{"poll_interval", "86401", "is out of range for a number of seconds", NULL},
	{"poll_interval", "-5", "is out of range for a number of seconds", NULL},
	{"poll_interval", "1.5", "is not a number of seconds", NULL},
	{"retry_interval", "0", "is out of range for a number of seconds (1-86400)", NULL},
	{"retry_interval", "10abc", "is not a number of seconds (1-86400)", NULL},
	{"request_gap_ms", "10001", "is out of range for a number of milliseconds (0-10000)", NULL},
	{"request_gap_ms", "-1", "is out of range for a number of milliseconds (0-10000)", NULL},
	{"timeout_ms", "99", "is out of range for a number of milliseconds (100-60000)", NULL},
	{"timeout_ms", "60001", "is out of range for a number of milliseconds (100-60000)", NULL},
	{"restart_after", "0", "is out of range for a number of failed cycles (1-1000)", NULL},
	{"restart_after", "1001", "is out of range for a number of failed cycles (1-1000)", NULL},
	{"http_port", "65536", "is out of range for a port (1-65535)", NULL},
	{"http_port", "0", "is out of range for a port (1-65535)", NULL},
	{"control", "maybe", "is not a boolean", NULL},
	{"offline_after", "0", "is out of range for a number of failed cycles (1-1000)", NULL},
	{"rediscover_interval", "0", "is out of range for a number of seconds (1-86400)", NULL},
	{"offline_after", "x", "is not a number of failed cycles (1-1000)", NULL},
	{"status_expiry", "86401", "is out of range for a number of seconds (0-86400; 0: never)", NULL},
	{"state_expiry", "-1", "is out of range for a number of seconds (0-604800; 0: never)", NULL},
	{"latitude", "91", "is out of range for a latitude (-90 to 90)", NULL},
	{"latitude", "-90.0001", "is out of range for a latitude (-90 to 90)", NULL},
	{"latitude", "abc", "is not a number", NULL},
	{"latitude", "nan", "is not a number", NULL},
	{"latitude", "inf", "is not a number", NULL},
	{"latitude", "1e400", "is not a number", NULL},
	{"latitude", "48.8x", "is not a number", NULL},
	{"latitude", "", "is not a number", NULL},
	{"longitude", "-181", "is out of range for a longitude (-180 to 180)", NULL},
	{"longitude", "180.5", "is out of range for a longitude (-180 to 180)", NULL},
	{"retain", "maybe", "is not a boolean (yes/no, true/false, on/off, 1/0)", NULL},
	{"discovery", "2", "is not a boolean", NULL},
	{"stop_at_night", "", "is not a boolean", NULL},
	{"auto_restart", "tru", "is not a boolean", NULL},
	{"topic_prefix", "a/+/b", "is not a topic prefix: '+' and '#' are wildcards", NULL},
	{"topic_prefix", "a/#", "wildcards", NULL},
	{"topic_prefix", "a//b", "empty level", NULL},
	{"topic_prefix", "/a", "starts or ends with '/'", NULL},
	{"topic_prefix", "a/", "starts or ends with '/'", NULL},
	{"topic_prefix", "/", "starts or ends with '/'", NULL},
	{"topic_prefix", long_topic, "longer than 128 bytes", NULL},
	{"topic_prefix", "a\xff", "not valid UTF-8", "\"a\\xff\""},
	{"topic_prefix", "a\xc0\xaf", "not valid UTF-8", "\"a\\xc0\\xaf\""},
	{"topic_prefix", "\xed\xa0\x80", "not valid UTF-8", "\"\\xed\\xa0\\x80\""},
	{"topic_prefix", "a\xe2\x82", "not valid UTF-8", "\"a\\xe2\\x82\""},
	{"topic_prefix", "a\tb", "control character", "\"a\\x09b\""},
	{"topic_prefix", "$SYS", "belong to the broker", NULL},
	{"discovery_prefix", "", "is not a topic prefix: it is empty", NULL},
	{"discovery_prefix", "home+", "wildcards", NULL},
	{"timezone", "../etc/passwd", "is not a time zone name", NULL},
	{"timezone", "Europe/Par is", "is not a time zone name", NULL},
	{"timezone", "/UTC", "not a path", NULL},
	{"timezone", "Europe//Paris", "not a path", NULL},
	{"timezone", long_zone, "longer than 63 bytes", NULL},
	{"timezone", "Mars/Base", "is not a time zone name: no such zone on this system (tzdata)", NULL},
	/* There, but a directory: the plugin's own zone reader says no. */
	{"timezone", "Europe", "is not a time zone name: no such zone on this system (tzdata)", NULL},
	{"wifi_ssid", long_ssid, "longer than 32 bytes", NULL},
};

static void expected_shown(const char *value, char *buf, size_t size)
{
	if (strlen(value) <= 60)
		snprintf(buf, size, "\"%s\"", value);
	else
		snprintf(buf, size, "\"%.60s...\"", value);
}

static void test_bad_values(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const struct bad_value *t = &bad_values[i];
		bool host = strcmp(t->key, "ecu_host") == 0;
		const struct aps_config_opt opts[] = {
			{"wifi_passwd", PASSWORD},
			{"ecu_host", host ? t->value : "192.168.0.10"},
			{t->key, t->value},
		};
		const char *const env[] = {"APS_ECU_WIFI_PASSWD=" PASSWORD, NULL};
		char prefix[64], shown[256];
		struct aps_config cfg;

		snprintf(prefix, sizeof(prefix), "plugin_opt_%s: ", t->key);
		if (t->shown != NULL)
			snprintf(shown, sizeof(shown), "%s", t->shown);
		else
			expected_shown(t->value, shown, sizeof(shown));
		if (load_env(&cfg, opts, host ? 2 : 3, env) != -1) {
			fprintf(stderr, "%s=\"%s\" was accepted\n", t->key, t->value);
			aps_check_failed++;
			aps_config_free(&cfg);
			continue;
		}
		if (strncmp(err, prefix, strlen(prefix)) != 0) {
			fprintf(stderr, "%s=\"%s\": [%s] does not start with [%s]\n", t->key, t->value,
			        err, prefix);
			aps_check_failed++;
		}
		CHECK_HAS(err, shown);
		CHECK_HAS(err, t->reason);
	}
}

static void test_exact_messages(void)
{
	const struct aps_config_opt port[] = {{"ecu_host", "10.0.0.1"}, {"ecu_port", "70000"}};
	const struct aps_config_opt host[] = {{"ecu_host", "10.0.0.1"}};
	const struct aps_config_opt poll0[] = {{"ecu_host", "10.0.0.1"}, {"poll_interval", "0"}};
	const struct aps_config_opt mars[] = {{"ecu_host", "10.0.0.1"}, {"timezone", "Mars/Base"}};
	const struct aps_config_opt unknown[] = {{"ecu_host", "10.0.0.1"}, {"ecu_hots", "10.0.0.2"}};
	const struct aps_config_opt typo[] = {{"wifi_password", PASSWORD}};
	const char *const lat[] = {"APS_ECU_POSITION_LAT=abc", NULL};
	const char *const retain[] = {"MQTT_RETAIN=maybe", NULL};
	const char *const dup[] = {"APS_ECU_IP=10.0.0.1,10.0.0.1:8899", NULL};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, port), -1);
	CHECK_STR(err, "plugin_opt_ecu_port: \"70000\" is out of range for a port (1-65535)");
	CHECK_INT(load_env(&cfg, host, 1, lat), -1);
	CHECK_STR(err, "APS_ECU_POSITION_LAT (environment): \"abc\" is not a number");
	CHECK_INT(LOAD(&cfg, poll0), -1);
	CHECK_STR(err, "plugin_opt_poll_interval: \"0\" is out of range for a number of seconds (1-86400; leave it "
	               "unset to follow the ECU's own 5-minute refresh)");
	CHECK_INT(LOAD(&cfg, mars), -1);
	CHECK_STR(err, "plugin_opt_timezone: \"Mars/Base\" is not a time zone name: no such zone on this system "
	               "(tzdata)");
	CHECK_INT(load_env(&cfg, host, 1, retain), -1);
	CHECK_STR(err, "MQTT_RETAIN (environment): \"maybe\" is not a boolean "
	               "(yes/no, true/false, on/off, 1/0)");
	CHECK_INT(load_env(&cfg, NULL, 0, dup), -1);
	CHECK_STR(err, "APS_ECU_IP (environment): \"10.0.0.1,10.0.0.1:8899\" lists 10.0.0.1:8899 twice");
	CHECK_INT(LOAD(&cfg, unknown), -1);
	CHECK_STR(err, "plugin_opt_ecu_hots: unknown option");
	CHECK_INT(LOAD(&cfg, typo), -1); /* the value is not shown: it may be a password */
	CHECK_STR(err, "plugin_opt_wifi_password: unknown option");
	CHECK_INT(load_env(&cfg, NULL, 0, NULL), -1);
	CHECK_HAS(err, "plugin_opt_ecu_host: missing");
	CHECK_HAS(err, "APS_ECU_IP");
}

static void test_position_and_restart(void)
{
	const struct aps_config_opt night[] = {{"ecu_host", "e"}, {"stop_at_night", "yes"}};
	const struct aps_config_opt night_lat[] = {
		{"ecu_host", "e"}, {"stop_at_night", "yes"}, {"latitude", "48.86"}};
	const struct aps_config_opt night_both[] = {
		{"ecu_host", "e"}, {"stop_at_night", "yes"}, {"latitude", "48.86"}, {"longitude", "2.35"}};
	const struct aps_config_opt restart_no_ssid[] = {
		{"ecu_host", "e"}, {"auto_restart", "on"}, {"wifi_passwd", PASSWORD}};
	const struct aps_config_opt restart_no_pw[] = {
		{"ecu_host", "e"}, {"auto_restart", "on"}, {"wifi_ssid", "ECU_R_1"}};
	const struct aps_config_opt restart_short[] = {
		{"ecu_host", "e"}, {"auto_restart", "on"}, {"wifi_ssid", "ECU_R_1"}, {"wifi_passwd", "s3cr3t"}};
	const struct aps_config_opt restart_ctrl[] = {
		{"ecu_host", "e"}, {"auto_restart", "on"}, {"wifi_ssid", "ECU_R_1"},
		{"wifi_passwd", PASSWORD "\x01"}};
	const struct aps_config_opt restart_long[] = {
		{"ecu_host", "e"}, {"wifi_passwd", PASSWORD PASSWORD PASSWORD PASSWORD PASSWORD PASSWORD
		                                   PASSWORD PASSWORD}};
	const struct aps_config_opt restart_bad_ssid[] = {
		{"ecu_host", "e"}, {"auto_restart", "on"}, {"wifi_ssid", "a\nb"}, {"wifi_passwd", PASSWORD}};
	const struct aps_config_opt no_restart_short[] = {
		{"ecu_host", "e"}, {"wifi_ssid", "x"}, {"wifi_passwd", "s3cr3t"}};
	const char *const env_long[] = {
		"APS_ECU_WIFI_PASSWD=" PASSWORD PASSWORD PASSWORD PASSWORD PASSWORD PASSWORD PASSWORD
		PASSWORD, NULL};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, night), -1);
	CHECK_STR(err, "plugin_opt_stop_at_night: \"yes\" needs both latitude and longitude to know "
	               "when night falls");
	CHECK_INT(LOAD(&cfg, night_lat), -1);
	CHECK_HAS(err, "plugin_opt_stop_at_night");
	CHECK_INT(LOAD(&cfg, night_both), 0);
	CHECK(cfg.stop_at_night && cfg.has_position);
	CHECK(fabs(cfg.latitude - 48.86) < 1e-12 && fabs(cfg.longitude - 2.35) < 1e-12);
	aps_config_free(&cfg);

	CHECK_INT(LOAD(&cfg, restart_no_ssid), -1);
	CHECK_HAS(err, "plugin_opt_auto_restart: \"on\" needs wifi_ssid and wifi_passwd");
	CHECK_HAS(err, "open");
	CHECK_INT(LOAD(&cfg, restart_no_pw), -1);
	CHECK_HAS(err, "plugin_opt_auto_restart");
	CHECK_INT(LOAD(&cfg, restart_short), -1);
	CHECK_STR(err, "plugin_opt_wifi_passwd: (hidden) cannot be sent to the ECU: a WPA2 password "
	               "has 8 to 63 characters");
	CHECK(strstr(err, "s3cr3t") == NULL);
	CHECK_INT(LOAD(&cfg, restart_ctrl), -1);
	CHECK_HAS(err, "plugin_opt_wifi_passwd: (hidden) cannot be sent");
	CHECK_INT(LOAD(&cfg, restart_long), -1);
	CHECK_STR(err, "plugin_opt_wifi_passwd: (hidden) is longer than 63 bytes");
	CHECK_INT(load_env(&cfg, restart_no_ssid, 1, env_long), -1);
	CHECK_STR(err, "APS_ECU_WIFI_PASSWD (environment): (hidden) is longer than 63 bytes");
	CHECK_INT(LOAD(&cfg, restart_bad_ssid), -1);
	CHECK_HAS(err, "plugin_opt_wifi_ssid: \"a\\x0ab\" cannot be sent to the ECU");
	/* Unused credentials are not judged. */
	CHECK_INT(LOAD(&cfg, no_restart_short), 0);
	aps_config_free(&cfg);
}

/* The option's earlier name is still read. */
static void test_alias(void)
{
	const struct aps_config_opt old[] = {{"ecu_host", "ecu.lan"}, {"clear_aps2mqtt_discovery", "true"}};
	const struct aps_config_opt off[] = {{"ecu_host", "ecu.lan"}, {"Clear_Aps2mqtt_Discovery", "false"}};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, old), 0);
	CHECK(cfg.migrate_aps2mqtt_discovery);
	aps_config_free(&cfg);
	CHECK_INT(LOAD(&cfg, off), 0);
	CHECK(!cfg.migrate_aps2mqtt_discovery);
	aps_config_free(&cfg);

	/* restart_port: http_port's earlier name */
	const struct aps_config_opt port[] = {{"ecu_host", "ecu.lan"}, {"restart_port", "8081"}};
	CHECK_INT(LOAD(&cfg, port), 0);
	CHECK_INT(cfg.http_port, 8081);
	aps_config_free(&cfg);
}

static void test_control(void)
{
	const struct aps_config_opt on[] = {{"ecu_host", "ecu.lan"}, {"control", "true"}};
	const char *const env[] = {"APS_ECU_IP=ecu.lan", "APS_ECU_CONTROL=True", "APS_ECU_HTTP_PORT=8088", NULL};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, on), 0);
	CHECK(cfg.control);
	aps_config_free(&cfg);
	CHECK_INT(load_env(&cfg, NULL, 0, env), 0);
	CHECK(cfg.control);
	CHECK_INT(cfg.http_port, 8088);
	aps_config_free(&cfg);
}

static void test_hosts(void)
{
	const struct aps_config_opt opts[] = {
		{"ecu_host", " 192.168.0.10 , ecu.local:9000,[FE80::0:1]:8900,[::1]"},
		{"ecu_port", "1234"}};
	struct aps_config_opt many[] = {{"ecu_host", NULL}};
	struct aps_config cfg;
	static char list[APS_CONFIG_MAX_ECUS * 16 + 32];
	size_t len = 0;
	int i;

	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK_INT(cfg.ecu_count, 4);
	if (cfg.ecu_count == 4) {
		CHECK_STR(cfg.ecus[0].host, "192.168.0.10");
		CHECK_INT(cfg.ecus[0].port, 1234);
		CHECK_STR(cfg.ecus[1].host, "ecu.local");
		CHECK_INT(cfg.ecus[1].port, 9000);
		CHECK_STR(cfg.ecus[2].host, "fe80::1");
		CHECK_INT(cfg.ecus[2].port, 8900);
		CHECK_STR(cfg.ecus[3].host, "::1");
		CHECK_INT(cfg.ecus[3].port, 1234);
	}
	aps_config_free(&cfg);

	/* Same address, other port: two ECUs behind one router. */
	many[0].value = "10.0.0.1:8899,10.0.0.1:8900";
	CHECK_INT(LOAD(&cfg, many), 0);
	CHECK_INT(cfg.ecu_count, 2);
	aps_config_free(&cfg);

	for (i = 0; i < APS_CONFIG_MAX_ECUS; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s10.0.%d.%d", i ? "," : "",
		                        i / 250, i % 250 + 1);
	many[0].value = list;
	CHECK_INT(LOAD(&cfg, many), 0);
	CHECK_INT(cfg.ecu_count, APS_CONFIG_MAX_ECUS);
	if (cfg.ecu_count == APS_CONFIG_MAX_ECUS)
		CHECK_STR(cfg.ecus[APS_CONFIG_MAX_ECUS - 1].host, "10.0.1.6");
	aps_config_free(&cfg);

	snprintf(list + len, sizeof(list) - len, ",10.0.9.9");
	CHECK_INT(LOAD(&cfg, many), -1);
	CHECK_HAS(err, "plugin_opt_ecu_host: \"10.0.0.1,10.0.0.2,");
	CHECK_HAS(err, "more than 256 ECUs");

	long_host[APS_CONFIG_HOST_MAX] = '\0'; /* 253 bytes: the longest name */
	many[0].value = long_host;
	CHECK_INT(LOAD(&cfg, many), 0);
	CHECK_INT((long)strlen(cfg.ecus[0].host), APS_CONFIG_HOST_MAX);
	aps_config_free(&cfg);
	long_host[APS_CONFIG_HOST_MAX] = 'h';
}

static void test_fast_poll_warning(void)
{
	const struct aps_config_opt both[] = {
		{"ecu_host", "e"}, {"poll_interval", "60"}, {"retry_interval", "30"}};
	const struct aps_config_opt retry[] = {{"ecu_host", "e"}, {"retry_interval", "299"}};
	const struct aps_config_opt slow[] = {
		{"ecu_host", "e"}, {"poll_interval", "300"}, {"retry_interval", "300"}};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, both), 0);
	CHECK_INT(cfg.poll_interval_s, 60);
	CHECK_INT(cfg.retry_interval_s, 30);
	CHECK_INT(log_count(), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, "faster than every 300 s"), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, "poll_interval 60 s, retry_interval 30 s"), 1);
	aps_config_free(&cfg);
	CHECK_INT(LOAD(&cfg, retry), 0);
	CHECK_INT(log_count(), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, "retry_interval 299 s: against a real ECU"), 1);
	aps_config_free(&cfg);
	CHECK_INT(LOAD(&cfg, slow), 0);
	CHECK_INT(log_count(), 0);
	aps_config_free(&cfg);
}
/* state_file: unset leaves the place to the plugin (a default); an absolute
 * path, "none" or "" is the owner's choice; a relative path is refused. */
static void test_state_file(void)
{
	const struct aps_config_opt path[] = {{"ecu_host", "e"}, {"state_file", "/var/lib/mosquitto/aps.state"}};
	const struct aps_config_opt none[] = {{"ecu_host", "e"}, {"state_file", "none"}};
	const struct aps_config_opt empty[] = {{"ecu_host", "e"}, {"State_File", ""}};
	const struct aps_config_opt relative[] = {{"ecu_host", "e"}, {"state_file", "aps.state"}};
	char long_path[APS_CONFIG_PATH_MAX + 2];
	const struct aps_config_opt too_long[] = {{"ecu_host", "e"}, {"state_file", long_path}};
	struct aps_config cfg;

	CHECK_INT(LOAD(&cfg, path), 0);
	CHECK_STR(cfg.state_file, "/var/lib/mosquitto/aps.state");
	CHECK(cfg.state_file_set);
	CHECK_INT(log_count(), 0);
	aps_config_free(&cfg);
	CHECK_INT(LOAD(&cfg, none), 0);
	CHECK_STR(cfg.state_file, "none");
	CHECK(cfg.state_file_set);
	aps_config_free(&cfg);
	CHECK_INT(LOAD(&cfg, empty), 0);
	CHECK_STR(cfg.state_file, "");
	CHECK(cfg.state_file_set);
	aps_config_free(&cfg);

	CHECK_INT(LOAD(&cfg, relative), -1);
	CHECK_HAS(err, "plugin_opt_state_file");
	CHECK_HAS(err, "is not an absolute path (or none)");
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	CHECK_INT(LOAD(&cfg, too_long), -1);
	CHECK_HAS(err, "plugin_opt_state_file");
}

static void test_environment(void)
{
	const char *const env[] = {"APS_ECU_IP=[::1]:9000",
	                           "MQTT_BROKER_PASSWD=" BROKER_PASSWORD,
	                           "MQTT_BROKER_HOST=mqtt.lan",
	                           "MQTT_DISCOVERY_ENABLED=True",
	                           "APS_ECU_WIFI_PASSWD=" PASSWORD,
	                           "APS_ECU_IPX=ignored",
	                           "aps_ecu_port=1",
	                           NULL};
	struct aps_config cfg;

	CHECK_INT(load_env(&cfg, NULL, 0, env), 0);
	CHECK_STR(cfg.ecus[0].host, "::1");
	CHECK_INT(cfg.ecus[0].port, 9000);
	CHECK(cfg.discovery);
	CHECK_INT(cfg.ecu_port, 8899); /* variable names are case-sensitive */
	CHECK_STR(cfg.wifi_passwd, PASSWORD);
	CHECK_INT(log_count(), 2);
	CHECK_INT(logged(APS_CONFIG_INFO, "MQTT_BROKER_PASSWD (environment) is ignored"), 1);
	CHECK_INT(logged(APS_CONFIG_INFO, "MQTT_BROKER_HOST (environment) is ignored"), 1);
	aps_config_free(&cfg);
}
void test_options(void)
{
	memset(long_topic, 't', sizeof(long_topic) - 1);
	memset(long_zone, 'Z', sizeof(long_zone) - 1);
	memset(long_ssid, 's', sizeof(long_ssid) - 1);
	memset(long_host, 'h', sizeof(long_host) - 1);
	memset(long_entry, 'e', sizeof(long_entry) - 1);

	test_defaults();
	test_every_option();
	test_bad_values();
	test_exact_messages();
	test_position_and_restart();
	test_alias();
	test_hosts();
	test_fast_poll_warning();
	test_environment();
	test_control();
	test_state_file();
}
