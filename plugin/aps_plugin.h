/*
 * aps_plugin.h - the plugin's state: one struct, handed to every callback as
 * userdata.  Nothing else lives at file scope.
 */
#ifndef APS_PLUGIN_H
#define APS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mosquitto_broker.h>

#include "config.h"
#include "poller.h"
#include "topic.h"

struct pollfd;

/* What we last told subscribers about one ECU. */
struct ecu_state {
	bool announced;            /* its status topic has been published */
	bool online;               /* last status published */
	unsigned failures;         /* consecutive failed cycles */
	char last_logged_msg[240]; /* last failure logged, to log changes only */
	char ecu_id[APS_ECU_ID_LEN + 1];
	bool note_logged;
};

struct ecu {
	struct ecu_poller poller;
	struct ecu_state state;
};

struct aps_plugin {
	mosquitto_plugin_id_t *id;
	struct aps_config cfg;
	char status_topic[APS_TOPIC_MAX];
	struct ecu *ecus;
	size_t ecu_count;
	struct pollfd *pfds;        /* one slot per ECU, rebuilt each tick */
	size_t *pfd_owner;          /* ECU index of each pfds slot */
	struct poller_settings settings;
	bool tick_registered;
	bool offline_sent;          /* "offline" already published at shutdown */
};

uint64_t aps_monotonic_ms(void);

/* publish.c */
int publish_text(struct aps_plugin *pl, const char *topic, const char *text, bool retain);
void publish_cycle(struct aps_plugin *pl, struct ecu *e);
void publish_ecu_status(struct aps_plugin *pl, struct ecu *e, bool online);
void publish_all_offline(struct aps_plugin *pl);

#endif
