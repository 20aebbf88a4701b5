// SPDX-License-Identifier: MIT
/*
 * shutdown.h - getting "offline" out before the broker stops.
 *
 * Mosquitto 2.0 calls plugin cleanup after it has saved its database and
 * dropped every client, so an "offline" published there reaches nobody.  We
 * therefore hold SIGINT/SIGTERM for a moment: the handler only notes the
 * signal; the next tick publishes "offline" (retained), and two ticks later,
 * once the broker has queued and written it, the broker's own handler gets
 * the signal and the broker stops as it always does.  A second signal while
 * we wait goes straight to the broker.
 */
#ifndef APS_SHUTDOWN_H
#define APS_SHUTDOWN_H

#include <stdbool.h>

/* Wraps the broker's SIGINT/SIGTERM handlers.  Call from a tick: the broker
 * installs its handlers after plugin init.  Idempotent. */
void shutdown_install(void);

/* Call once per tick.  Returns true on the tick where "offline" must be
 * published now; later ticks hand the signal on to the broker. */
bool shutdown_tick(void);

/* Puts the broker's handlers back, if ours are still installed. */
void shutdown_uninstall(void);

#endif
