// SPDX-License-Identifier: MIT
/*
 * mosquitto_aps_ecu - a Mosquitto plugin that polls APsystems ECUs and
 * publishes what they report, as aps2mqtt does, from inside the broker.
 *
 * Use in mosquitto.conf:
 *   plugin /usr/lib/x86_64-linux-gnu/mosquitto_aps_ecu.so
 *   plugin_opt_ecu_host 192.168.1.42
 */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker_api.h"

#include "alloc.h"
#include "aps_plugin.h"
#include "publish.h"
#include "reload.h"
#include "clock.h"
#include "control.h"
#include "energy_store.h"
#include "guard.h"
#include "shutdown.h"
#include "tick.h"
#include "tz.h"
#include "wake.h"

extern char **environ;

/* Built with hidden visibility: only the broker's three entry points show. */
#define APS_EXPORT __attribute__((visibility("default")))

/* The tick's event data as both releases lay it out.  2.0 names the third
 * field next_ns and ignores what is written there; 2.1 names it next_ms and
 * reads it.  One layout, checked against whichever headers build us, lets the
 * same binary answer both. */
struct tick_layout {
	void *future;
	long now_ns;
	long next_ms;
	time_t now_s;
	time_t next_s;
	void *future2[4];
};
_Static_assert(sizeof(struct tick_layout) == sizeof(struct mosquitto_evt_tick), "tick event size");
_Static_assert(offsetof(struct tick_layout, now_ns) == offsetof(struct mosquitto_evt_tick, now_ns), "now_ns");
_Static_assert(offsetof(struct tick_layout, next_ms) == offsetof(struct mosquitto_evt_tick, now_ns) + sizeof(long),
               "next_ms follows now_ns");
_Static_assert(offsetof(struct tick_layout, now_s) == offsetof(struct mosquitto_evt_tick, now_s), "now_s");
_Static_assert(offsetof(struct tick_layout, next_s) == offsetof(struct mosquitto_evt_tick, next_s), "next_s");

/* Without our wake-up timer (wake.h), the longest we let a 2.1 broker sleep:
 * what 2.0 does anyway. */
#define FALLBACK_WAIT_MS 100

static int on_tick(int event, void *event_data, void *userdata)
{
	(void)event;
	struct aps_plugin *pl = userdata;
	uint64_t start = aps_monotonic_ns(), cpu_start = aps_thread_cpu_ns();
	uint64_t wait_ms = tick_handle(pl);
	uint64_t spent = aps_monotonic_ns() - start, cpu = aps_thread_cpu_ns() - cpu_start;
	pl->ticks++;
	pl->tick_total_ns += spent;
	if (spent > pl->tick_max_ns) pl->tick_max_ns = spent;
	if (cpu > pl->tick_max_cpu_ns) pl->tick_max_cpu_ns = cpu;

	struct tick_layout *tick = event_data;
	if (wake_signal()) {
		/* Called on every pass of the broker's loop; our timer makes the
		 * pass happen when we need it. */
		tick->next_s = 0;
		tick->next_ms = 0;
		wake_at(wait_ms);
	} else {
		if (wait_ms > FALLBACK_WAIT_MS) wait_ms = FALLBACK_WAIT_MS;
		tick->next_s = 0;
		tick->next_ms = wait_ms > 0 ? (long)wait_ms : 1; /* 0 would ask for nothing */
	}
	return MOSQ_ERR_SUCCESS;
}

static void config_log(void *ctx, int level, const char *msg)
{
	(void)ctx;
	int mosq_level = level == APS_CONFIG_ERR ? MOSQ_LOG_ERR
	               : level == APS_CONFIG_WARNING ? MOSQ_LOG_WARNING : MOSQ_LOG_INFO;
	mosquitto_log_printf(mosq_level, "aps-ecu: %s", msg);
}

/* Home Assistant announces itself with "online" on <discovery_prefix>/status:
 * its discovery state may be gone, so ours goes out again (from the tick). */
static int on_message(int event, void *event_data, void *userdata)
{
	(void)event;
	struct aps_plugin *pl = userdata;
	const struct mosquitto_evt_message *msg = event_data;

	if (guard_message(pl, msg) != MOSQ_ERR_SUCCESS) return MOSQ_ERR_ACL_DENIED;
	if (msg->topic && strcmp(msg->topic, pl->discovery_status_topic) == 0 && msg->payloadlen == 6 &&
	    memcmp(msg->payload, "online", 6) == 0)
		pl->rediscover = true;
	control_on_message(pl, msg);
	return MOSQ_ERR_SUCCESS;
}

/* SIGHUP: the broker read its configuration again (reload.h). */
static int on_reload(int event, void *event_data, void *userdata)
{
	(void)event;
	(void)event_data; /* its options are always empty: Mosquitto passes none */
	reload_handle(userdata);
	return MOSQ_ERR_SUCCESS;
}

/* Mosquitto 2.1's additions, looked up in the running broker rather than
 * taken from the headers that built us: the same binary loads into 2.0,
 * where they do not exist. */
typedef int (*set_info_fn)(mosquitto_plugin_id_t *id, const char *name, const char *version);
typedef const char *(*persistence_location_fn)(void);

static void use_broker_extras(struct aps_plugin *pl)
{
	set_info_fn set_info = (set_info_fn)dlsym(RTLD_DEFAULT, "mosquitto_plugin_set_info");
	persistence_location_fn location =
		(persistence_location_fn)dlsym(RTLD_DEFAULT, "mosquitto_persistence_location");

	if (set_info) set_info(pl->id, "aps-ecu", APS_VERSION);
	const char *dir = location ? location() : NULL;
	if (dir && strlen(dir) < sizeof(pl->persistence_location))
		memcpy(pl->persistence_location, dir, strlen(dir) + 1);
	mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: version %s on a Mosquitto %s broker%s%s", APS_VERSION,
	                     set_info ? "2.1 or later" : "2.0", pl->persistence_location[0] ? ", state in " : "",
	                     pl->persistence_location);
}

/* One instance per broker process, whatever its file is called: a second
 * `plugin` line (2.1 loads the same file twice, and a renamed copy loads on
 * 2.0 too) would poll every ECU twice.  A copy has statics of its own, so the
 * marker lives in the process's environment, holding our pid so that a child
 * process which inherits it is not fooled. */
#define INSTANCE_MARKER "MOSQUITTO_APS_ECU_INSTANCE"

static bool claim_instance(void)
{
	char pid[24];
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	const char *held = getenv(INSTANCE_MARKER);
	if (held && strcmp(held, pid) == 0) return false;
	return setenv(INSTANCE_MARKER, pid, 1) == 0;
}

/* How long Home Assistant may show a state without a newer one: a poll's
 * interval (360 s when following the ECU) and state_expiry beyond it, as the
 * broker keeps a retained state (tick.c).  None with stop_at_night, whose
 * pause lasts the night, nor with state_expiry 0. */
static unsigned state_expire_after(const struct aps_config *cfg)
{
	if (cfg->state_expiry_s <= 0 || cfg->stop_at_night) return 0;
	return (unsigned)cfg->state_expiry_s + (cfg->poll_interval_s > 0 ? (unsigned)cfg->poll_interval_s : 360u);
}

static void plugin_free(struct aps_plugin *pl)
{
	if (!pl) return;
	if (pl->instance_claimed) unsetenv(INSTANCE_MARKER);
	for (size_t i = 0; pl->ecus && i < pl->ecu_count; i++) {
		ecu_restart_close(&pl->ecus[i]);
		control_close(&pl->ecus[i]);
		announce_free(pl->ecus[i].announcer);
		poller_free(&pl->ecus[i].poller);
	}
	energy_store_close(pl->energy);
	aps_free(pl->ecus);
	aps_free(pl->pfds);
	aps_free(pl->pfd_owner);
	aps_config_free(&pl->cfg);
	aps_free(pl);
	aps_tz_forget();
}

APS_EXPORT int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	for (int i = 0; i < supported_version_count; i++) {
		if (supported_versions[i] == 5) return 5;
	}
	return -1;
}

APS_EXPORT int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *opts,
                          int opt_count)
{
	char err[512];
	struct aps_plugin *pl = aps_calloc(1, sizeof(*pl));
	if (!pl) return MOSQ_ERR_NOMEM;
	pl->id = identifier;
	use_broker_extras(pl);
	if (!claim_instance()) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: loaded twice (another plugin line, or a copy of the plugin "
		                                   "under another name): list every ECU in one plugin_opt_ecu_host line "
		                                   "instead");
		plugin_free(pl);
		return MOSQ_ERR_ALREADY_EXISTS;
	}
	pl->instance_claimed = true;

	if (aps_config_load(&pl->cfg, (const struct aps_config_opt *)opts, opt_count, environ, config_log, pl, err,
	                    sizeof(err)) != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: %s", err);
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: not started: fix the configuration above");
		plugin_free(pl);
		return MOSQ_ERR_INVAL;
	}

	const char *status_parts[] = { "aps", "status" };
	if (topic_join(pl->status_topic, sizeof(pl->status_topic), pl->cfg.topic_prefix, status_parts, 2) != 0) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: topic_prefix \"%s\" gives no valid topic", pl->cfg.topic_prefix);
		plugin_free(pl);
		return MOSQ_ERR_INVAL;
	}

	aps_config_topic_base(&pl->cfg, pl->topic_base, sizeof(pl->topic_base));
	pl->announce = (struct announce_settings){
		.discovery = pl->cfg.discovery,
		.migrate = pl->cfg.migrate_aps2mqtt_discovery,
		.ctx = { .discovery_prefix = pl->cfg.discovery_prefix, .topic_base = pl->topic_base,
		         .status_topic = pl->status_topic, .origin_sw = APS_VERSION,
		         .expire_after_s = state_expire_after(&pl->cfg) },
	};
	pl->settings.timeout_ms = (uint32_t)pl->cfg.timeout_ms;
	pl->settings.request_gap_ms = (uint32_t)pl->cfg.request_gap_ms;
	pl->ecu_count = (size_t)pl->cfg.ecu_count;
	pl->ecus = aps_calloc(pl->ecu_count, sizeof(*pl->ecus));
	pl->pfds = aps_calloc(APS_PFDS_PER_ECU * pl->ecu_count, sizeof(*pl->pfds));
	pl->pfd_owner = aps_calloc(APS_PFDS_PER_ECU * pl->ecu_count, sizeof(*pl->pfd_owner));
	if (!pl->ecus || !pl->pfds || !pl->pfd_owner || control_init(pl) != 0) {
		plugin_free(pl);
		return MOSQ_ERR_NOMEM;
	}

	pl->energy = energy_store_open(pl);

	uint64_t now = aps_monotonic_ms();
	for (size_t i = 0; i < pl->ecu_count; i++) {
		energy_filter_init(&pl->ecus[i].energy.filter);
		pl->ecus[i].announcer = announce_new();
		if (!pl->ecus[i].announcer) {
			plugin_free(pl);
			return MOSQ_ERR_NOMEM;
		}
		poller_init(&pl->ecus[i].poller, pl->cfg.ecus[i].host, pl->cfg.ecus[i].port, now);
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: will poll the ECU at %s", pl->ecus[i].poller.label);
	}

	/* libcurl's first set-up pages its code in (3 to 12 ms measured, see
	 * tests/bench/bench_http.c): here, before the broker serves, not in the
	 * tick of the first web request.  Without it, that request opens it. */
	if (pl->cfg.auto_restart && restart_http_open() != 0)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot set up libcurl now (out of memory?): "
		                                       "tried again at the first web request");

	char why[160];
	if (!wake_open(why, sizeof(why)))
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot wake the broker on time (%s): on a Mosquitto 2.1 "
		                     "broker, polls and replies may be late", why);

	int rc = mosquitto_callback_register(identifier, MOSQ_EVT_TICK, on_tick, NULL, pl);
	if (rc != MOSQ_ERR_SUCCESS) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: cannot register the tick callback: %s (%d)",
		                     aps_mosq_error(rc), rc);
		wake_close();
		plugin_free(pl);
		return rc;
	}
	pl->tick_registered = true;
	pl->reload_registered =
		mosquitto_callback_register(identifier, MOSQ_EVT_RELOAD, on_reload, NULL, pl) == MOSQ_ERR_SUCCESS;
	if (!pl->reload_registered)
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: cannot watch for configuration reloads: changed "
		                     "options need a broker restart");

	/* Messages are watched for Home Assistant's return, and for clients
	 * publishing on our topics (guard.h), discovery or not. */
	const char *parts[] = { "status" };
	if ((pl->cfg.discovery && topic_join(pl->discovery_status_topic, sizeof(pl->discovery_status_topic),
	                                     pl->cfg.discovery_prefix, parts, 1) != 0) ||
	    mosquitto_callback_register(identifier, MOSQ_EVT_MESSAGE, on_message, NULL, pl) != MOSQ_ERR_SUCCESS) {
		mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: cannot watch clients' messages (for %s/status and our "
		                     "own topics)", pl->cfg.discovery_prefix);
		mosquitto_callback_unregister(identifier, MOSQ_EVT_TICK, on_tick, NULL);
		if (pl->reload_registered) mosquitto_callback_unregister(identifier, MOSQ_EVT_RELOAD, on_reload, NULL);
		wake_close();
		plugin_free(pl);
		return MOSQ_ERR_UNKNOWN;
	}
	pl->message_registered = true;

	tick_start(pl);
	*userdata = pl;
	return MOSQ_ERR_SUCCESS;
}

APS_EXPORT int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *opts, int opt_count)
{
	(void)opts;
	(void)opt_count;
	struct aps_plugin *pl = userdata;
	if (!pl) return MOSQ_ERR_SUCCESS;

	shutdown_uninstall();
	if (pl->tick_registered) mosquitto_callback_unregister(pl->id, MOSQ_EVT_TICK, on_tick, NULL);
	wake_close();
	if (pl->message_registered) mosquitto_callback_unregister(pl->id, MOSQ_EVT_MESSAGE, on_message, NULL);
	if (pl->reload_registered) mosquitto_callback_unregister(pl->id, MOSQ_EVT_RELOAD, on_reload, NULL);
	/* Reaches nobody on a normal stop (see shutdown.h), but a broker that
	 * unloads plugins while it runs still gets it. */
	if (!pl->offline_sent) tick_offline(pl);
	if (pl->ticks > 0)
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: %llu ticks, longest %.3f ms, mean %.3f ms, "
		                     "longest on the CPU %.3f ms",
		                     (unsigned long long)pl->ticks, (double)pl->tick_max_ns / 1e6,
		                     (double)pl->tick_total_ns / (double)pl->ticks / 1e6,
		                     (double)pl->tick_max_cpu_ns / 1e6);
	plugin_free(pl);
	restart_http_close();
	return MOSQ_ERR_SUCCESS;
}
