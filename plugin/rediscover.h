// SPDX-License-Identifier: MIT
/*
 * rediscover.h - Home Assistant's birth ("online" on <discovery_prefix>/status)
 * sends our discovery configs again, bounded: any client can publish a birth,
 * as often as it likes (issue 16: one every 2 s stopped all polling).
 *
 * Births are coalesced: one re-announce per ECU in flight, births during it
 * start nothing, and at most one re-announce per ECU per rediscover_interval
 * seconds; a birth inside that time is answered once when it has passed.
 * The configs themselves go out through the ECU's publish queue, paced by the
 * tick's time budget, and never hold its poller (tick.c).
 */
#ifndef APS_REDISCOVER_H
#define APS_REDISCOVER_H

#include <stdbool.h>
#include <stdint.h>

struct aps_plugin;

/* One ECU's part, written only by rediscover.c. */
struct ecu_rediscover {
	uint64_t last_ms;   /* monotonic start of its last re-announce; 0: none yet */
	bool waiting;       /* a birth came too soon after it: one more is due */
};

/* From the broker's message callback: a birth was seen (no work done here). */
void rediscover_birth(struct aps_plugin *pl);

/* From the tick: starts the re-announces that are due.  Returns the
 * milliseconds until the next one waiting is due (UINT64_MAX: none). */
uint64_t rediscover_tick(struct aps_plugin *pl, uint64_t now_ms);

#endif
