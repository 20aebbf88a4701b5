// SPDX-License-Identifier: MIT
/*
 * aps_plugin.h - the plugin's state: one struct, handed to every callback as
 * userdata.  Nothing else lives at file scope.
 */
#ifndef APS_PLUGIN_H
#define APS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker_api.h"

#include "config.h"
#include "ecu_restart.h"
#include "energy.h"
#include "poller.h"
#include "topic.h"

struct pollfd;
struct energy_store;

struct announced_inverter {
	char uid[APS_UID_LEN + 1];
	char type[3]; /* the type its config was built for; "" until announced */
	/* migrate_aps2mqtt_discovery: its aps2mqtt topics were handed over to
	 * Home Assistant's migration, then cleared (announce.c). */
	bool handed_over, legacy_cleared;
};

/* What we last told subscribers about one ECU. */
struct ecu_state {
	bool status_published;     /* its status topic has been published */
	bool online;               /* last status published */
	unsigned failures;         /* consecutive failed cycles */
	char last_logged_msg[240]; /* last failure logged, to log changes only */
	char ecu_id[APS_ECU_ID_LEN + 1];
	bool note_logged;
	char energy_note[ENERGY_REASON_MAX]; /* last energy note logged */
	struct energy_filter energy;
	bool data_valid;           /* the poller holds a whole good cycle */
	int64_t last_success;      /* wall clock, 0 = never */
	char last_error[240];      /* the most recent failure, kept after recovery */
	bool night;                /* paused until sunrise */
	/* Discovery: the ECU's config went out, and the inverters known so far
	 * (sorted by UID, with the type announced), so an inverter is announced
	 * when it appears or changes type (a never-seen one starts reporting).
	 * With migrate_aps2mqtt_discovery, aps2mqtt's per-entity configs are
	 * handed over, then the device configs sent, then the old topics
	 * cleared, steps apart (migration: announce.c's enum, since the
	 * monotonic time in migration_ns). */
	bool ecu_announced;
	bool ecu_handed_over, ecu_legacy_cleared;
	unsigned char migration;
	uint64_t migration_ns;
	struct announced_inverter *announced;
	size_t announced_count, announced_cap;
	bool announced_full;       /* ANNOUNCED_MAX reached (announce.c), logged */
	/* Work left over when a tick's time ran out (TICK_BUDGET_NS, tick.c):
	 * a finished cycle to publish, or configs to send again.  Meanwhile the
	 * poller starts no new cycle, so its data stays what is being sent. */
	bool publish_pending;
	bool pending_dusk;
	struct energy_result pending_energy;
	bool announce_pending;
};

struct ecu {
	struct ecu_poller poller;
	struct ecu_state state;
	struct ecu_restart restart;
	short poll_revents, restart_revents; /* this tick's poll() results */
};

/* Whose socket each poll() slot is. */
struct pfd_owner {
	size_t ecu;
	bool restart;   /* the restart request's socket, not the poller's */
};

struct aps_plugin {
	mosquitto_plugin_id_t *id;
	struct aps_config cfg;
	char status_topic[APS_TOPIC_MAX];
	struct ecu *ecus;
	size_t ecu_count;
	struct pollfd *pfds;        /* two slots per ECU, rebuilt each tick */
	struct pfd_owner *pfd_owner;
	char discovery_status_topic[APS_TOPIC_MAX]; /* <discovery_prefix>/status */
	bool rediscover;            /* Home Assistant came online: announce again */
	struct poller_settings settings;
	bool instance_claimed;      /* the process-wide one-instance marker is ours */
	bool tick_registered;
	bool message_registered;
	bool offline_sent;          /* "offline" already published at shutdown */
	/* Where the broker keeps its state (Mosquitto 2.1's
	 * mosquitto_persistence_location); "" when it does not say. */
	char persistence_location[256];
	size_t first_ecu;           /* served first next tick, so every ECU gets its turn */
	struct energy_store *energy; /* per-inverter energy (energy_store.h); NULL: none */
	/* Time spent inside our ticks, logged at shutdown: the cost we put on the
	 * broker's thread. */
	uint64_t ticks;
	uint64_t tick_total_ns;
	uint64_t tick_max_ns;
};

uint64_t aps_monotonic_ms(void);
uint64_t aps_monotonic_ns(void);
const char *aps_mosq_error(int rc);

/* publish.c */
int publish_text(struct aps_plugin *pl, const char *topic, const char *text, bool retain);
/* energy: the filtered values to publish; dusk: night starts now, so the
 * power values go to 0 (energy values stay).  False when discovery configs
 * are still to go out at deadline_ns (monotonic): call again next tick. */
bool publish_cycle(struct aps_plugin *pl, struct ecu *e, const struct energy_result *energy, bool dusk,
                   uint64_t deadline_ns);
void publish_ecu_status(struct aps_plugin *pl, struct ecu *e, bool online);
void publish_diagnostics(struct aps_plugin *pl, struct ecu *e);
void publish_all_offline(struct aps_plugin *pl);

/* announce.c: Home Assistant discovery */
/* Sends what is not yet announced, one inverter at least and no more once
 * deadline_ns has passed; true when nothing is left. */
bool announce_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns);
void announce_again(struct aps_plugin *pl);
/* Another ECU answers at this address: its devices are new to us. */
void announce_forget(struct ecu *e);
void announce_free(struct ecu *e);

#endif
