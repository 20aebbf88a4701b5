// SPDX-License-Identifier: MIT
/* tick.h - one pass of the plugin's work, run from the broker's tick. */
#ifndef APS_TICK_H
#define APS_TICK_H

#include <stdint.h>

struct aps_plugin;

/* Moves every ECU on as far as it can without waiting, within the tick's
 * time budget.  Returns the milliseconds until it next has work (0: at once). */
uint64_t tick_handle(struct aps_plugin *pl);

/* At start: "online" for the plugin, "offline" for every ECU whose id the
 * state file knows (by its address), until it answers. */
void tick_start(struct aps_plugin *pl);

/* Milliseconds until the status messages are due again (UINT64_MAX: never). */
uint64_t tick_status_wait_ms(const struct aps_plugin *pl, uint64_t now);

/* Publishes "offline" for every ECU that was announced, then for the plugin. */
void tick_offline(struct aps_plugin *pl);

#endif
