// SPDX-License-Identifier: MIT
/* reload.c - see reload.h. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "broker_conf.h"
#include "clock.h"
#include "reload.h"

extern char **environ;

/* The start of the command line, where mosquitto -c <file> is. */
#define CMDLINE_MAX 8192
#define CHANGES_MAX 48
#define LIST_SIZE 768

/* The options a running plugin takes as they are: they are read afresh at
 * every use.  Anything else shapes state built at start (sockets, topics,
 * announcements, the state file) and waits for a restart. */
static const char *const live_options[] = {
	"poll_interval", "retry_interval", "request_gap_ms", "timeout_ms", "offline_after", "restart_after",
	"rediscover_interval",
};

static bool is_live(const char *name)
{
	for (size_t i = 0; i < sizeof(live_options) / sizeof(live_options[0]); i++) {
		if (strcmp(name, live_options[i]) == 0) return true;
	}
	return false;
}

/* The broker's configuration file, from its command line (-c or
 * --config-file), into buf; false when it was started without one. */
static bool broker_conf_path(char *buf, size_t size)
{
	char cmdline[CMDLINE_MAX];
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n, len = 0;

	if (fd < 0) return false;
	while (len < (ssize_t)sizeof(cmdline) - 1 && (n = read(fd, cmdline + len, sizeof(cmdline) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	cmdline[len] = '\0';
	for (const char *arg = cmdline; arg < cmdline + len; arg += strlen(arg) + 1) {
		if (strcmp(arg, "-c") != 0 && strcmp(arg, "--config-file") != 0) continue;
		const char *path = arg + strlen(arg) + 1;
		if (path >= cmdline + len || strlen(path) >= size) return false;
		memcpy(buf, path, strlen(path) + 1);
		return true;
	}
	return false;
}

/* Takes next's value of a live option into the running plugin. */
static void apply(struct aps_plugin *pl, const struct aps_config *next, const char *name)
{
	struct aps_config *cfg = &pl->cfg;
	if (strcmp(name, "poll_interval") == 0) {
		cfg->poll_interval_s = next->poll_interval_s;
		/* A shorter interval starts now, not after the wait the old one set. */
		uint64_t now = aps_monotonic_ms();
		uint64_t soon = now + (uint64_t)(cfg->poll_interval_s > 0 ? cfg->poll_interval_s : 300) * 1000u;
		for (size_t i = 0; i < pl->ecu_count; i++) {
			struct ecu *e = &pl->ecus[i];
			if (e->poller.state == POLLER_IDLE && !e->health.night && e->health.failures == 0 &&
			    e->poller.next_poll_ms > soon)
				poller_schedule(&e->poller, soon);
		}
	} else if (strcmp(name, "retry_interval") == 0) {
		cfg->retry_interval_s = next->retry_interval_s;
	} else if (strcmp(name, "request_gap_ms") == 0) {
		cfg->request_gap_ms = next->request_gap_ms;
		pl->settings.request_gap_ms = (uint32_t)next->request_gap_ms;
	} else if (strcmp(name, "timeout_ms") == 0) {
		cfg->timeout_ms = next->timeout_ms;
		pl->settings.timeout_ms = (uint32_t)next->timeout_ms;
	} else if (strcmp(name, "offline_after") == 0) {
		cfg->offline_after = next->offline_after;
	} else if (strcmp(name, "restart_after") == 0) {
		cfg->restart_after = next->restart_after;
	} else if (strcmp(name, "rediscover_interval") == 0) {
		cfg->rediscover_interval_s = next->rediscover_interval_s;
	}
}

static void append(char *list, const char *name)
{
	size_t len = strlen(list);
	snprintf(list + len, LIST_SIZE - len, "%s%s", len ? ", " : "", name);
}

void reload_handle(struct aps_plugin *pl)
{
	char conf[1024], err[512];
	Dl_info self;
	struct broker_conf_opts opts;
	struct aps_config next;

	if (!broker_conf_path(conf, sizeof(conf))) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: the broker reloaded its configuration, but its command "
		                     "line names no configuration file to read our options from: nothing changed");
		return;
	}
	if (dladdr((void *)reload_handle, &self) == 0 || self.dli_fname == NULL) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: the broker reloaded its configuration, but the plugin "
		                     "cannot tell which file it was loaded from: nothing changed");
		return;
	}
	if (broker_conf_plugin_options(conf, self.dli_fname, &opts, err, sizeof(err)) != 0) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: configuration reloaded, but our options could not be "
		                     "read again (%s): the running settings stay", err);
		return;
	}
	/* No log callback: the lines said at start (files read, advice) are not
	 * said again; an error comes back in err. */
	int rc = aps_config_load(&next, opts.opts, opts.count, environ, NULL, NULL, err, sizeof(err));
	broker_conf_free(&opts);
	if (rc != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: configuration reloaded with an error: %s; the running "
		                     "settings stay", err);
		return;
	}

	const char *names[CHANGES_MAX];
	int n = aps_config_changes(&pl->cfg, &next, names, CHANGES_MAX);
	char applied[LIST_SIZE] = "", waiting[LIST_SIZE] = "";
	for (int i = 0; i < n && i < CHANGES_MAX; i++) {
		if (is_live(names[i])) {
			apply(pl, &next, names[i]);
			append(applied, names[i]);
		} else {
			append(waiting, names[i]);
		}
	}
	aps_config_free(&next);

	if (n == 0) {
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: configuration reloaded: none of our options changed");
		return;
	}
	if (applied[0])
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: configuration reloaded: now in effect: %s", applied);
	if (waiting[0])
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: configuration reloaded: changed, but only a broker "
		                     "restart applies them: %s", waiting);
}
