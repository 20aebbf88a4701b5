// SPDX-License-Identifier: MIT
/* tick.h - one pass of the plugin's work, run from the broker's tick. */
#ifndef APS_TICK_H
#define APS_TICK_H

#include <stdint.h>

struct aps_plugin;

/* Moves every ECU on as far as it can without waiting, within the tick's
 * time budget.  Returns the milliseconds until it next has work (0: at once). */
uint64_t tick_handle(struct aps_plugin *pl);

/* Publishes "offline" for every ECU that was announced, then for the plugin. */
void tick_offline(struct aps_plugin *pl);

#endif
