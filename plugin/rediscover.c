// SPDX-License-Identifier: MIT
/* rediscover.c - see rediscover.h. */
#include "rediscover.h"

#include "aps_plugin.h"

void rediscover_birth(struct aps_plugin *pl)
{
	pl->rediscover = true;
}

uint64_t rediscover_tick(struct aps_plugin *pl, uint64_t now_ms)
{
	bool birth = pl->rediscover;
	uint64_t interval = (uint64_t)pl->cfg.rediscover_interval_s * 1000u, wait_ms = UINT64_MAX;
	pl->rediscover = false;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu *e = &pl->ecus[i];
		struct ecu_rediscover *r = &e->rediscover;
		/* One in flight sends everything: a birth meanwhile adds nothing. */
		if (birth && !e->queue.announce) r->waiting = true;
		if (!r->waiting) continue;
		if (r->last_ms != 0 && now_ms - r->last_ms < interval) {
			uint64_t due = r->last_ms + interval - now_ms;
			if (due < wait_ms) wait_ms = due;
			continue;
		}
		r->waiting = false;
		r->last_ms = now_ms;
		/* Mid-cycle, the poller's data is being replaced: the cycle's end
		 * announces what is unsent.  Otherwise the tick does, in its time. */
		e->queue.announce = announce_again(e->announcer, &pl->announce) && e->health.data_valid;
	}
	return wait_ms;
}
