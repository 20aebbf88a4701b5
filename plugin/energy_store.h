// SPDX-License-Identifier: MIT
/*
 * energy_store.h - per-inverter and per-panel energy inside the broker: the
 * integrator (policy/energy_split.h) for each ECU, fed by each finished
 * cycle, kept in the state file (store/state_file.h).
 *
 * A cycle's inverter payloads wait until the state they show is on disk (or
 * its save failed, or took longer than STORE_WAIT_MS): so a value that went
 * out is never lost by a crash, and the first values after a restart start
 * from it.  The save itself runs on a helper thread; the tick only encodes.
 */
#ifndef APS_ENERGY_STORE_H
#define APS_ENERGY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "energy.h"
#include "payload_energy.h"

struct aps_plugin;
struct ecu;
struct energy_store;

/* At start: finds the state file (the state_file option, else a default) and
 * loads it.  NULL only when memory ran out (energy is then left out). */
struct energy_store *energy_store_open(struct aps_plugin *pl);
/* At stop: waits for a save under way. */
void energy_store_close(struct energy_store *st);

/* A cycle of ECU e finished well; res: what the energy filter said. */
void energy_store_cycle(struct aps_plugin *pl, struct ecu *e, const struct energy_result *res, uint64_t now_ms);
/* Whether e's payloads may go out now (see above). */
bool energy_store_ready(struct aps_plugin *pl, const struct ecu *e, uint64_t now_ms);
/* Every tick: collects a finished save, starts the next one. */
void energy_store_tick(struct aps_plugin *pl);
/* e's values, one per inverter record of its poller; NULL when none. */
const struct aps_energy_values *energy_store_values(struct aps_plugin *pl, struct ecu *e);

/* The id of the ECU that last answered at e's address, in this run or an
 * earlier one (the state file); NULL when none is known. */
const char *energy_store_known_id(struct aps_plugin *pl, const struct ecu *e);
/* e answered: its id is kept for its address (saved with the energy). */
void energy_store_learn_id(struct aps_plugin *pl, const struct ecu *e);

#endif
