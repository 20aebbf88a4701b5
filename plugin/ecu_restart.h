// SPDX-License-Identifier: MIT
/*
 * ecu_restart.h - when an ECU stops answering, ask it to restart (ECU-C and
 * ECU-R-PRO), or say once that it needs a power cycle (ECU-B, ECU-R 2160).
 * Polling goes on throughout; the request runs on the tick like a poll.
 */
#ifndef APS_ECU_RESTART_H
#define APS_ECU_RESTART_H

#include <stdbool.h>
#include <stdint.h>

#include "restart.h"

/* A restart takes the ECU a few minutes: do not ask again before this. */
#define ECU_RESTART_COOLDOWN_MS (30u * 60u * 1000u)
/* The ECU's web pages are slow. */
#define ECU_RESTART_TIMEOUT_MS 10000u

struct ecu_restart {
	/* Allocated for the request and freed after it: its buffers are 5 KB,
	 * and most ECUs never need a restart. */
	struct restart_request *req;
	bool in_progress;
	bool given_up;          /* interface gone (404, refused): reported once */
	bool advice_logged;     /* "power-cycle it" / "model unknown" said for this outage */
	uint64_t cooldown_until_ms;
	/* The ladder, per outage: polls retry (each a fresh name lookup and
	 * fresh connections), then a restart over HTTP where the model and the
	 * options allow it, then this flag: only a power cycle is left.  Read
	 * by tick.c, which publishes it; cleared when the ECU answers. */
	bool attempted;           /* a restart was asked for in this outage */
	unsigned attempted_at;    /* consecutive failures then */
	bool needs_power_cycle;
};

struct aps_plugin;
struct ecu;

/* After a failed cycle: starts a restart if it is time to. */
void ecu_restart_after_failure(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms);

/* After a good cycle: the next outage starts afresh. */
void ecu_restart_after_success(struct ecu *e);

/* The request's socket, for the tick's poll(); -1 when none. */
int ecu_restart_fd(const struct ecu *e, short *events);

/* Moves a request on; logs its outcome once. */
void ecu_restart_step(struct aps_plugin *pl, struct ecu *e, short revents, uint64_t now_ms);

/* Milliseconds until the request needs a step without socket events (its
 * deadline, libcurl's timers); UINT64_MAX when none runs. */
uint64_t ecu_restart_wait_ms(const struct ecu *e, uint64_t now_ms);

void ecu_restart_close(struct ecu *e);

#endif
