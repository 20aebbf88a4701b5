// SPDX-License-Identifier: MIT
/*
 * aps_plugin.h - the plugin's state: one struct, handed to every callback as
 * userdata.  Nothing else lives at file scope but process-wide facts: signal
 * handlers (shutdown.c), the wake-up timer (wake.c), libcurl (net/restart.c)
 * and whether an instance runs (plugin.c).
 */
#ifndef APS_PLUGIN_H
#define APS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker_api.h"

#include "announce.h"
#include "clock.h"
#include "config.h"
#include "ecu_restart.h"
#include "energy.h"
#include "guard.h"
#include "payload.h"
#include "poller.h"
#include "rediscover.h"
#include "topic.h"

struct pollfd;
struct energy_store;
struct ecu_control;

/* poll() slots per ECU: poller, restart, control. */
#define APS_PFDS_PER_ECU 3

/* The ECU as tick.c sees it, and alone writes. */
struct ecu_health {
	bool status_published;     /* its status topic has been published */
	bool online;               /* last status published */
	unsigned failures;         /* consecutive failed cycles */
	char last_logged_msg[240]; /* last failure logged, to log changes only */
	char ecu_id[APS_ECU_ID_LEN + 1]; /* the id last published under */
	bool note_logged;
	bool data_valid;           /* the poller holds a whole good cycle */
	int64_t last_success;      /* wall clock, 0 = never */
	char last_error[240];      /* the most recent failure, kept after recovery */
	bool night;                /* paused until sunrise */
	bool power_cycle_published; /* its needs_power_cycle topic has been published */
	bool power_cycle_on;        /* what it last said */
};

/* The energy filter's memory (policy/energy.h), and the last note logged. */
struct ecu_energy {
	struct energy_filter filter;
	char note[ENERGY_REASON_MAX];
};

/* Work left over when a tick's time ran out (TICK_BUDGET_NS, tick.c): a
 * finished cycle to publish, with what was decided about it (meanwhile the
 * poller starts no new cycle, so its data stays what is being sent), or
 * configs to send again (rediscover.h), which never hold the poller: a cycle
 * that starts meanwhile sends them at its end. */
struct publish_queue {
	bool cycle;
	struct aps_cycle_time time;
	struct aps_ecu_values values;
	bool announce;
};

/* One ECU.  Each part has one writer: the poller (net/) its sockets and
 * replies, which the others only read; tick.c the health, energy memory and
 * queue; announce.c what it announced; ecu_restart.c the restart. */
struct ecu {
	struct ecu_poller poller;
	struct ecu_health health;
	struct ecu_energy energy;
	struct publish_queue queue;
	struct announcer *announcer;
	struct ecu_restart restart;
	struct ecu_rediscover rediscover;
	struct ecu_control *control; /* control.c's; NULL when control is off */
	short poll_revents, restart_revents, control_revents; /* this tick's poll() results */
};

/* Whose socket each poll() slot is. */
enum pfd_kind {
	PFD_POLLER,     /* the ECU's poll socket */
	PFD_RESTART,    /* the restart request's (ecu_restart.h) */
	PFD_CONTROL,    /* the control exchange's (control.h) */
};

struct pfd_owner {
	size_t ecu;
	enum pfd_kind kind;
};

struct aps_plugin {
	mosquitto_plugin_id_t *id;
	struct aps_config cfg;
	char status_topic[APS_TOPIC_MAX];
	struct ecu *ecus;
	size_t ecu_count;
	struct pollfd *pfds;        /* APS_PFDS_PER_ECU slots per ECU, rebuilt each tick */
	struct pfd_owner *pfd_owner;
	char discovery_status_topic[APS_TOPIC_MAX]; /* <discovery_prefix>/status */
	char topic_base[APS_CONFIG_TOPIC_BASE_SIZE]; /* "<topic_prefix>/" or "" */
	struct announce_settings announce;
	bool rediscover;            /* Home Assistant came online (rediscover.h) */
	struct poller_settings settings;
	bool instance_claimed;      /* the process-wide one-instance marker is ours */
	bool tick_registered;
	bool message_registered;
	bool reload_registered;
	bool offline_sent;          /* "offline" already published at shutdown */
	uint64_t status_refresh_ms; /* when every "online" goes out again (tick.c) */
	struct guard guard;         /* clients told that our topics are ours (guard.c) */
	/* Where the broker keeps its state (Mosquitto 2.1's
	 * mosquitto_persistence_location); "" when it does not say. */
	char persistence_location[256];
	size_t first_ecu;           /* served first next tick, so every ECU gets its turn */
	/* Per-inverter energy (energy_store.h), written only through tick.c's
	 * calls into energy_store.c; NULL: none. */
	struct energy_store *energy;
	/* Time spent inside our ticks, logged at shutdown: the cost we put on the
	 * broker's thread. */
	uint64_t ticks;
	uint64_t tick_total_ns;
	uint64_t tick_max_ns;
	uint64_t tick_max_cpu_ns;   /* the longest without time spent waiting for a CPU */
};

#endif
