// SPDX-License-Identifier: MIT
/*
 * test_yaml.c - aps2mqtt's YAML file: its documented example verbatim,
 * precedence against the environment and the options, errors (each naming
 * file and line), and what is tolerated (unknown keys, None).
 */
#include <math.h>

#include "harness.h"

static const char aps2mqtt_example[] =
	"mqtt:\n"
	"  MQTT_BROKER_HOST: 127.0.0.1\n"
	"  MQTT_BROKER_PORT: 1883\n"
	"  MQTT_BROKER_USER: \"johndoe\"\n"
	"  MQTT_BROKER_PASSWD: \"itsasecret\"\n"
	"  MQTT_CLIENT_ID: \"APS2MQTT\"\n"
	"  MQTT_TOPIC_PREFIX: \"super_topic\"\n"
	"  MQTT_RETAIN: False\n"
	"  MQTT_DISCOVERY_ENABLED: True\n"
	"  MQTT_DISCOVERY_PREFIX: \"homeassistant\"\n"
	"  MQTT_BROKER_SECURED_CONNECTION: False\n"
	"  MQTT_BROKER_CACERTS_PATH: None\n"
	"ecu:\n"
	"  APS_ECU_IP: \"192.168.0.1\"\n"
	"  APS_ECU_PORT: 8899\n"
	"  APS_ECU_TIMEZONE: \"Europe/Paris\"\n"
	"  APS_ECU_AUTO_RESTART: False\n"
	"  APS_ECU_WIFI_SSID: \"MyWifi\"\n"
	"  APS_ECU_WIFI_PASSWD: \"1234567890\"\n"
	"  APS_ECU_STOP_AT_NIGHT: True\n"
	"  APS_ECU_POSITION_LAT: 48.864716\n"
	"  APS_ECU_POSITION_LNG: 2.349014\n";

static void test_aps2mqtt_example(void)
{
	static const struct {
		const char *key;
		int line;
	} ignored[] = {
		{"MQTT_BROKER_HOST", 2}, {"MQTT_BROKER_PORT", 3}, {"MQTT_BROKER_USER", 4},
		{"MQTT_BROKER_PASSWD", 5}, {"MQTT_CLIENT_ID", 6}, {"MQTT_BROKER_SECURED_CONNECTION", 11},
		{"MQTT_BROKER_CACERTS_PATH", 12}};
	const char *path = write_file("aps2mqtt.yaml", aps2mqtt_example);
	char env_file[256], line[256], base[APS_CONFIG_TOPIC_BASE_SIZE];
	const char *const env[] = {env_file, NULL};
	struct aps_config_opt opts[] = {{"config_file", path}};
	struct aps_config cfg;
	size_t i;
	int pass;

	snprintf(env_file, sizeof(env_file), "CONFIG_FILE=%s", path);
	for (pass = 0; pass < 2; pass++) {
		/* Named by $CONFIG_FILE as aps2mqtt does, then by plugin_opt_config_file. */
		if (pass == 0)
			CHECK_INT(load_env(&cfg, NULL, 0, env), 0);
		else
			CHECK_INT(LOAD(&cfg, opts), 0);
		if (cfg.ecu_count != 1) {
			fprintf(stderr, "aps2mqtt example: %s\n", err);
			aps_check_failed++;
			aps_config_free(&cfg);
			continue;
		}
		CHECK_STR(cfg.ecus[0].host, "192.168.0.1");
		CHECK_INT(cfg.ecus[0].port, 8899);
		CHECK_STR(cfg.timezone, "Europe/Paris");
		CHECK(!cfg.auto_restart);
		CHECK_STR(cfg.wifi_ssid, "MyWifi");
		CHECK_STR(cfg.wifi_passwd, "1234567890");
		CHECK(cfg.stop_at_night && cfg.has_position);
		CHECK(fabs(cfg.latitude - 48.864716) < 1e-12);
		CHECK(fabs(cfg.longitude - 2.349014) < 1e-12);
		CHECK_STR(cfg.topic_prefix, "super_topic");
		CHECK_INT(aps_config_topic_base(&cfg, base, sizeof(base)), 12);
		CHECK_STR(base, "super_topic/");
		CHECK(!cfg.retain);
		CHECK(cfg.discovery);
		CHECK_STR(cfg.discovery_prefix, "homeassistant");
		CHECK_STR(cfg.config_file, path);
		CHECK_INT(cfg.poll_interval_s, 0);

		CHECK_INT(log_count(), 8);
		CHECK_INT(logged(APS_CONFIG_INFO, "reading aps2mqtt settings from"), 1);
		CHECK_INT(logged(APS_CONFIG_WARNING, ""), 0);
		for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
			snprintf(line, sizeof(line), "%s:%d: %s is ignored: the plugin publishes", path,
			         ignored[i].line, ignored[i].key);
			CHECK_INT(logged(APS_CONFIG_INFO, line), 1);
		}
		aps_config_free(&cfg);
	}
}

static void test_precedence(void)
{
	const char *path = write_file("layers.yaml", "ecu:\n"
	                                             "  APS_ECU_IP: 10.0.0.1\n"
	                                             "  APS_ECU_PORT: 1000\n"
	                                             "mqtt:\n"
	                                             "  MQTT_TOPIC_PREFIX: yaml\n"
	                                             "  MQTT_RETAIN: true\n");
	char env_file[256];
	const char *const env_none[] = {env_file, "APS_ECU_PORT=", NULL};
	const char *const env_all[] = {env_file,           "APS_ECU_IP=10.0.0.2",
	                               "APS_ECU_PORT=2000", "MQTT_TOPIC_PREFIX=env",
	                               "MQTT_RETAIN=no",    NULL};
	const struct aps_config_opt opts[] = {
		{"ecu_host", "10.0.0.3"}, {"ecu_port", "3000"}, {"topic_prefix", ""}, {"retain", "on"}};
	const struct aps_config_opt port_only[] = {{"ecu_port", "3000"}};
	const struct aps_config_opt file_opt[] = {{"config_file", path}};
	const struct aps_config_opt no_file[] = {{"config_file", ""}, {"ecu_host", "e"}};
	const char *const env_missing[] = {"CONFIG_FILE=/nonexistent/aps2mqtt.yaml", NULL};
	struct aps_config cfg;

	snprintf(env_file, sizeof(env_file), "CONFIG_FILE=%s", path);
	CHECK_INT(load_env(&cfg, NULL, 0, env_none), 0); /* an empty variable is not a setting */
	CHECK_STR(cfg.ecus[0].host, "10.0.0.1");
	CHECK_INT(cfg.ecus[0].port, 1000);
	CHECK_INT(cfg.ecu_port, 1000);
	CHECK_STR(cfg.topic_prefix, "yaml");
	CHECK(cfg.retain);
	aps_config_free(&cfg);

	CHECK_INT(load_env(&cfg, NULL, 0, env_all), 0);
	CHECK_STR(cfg.ecus[0].host, "10.0.0.2");
	CHECK_INT(cfg.ecus[0].port, 2000);
	CHECK_STR(cfg.topic_prefix, "env");
	CHECK(!cfg.retain);
	aps_config_free(&cfg);

	CHECK_INT(load_env(&cfg, opts, N(opts), env_all), 0);
	CHECK_STR(cfg.ecus[0].host, "10.0.0.3");
	CHECK_INT(cfg.ecus[0].port, 3000);
	CHECK_STR(cfg.topic_prefix, "");
	CHECK(cfg.retain);
	aps_config_free(&cfg);

	/* The option's port applies to a host from the file. */
	CHECK_INT(load_env(&cfg, port_only, 1, env_none), 0);
	CHECK_STR(cfg.ecus[0].host, "10.0.0.1");
	CHECK_INT(cfg.ecus[0].port, 3000);
	aps_config_free(&cfg);

	/* plugin_opt_config_file wins over $CONFIG_FILE; "" reads no file at all. */
	CHECK_INT(load_env(&cfg, file_opt, 1, env_missing), 0);
	CHECK_INT(cfg.ecus[0].port, 1000);
	aps_config_free(&cfg);
	CHECK_INT(load_env(&cfg, no_file, 2, env_missing), 0);
	CHECK(cfg.config_file == NULL);
	aps_config_free(&cfg);
	CHECK_INT(load_env(&cfg, NULL, 0, env_missing), -1);
	CHECK_HAS(err, "/nonexistent/aps2mqtt.yaml: cannot open");
}

/* Loads text as the YAML file; the options add ecu_host unless with_host is false. */
static int load_yaml(const char *name, const char *text, size_t len, bool with_host,
                     const char **path)
{
	struct aps_config_opt opts[] = {{"config_file", NULL}, {"ecu_host", "e"}};
	struct aps_config cfg;
	int rc;

	*path = write_file_n(name, text, len);
	opts[0].value = *path;
	rc = load_env(&cfg, opts, with_host ? 2 : 1, NULL);
	aps_config_free(&cfg);
	return rc;
}

#define YAML(name, text, with_host, path) load_yaml(name, text, sizeof(text) - 1, with_host, path)

static void check_err(int line, const char *path, const char *rest)
{
	char want[512];

	snprintf(want, sizeof(want), "%s%s", path, rest);
	aps_check_str(err, want, __FILE__, line, "err");
}

static void test_yaml_errors(void)
{
	const char *path;

	CHECK_INT(YAML("list.yaml", "ecu:\n  - APS_ECU_IP: 1.2.3.4\n", true, &path), -1);
	check_err(__LINE__, path, ":2:3: ecu: is a list, not a mapping of KEY: value settings");
	CHECK_INT(YAML("scalar.yaml", "mqtt: yes\n", true, &path), -1);
	check_err(__LINE__, path, ":1:7: mqtt: is a single value, not a mapping of KEY: value settings");
	CHECK_INT(YAML("top.yaml", "- ecu\n- mqtt\n", true, &path), -1);
	check_err(__LINE__, path, ":1:1: the file is a list, not a mapping with ecu: and mqtt:");
	CHECK_INT(YAML("quote.yaml", "ecu:\n  APS_ECU_IP: \"192.168.0.1\n", true, &path), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK_HAS(err, ":3:1: not valid YAML: found unexpected end of stream (while scanning a "
	               "quoted scalar started at line 2)");
	CHECK_INT(YAML("indent.yaml", "ecu:\n  APS_ECU_IP: 1.2.3.4\n bad: 1\n", true, &path), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK_HAS(err, ":3:2: not valid YAML");
	CHECK_INT(YAML("bad-utf8.yaml", "ecu:\n  APS_ECU_IP: \xff\n", true, &path), -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK_HAS(err, "not valid YAML");
	CHECK_INT(YAML("two.yaml", "ecu: {}\n---\nmqtt: {}\n", true, &path), -1);
	check_err(__LINE__, path, ":2: a second YAML document; a settings file holds one");
	CHECK_INT(YAML("value.yaml", "ecu:\n  APS_ECU_IP: 10.0.0.1\n  APS_ECU_PORT: 70000\n", false,
	               &path), -1);
	check_err(__LINE__, path, ":3: APS_ECU_PORT: \"70000\" is out of range for a port (1-65535)");
	CHECK_INT(YAML("map.yaml", "ecu:\n  APS_ECU_PORT: {a: 1}\n", true, &path), -1);
	check_err(__LINE__, path, ":2: APS_ECU_PORT: is a mapping, not a single value");
	CHECK_INT(YAML("key.yaml", "ecu:\n  [a, b]: 1\n", true, &path), -1);
	check_err(__LINE__, path, ":2:3: a key in ecu: is a list, not a name");
	CHECK_INT(YAML("night.yaml", "ecu:\n  APS_ECU_STOP_AT_NIGHT: True\n", true, &path), -1);
	check_err(__LINE__, path, ":2: APS_ECU_STOP_AT_NIGHT: \"True\" needs both latitude and "
	                          "longitude to know when night falls");
	CHECK_INT(YAML("pw-nul.yaml", "ecu:\n  APS_ECU_WIFI_PASSWD: \"" PASSWORD "\\0x\"\n", true,
	               &path), -1);
	check_err(__LINE__, path, ":2: APS_ECU_WIFI_PASSWD: (hidden) holds a NUL byte");
	CHECK_INT(YAML("pw-list.yaml", "ecu:\n  APS_ECU_WIFI_PASSWD: [" PASSWORD "]\n", true, &path),
	          -1);
	check_err(__LINE__, path, ":2: APS_ECU_WIFI_PASSWD: is a list, not a single value");
	CHECK_INT(YAML("pw-restart.yaml", "ecu:\n  APS_ECU_AUTO_RESTART: yes\n"
	                                  "  APS_ECU_WIFI_SSID: ECU_R\n  APS_ECU_WIFI_PASSWD: pw\n",
	               true, &path), -1);
	check_err(__LINE__, path, ":4: APS_ECU_WIFI_PASSWD: (hidden) cannot be sent to the ECU: a "
	                          "WPA2 password has 8 to 63 characters");

	path = tmpdir;
	{
		const struct aps_config_opt opts[] = {{"config_file", tmpdir}, {"ecu_host", "e"}};
		struct aps_config cfg;

		CHECK_INT(LOAD(&cfg, opts), -1);
		check_err(__LINE__, path, ": not a regular file");
	}
}

static void test_yaml_lenient(void)
{
	static const char extra[] = "logging:\n"
	                            "  level: debug\n"
	                            "ecu:\n"
	                            "  APS_ECU_IP: 10.0.0.1\n"
	                            "  FOO: [1, 2]\n"
	                            "  MQTT_RETAIN: true\n"
	                            "mqtt:\n"
	                            "  APS_ECU_PORT: 1\n"
	                            "  mqtt_topic_prefix: lower\n";
	static const char nulls[] = "ecu:\n"
	                            "  APS_ECU_IP: 10.0.0.1\n"
	                            "  APS_ECU_PORT: None\n"
	                            "  APS_ECU_TIMEZONE: ~\n"
	                            "  APS_ECU_POSITION_LAT: null\n"
	                            "  APS_ECU_POSITION_LNG:\n"
	                            "  APS_ECU_WIFI_SSID: \"\"\n"
	                            "  APS_ECU_STOP_AT_NIGHT: NULL\n"
	                            "mqtt:\n"
	                            "  MQTT_TOPIC_PREFIX: NULL\n"
	                            "  MQTT_DISCOVERY_PREFIX: None\n"
	                            "  MQTT_BROKER_CACERTS_PATH: None\n";
	struct aps_config_opt opts[] = {{"config_file", NULL}};
	struct aps_config cfg;
	const char *path;

	opts[0].value = path = write_file("extra.yaml", extra);
	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK_INT(logged(APS_CONFIG_WARNING, ""), 4);
	CHECK_INT(logged(APS_CONFIG_WARNING, ":1: unknown section \"logging\", ignored"), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, ":5: unknown key \"FOO\" in the ecu: section"), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, ":6: \"MQTT_RETAIN\" belongs in the mqtt: section"), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, ":8: \"APS_ECU_PORT\" belongs in the ecu: section"), 1);
	CHECK(!cfg.retain);
	CHECK_INT(cfg.ecu_port, 8899);
	CHECK_STR(cfg.topic_prefix, "lower"); /* keys match whatever their case */
	aps_config_free(&cfg);

	opts[0].value = write_file("nulls.yaml", nulls);
	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK_INT(cfg.ecu_port, 8899);
	CHECK_INT(cfg.ecus[0].port, 8899);
	CHECK_STR(cfg.timezone, "");
	CHECK(!cfg.has_position && !cfg.stop_at_night);
	CHECK_STR(cfg.wifi_ssid, "");
	CHECK_STR(cfg.topic_prefix, "");
	CHECK_STR(cfg.discovery_prefix, "homeassistant");
	CHECK_INT(logged(APS_CONFIG_INFO, "MQTT_BROKER_CACERTS_PATH is ignored"), 1);
	CHECK_INT(logged(APS_CONFIG_WARNING, ""), 0);
	aps_config_free(&cfg);

	/* Quoted, "None" is just a word: a zone no system has. */
	opts[0].value = write_file("quoted.yaml", "ecu:\n  APS_ECU_IP: e\n  APS_ECU_TIMEZONE: \"None\"\n");
	CHECK_INT(LOAD(&cfg, opts), -1);
	CHECK_HAS(err, "APS_ECU_TIMEZONE: \"None\" is not a time zone name: no such zone on this system");

	/* An empty file or empty sections: nothing read, no error. */
	CHECK_INT(load_yaml("empty.yaml", "", 0, true, &path), 0);
	CHECK_INT(logged(APS_CONFIG_WARNING, ": empty, no settings read"), 1);
	CHECK_INT(YAML("sections.yaml", "ecu:\nmqtt: {}\n", true, &path), 0);
	CHECK_INT(logged(APS_CONFIG_WARNING, ""), 0);

	/* control and http_port have keys of their own in ecu: */
	opts[0].value = write_file("control.yaml", "ecu:\n  APS_ECU_IP: e\n  APS_ECU_CONTROL: True\n"
	                                           "  APS_ECU_HTTP_PORT: 8080\n");
	CHECK_INT(LOAD(&cfg, opts), 0);
	CHECK(cfg.control);
	CHECK_INT(cfg.http_port, 8080);
	aps_config_free(&cfg);
}
void test_yaml(void)
{
	test_aps2mqtt_example();
	test_precedence();
	test_yaml_errors();
	test_yaml_lenient();
}
