// SPDX-License-Identifier: MIT
/*
 * broker_conf.h - our plugin_opt_ lines, read again from the broker's own
 * configuration file.  On SIGHUP Mosquitto 2.0 and 2.1 re-read their file but
 * skip every plugin line and plugin option (2.1.2 src/conf.c: "plugin not
 * currently valid for reloading") and send plugins MOSQ_EVT_RELOAD with no
 * options, so a plugin that wants to see its changed options must read them
 * itself, the way the broker does at start:
 *   - a line starting with '#' is a comment; the key ends at the first space;
 *   - `plugin`, `auth_plugin`, `global_plugin` <path> and `plugin_load`
 *     <name> <path> start a plugin, `plugin_use <name>` returns to one;
 *     `plugin_opt_<key> <value>` (or `auth_opt_`) belongs to the plugin
 *     started last in the same file, the value being the rest of the line;
 *   - `include_dir <dir>` in the main file reads <dir>'s *.conf files.
 * Ours is the plugin whose file is the same file (device and inode) as the
 * one the broker loaded us from.
 */
#ifndef APS_BROKER_CONF_H
#define APS_BROKER_CONF_H

#include <stddef.h>

#include "config.h"

struct broker_conf_opts {
	struct aps_config_opt *opts; /* keys without "plugin_opt_" */
	int count;
};

/* Reads conf_path (and its include_dir files) and collects the options of
 * the first plugin line naming the file plugin_path.  Returns 0 (*out filled:
 * free it with broker_conf_free()), or -1 with a one-line reason in err: the
 * file cannot be read, no plugin line names our file. */
int broker_conf_plugin_options(const char *conf_path, const char *plugin_path, struct broker_conf_opts *out,
                               char *err, size_t errlen);

void broker_conf_free(struct broker_conf_opts *o);

#endif
