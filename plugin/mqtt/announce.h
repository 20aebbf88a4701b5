// SPDX-License-Identifier: MIT
/*
 * announce.h - when to send which Home Assistant discovery configs
 * (discovery.h builds them): an ECU's and its inverters' as they appear or
 * change type, again when Home Assistant comes back, and aps2mqtt's configs
 * handed over first when asked (migrate_aps2mqtt_discovery, announce.c).
 * Each ECU has an announcer, which alone knows what it has announced.
 */
#ifndef APS_ANNOUNCE_H
#define APS_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aps_protocol.h"
#include "discovery.h"

struct announcer;

struct announce_settings {
	bool discovery;             /* off: announce_cycle() sends nothing */
	bool migrate;               /* migrate_aps2mqtt_discovery */
	struct discovery_ctx ctx;
};

/* A new announcer (nothing announced), or NULL without memory. */
struct announcer *announce_new(void);
void announce_free(struct announcer *a);

/* Sends what is not yet announced of what the cycle reported (inverters may
 * be NULL), one device at least and no more once deadline_ns (monotonic) has
 * passed; true when nothing is left. */
bool announce_cycle(struct announcer *a, const struct announce_settings *s, const struct aps_ecu_info *info,
                    const struct aps_inverter *inverters, size_t count, uint64_t deadline_ns);

/* Home Assistant came back: every config goes out again.  True when there is
 * anything to send (discovery on). */
bool announce_again(struct announcer *a, const struct announce_settings *s);

/* The ECU's capabilities (discovery.h's DISCOVERY_* features) changed: its
 * configs go out again at the next announce_cycle(), with the entities of a
 * new feature, without (removed) those of a gone one.  True when they
 * changed. */
bool announce_set_features(struct announcer *a, unsigned features);

/* Another ECU answers at this address: its devices are new to us. */
void announce_forget(struct announcer *a);

/* How many inverters it remembers, and whether it stopped taking more. */
size_t announce_known(const struct announcer *a, bool *full);

#endif
