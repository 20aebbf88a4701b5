// SPDX-License-Identifier: MIT
/*
 * test_reload.c - what a reload reads and compares: our plugin_opt_ lines
 * found in the broker's configuration as the broker reads them (comments,
 * other plugins' options, plugin_load/plugin_use, include_dir, a second line
 * loading our file), and which options differ between two loads.
 */
#define _DEFAULT_SOURCE
#include <sys/stat.h>

#include "broker_conf.h"
#include "harness.h"

static char plugin_path[160], other_path[160], dir_path[160];

static const char *value_of(const struct broker_conf_opts *o, const char *key)
{
	for (int i = 0; i < o->count; i++) {
		if (strcmp(o->opts[i].key, key) == 0) return o->opts[i].value;
	}
	return NULL;
}

static void test_plain_file(void)
{
	char conf[1024], why[256];
	struct broker_conf_opts o;

	snprintf(conf, sizeof(conf),
	         "# a comment plugin_opt_ecu_host 1.2.3.4\n"
	         "listener 1883\n"
	         "plugin %s\n"
	         "plugin_opt_other 1\n"
	         "plugin %s\r\n"
	         "plugin_opt_ecu_host 10.0.0.5,10.0.0.6\r\n"
	         "plugin_opt_topic_prefix    solar roof  \n"
	         "#plugin_opt_discovery true\n"
	         "plugin_opt_empty\n"
	         "auth_opt_retain true\n"
	         "plugin %s\n"
	         "plugin_opt_poll_interval 9\n",
	         other_path, plugin_path, plugin_path);
	const char *path = write_file("mosquitto.conf", conf);
	CHECK_INT(broker_conf_plugin_options(path, plugin_path, &o, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_INT(o.count, 3);
	CHECK_STR(value_of(&o, "ecu_host"), "10.0.0.5,10.0.0.6");
	/* The rest of the line, leading blanks gone, the rest kept as the broker does. */
	CHECK_STR(value_of(&o, "topic_prefix"), "solar roof  ");
	CHECK_STR(value_of(&o, "retain"), "true");
	CHECK(value_of(&o, "other") == NULL);        /* another plugin's */
	CHECK(value_of(&o, "poll_interval") == NULL); /* a second instance's */
	CHECK(value_of(&o, "empty") == NULL);
	broker_conf_free(&o);
	broker_conf_free(&o); /* twice is harmless */
}

static void test_named_and_included(void)
{
	char text[512], main_conf[512], why[256];
	struct broker_conf_opts o;

	/* plugin_load/plugin_use (2.1), in an include_dir file; options in the
	 * main file after an include belong to no plugin of that file. */
	snprintf(text, sizeof(text),
	         "plugin_load aps %s\n"
	         "plugin_opt_ecu_host 127.0.0.1\n"
	         "plugin_load sec %s\n"
	         "plugin_opt_ecu_host 127.0.0.2\n"
	         "listener 1884\n"
	         "plugin_use aps\n"
	         "plugin_opt_timeout_ms 700\n",
	         plugin_path, other_path);
	write_file("conf.d/b.conf", text);
	write_file("conf.d/a.txt", "plugin_opt_retain true\n");
	snprintf(main_conf, sizeof(main_conf), "include_dir %s\nplugin_opt_retain false\n", dir_path);
	const char *path = write_file("main.conf", main_conf);
	CHECK_INT(broker_conf_plugin_options(path, plugin_path, &o, why, sizeof(why)), 0);
	CHECK_INT(o.count, 2);
	CHECK_STR(value_of(&o, "ecu_host"), "127.0.0.1");
	CHECK_STR(value_of(&o, "timeout_ms"), "700");
	broker_conf_free(&o);
}

static void test_failures(void)
{
	char why[256];
	struct broker_conf_opts o;
	char missing[200];

	const char *path = write_file("nothing.conf", "listener 1883\nplugin_opt_ecu_host 1.2.3.4\n");
	CHECK_INT(broker_conf_plugin_options(path, plugin_path, &o, why, sizeof(why)), -1);
	CHECK(strstr(why, "no plugin line") != NULL);
	CHECK(o.opts == NULL && o.count == 0);

	snprintf(missing, sizeof(missing), "%s/none.conf", tmpdir);
	CHECK_INT(broker_conf_plugin_options(missing, plugin_path, &o, why, sizeof(why)), -1);
	CHECK(strstr(why, "none.conf") != NULL);
}

static void test_changes(void)
{
	const struct aps_config_opt before[] = {{"ecu_host", "10.0.0.5"}, {"poll_interval", "300"},
	                                         {"wifi_ssid", "ECU-WIFI_local"}, {"wifi_passwd", PASSWORD},
	                                         {"auto_restart", "true"}};
	const struct aps_config_opt same[] = {{"ECU_HOST", "10.0.0.5:8899"}, {"poll_interval", "0300"},
	                                       {"wifi_ssid", "ECU-WIFI_local"}, {"wifi_passwd", PASSWORD},
	                                       {"auto_restart", "yes"}};
	const struct aps_config_opt after[] = {{"ecu_host", "10.0.0.5,10.0.0.6"}, {"poll_interval", "10"},
	                                        {"wifi_ssid", "ECU-WIFI_local"}, {"wifi_passwd", "another-pw"},
	                                        {"auto_restart", "true"}, {"topic_prefix", "x"}};
	struct aps_config a, b, c;
	const char *names[8];

	CHECK_INT(LOAD(&a, before), 0);
	CHECK_INT(LOAD(&b, same), 0);
	CHECK_INT(LOAD(&c, after), 0);
	CHECK_INT(aps_config_changes(&a, &b, names, 8), 0);
	CHECK_INT(aps_config_changes(&a, &c, names, 8), 4);
	CHECK_STR(names[0], "ecu_host");
	CHECK_STR(names[1], "poll_interval");
	CHECK_STR(names[2], "topic_prefix");
	CHECK_STR(names[3], "wifi_passwd");
	/* More changes than room: counted, not written past max. */
	names[1] = NULL;
	CHECK_INT(aps_config_changes(&a, &c, names, 1), 4);
	CHECK(names[1] == NULL);
	aps_config_free(&a);
	aps_config_free(&b);
	aps_config_free(&c);
}

void test_reload(void)
{
	snprintf(plugin_path, sizeof(plugin_path), "%s/plugin.so", tmpdir);
	snprintf(other_path, sizeof(other_path), "%s/other.so", tmpdir);
	snprintf(dir_path, sizeof(dir_path), "%s/conf.d", tmpdir);
	write_file("plugin.so", "not really a plugin");
	write_file("other.so", "another file");
	CHECK_INT(mkdir(dir_path, 0700), 0);

	test_plain_file();
	test_named_and_included();
	test_failures();
	test_changes();
}
