// SPDX-License-Identifier: MIT
/*
 * guard.h - our own topics are ours: a client's publish on a topic the
 * plugin owns (P aps/status, and for each ECU it knows P aps/<ECU_ID>, its
 * status, diagnostics and inverter topics, and their discovery configs) is
 * refused before the broker stores or forwards it, so a spoofed retained
 * "offline" or an empty config never replaces what we published.  Logged
 * once per client id.
 *
 * Seen through MOSQ_EVT_MESSAGE, which both 2.0 and 2.1 raise for clients'
 * publishes only (handle_publish.c): our own mosquitto_broker_publish()
 * goes through queue_plugin_msgs() and never comes back here.  Returning
 * MOSQ_ERR_ACL_DENIED drops the message as an ACL would (an MQTT v5 client
 * with QoS 1 or 2 is told "not authorized").
 */
#ifndef APS_GUARD_H
#define APS_GUARD_H

#include <stddef.h>

/* How many client ids are remembered as told: a client beyond that may be
 * logged again, no more often than it connects. */
#define GUARD_CLIENTS 64
#define GUARD_ID_MAX 64

struct guard {
	char told[GUARD_CLIENTS][GUARD_ID_MAX + 1];
	size_t next;      /* the slot the next new client id takes */
	unsigned long refused;
};

struct aps_plugin;
struct mosquitto_evt_message;

/* MOSQ_ERR_SUCCESS for a message on a topic not ours, MOSQ_ERR_ACL_DENIED
 * for one on ours. */
int guard_message(struct aps_plugin *pl, const struct mosquitto_evt_message *msg);

#endif
