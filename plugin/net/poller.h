// SPDX-License-Identifier: MIT
/*
 * poller.h - one ECU's poll cycle as a state machine driven by the tick.
 *
 * A cycle is ECU info, then inverter data, then signal: a new TCP connection
 * for each, a pause between them, a deadline for each.  poller_step() never
 * waits; it advances as far as the sockets allow and reports the end of a
 * cycle.  Scheduling the next cycle is the caller's business.
 */
#ifndef APS_POLLER_H
#define APS_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "aps_protocol.h"
#include "conn.h"
#include "resolve.h"

struct poller_settings {
	uint32_t timeout_ms;      /* per request: connect + send + whole reply */
	uint32_t request_gap_ms;  /* pause between the three requests */
};

enum poller_state {
	POLLER_IDLE,       /* waiting for next_poll_ms */
	POLLER_RESOLVING,  /* host name lookup under way */
	POLLER_EXCHANGE,   /* a request/reply on conn */
	POLLER_GAP,        /* pause before the next request */
};

enum poller_event {
	POLLER_NOTHING,
	POLLER_CYCLE_OK,      /* info and inverters parsed (signal may be missing) */
	POLLER_CYCLE_FAILED,  /* error[] says why */
};

struct ecu_poller {
	char host[256];
	uint16_t port;
	char label[272];             /* "host:port", for log lines */

	enum poller_state state;
	enum aps_command phase;
	struct resolver resolver;
	struct conn conn;
	uint64_t next_poll_ms;
	uint64_t deadline_ms;        /* of the current request, or end of gap */
	uint64_t cycle_start_ms;
	uint64_t cycle_duration_ms;  /* of the last finished cycle */

	/* What the last cycle brought back. */
	struct aps_ecu_info info;
	struct aps_inverter_data inv;
	bool have_inverters;         /* false: ECU said "no data" */
	struct aps_inverter *inverters;
	size_t inverters_cap;
	struct aps_signal *signals;
	size_t signals_cap;
	size_t signal_count;
	bool have_signal;
	char note[200];              /* non-fatal: signal missing, unknown type, no data */
	enum aps_err note_code;

	enum aps_err error_code;     /* of the failed cycle; APS_OK for network errors */
	char error[240];
};

/* host must fit; the poller starts idle with its first cycle due at now_ms. */
void poller_init(struct ecu_poller *p, const char *host, uint16_t port, uint64_t now_ms);
void poller_free(struct ecu_poller *p);

/* The next cycle is due at at_ms: the caller keeps the schedule. */
void poller_schedule(struct ecu_poller *p, uint64_t at_ms);

/* The socket to poll and what for; fd < 0 when none. */
int poller_fd(const struct ecu_poller *p, short *events);

/* Advances the cycle. revents are poll()'s results for poller_fd(). */
enum poller_event poller_step(struct ecu_poller *p, const struct poller_settings *s, uint64_t now_ms,
                              short revents);

/* Whether poller_step() without socket events would do anything now: a
 * cycle due, a deadline passed, a lookup to look at. */
bool poller_due(const struct ecu_poller *p, uint64_t now_ms);

/* Milliseconds until this poller next needs a tick (0 = as soon as possible). */
uint64_t poller_wait_ms(const struct ecu_poller *p, uint64_t now_ms);

#endif
