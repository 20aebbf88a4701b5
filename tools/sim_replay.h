// SPDX-License-Identifier: MIT
/* sim_replay.h - captured replies served by `aps-ecu simulate --replay DIR`. */
#ifndef APS_SIM_REPLAY_H
#define APS_SIM_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "aps_protocol.h"

/* ecu.hex, ecu.2.hex, ... ecu.<SIM_REPLAY_ECU_MAX>.hex are served in turn. */
#define SIM_REPLAY_ECU_MAX 16
/* Captures are replayed as they are, even broken ones longer than any valid reply. */
#define SIM_REPLAY_FILE_MAX 65536

struct sim_blob {
	uint8_t *data;  /* NULL: this ECU does not answer the command */
	size_t len;
};

struct sim_replay {
	struct sim_blob ecu[SIM_REPLAY_ECU_MAX];
	size_t ecu_count;
	size_t ecu_next;        /* the rotation */
	struct sim_blob inverters;
	struct sim_blob signal;
	int ecu_synthesized;    /* no ecu.hex: built from the inverter reply */
};

/* Loads DIR.  ecu_id (or NULL for the default) names a synthesized ECU.
 * Returns 0, or -1 with why set. */
int sim_replay_load(struct sim_replay *rp, const char *dir, const char *ecu_id,
                    char *why, size_t why_cap);
void sim_replay_free(struct sim_replay *rp);

/* The reply for cmd (NULL when there is none); ECU info replies rotate. */
const struct sim_blob *sim_replay_reply(struct sim_replay *rp, enum aps_command cmd);

#endif
