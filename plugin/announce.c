// SPDX-License-Identifier: MIT
/* announce.c - Home Assistant discovery: when to send which configs. */
#include <string.h>

#include "broker_api.h"

#include "alloc.h"
#include "aps_plugin.h"
#include "discovery.h"

#ifndef APS_VERSION
#define APS_VERSION "unknown"
#endif

static int emit_retained(void *arg, const char *topic, const char *payload)
{
	return publish_text(arg, topic, payload, true) == MOSQ_ERR_SUCCESS ? 0 : -1;
}

static void discovery_context(const struct aps_plugin *pl, struct discovery_ctx *ctx, char *base)
{
	aps_config_topic_base(&pl->cfg, base, APS_CONFIG_TOPIC_BASE_SIZE);
	ctx->discovery_prefix = pl->cfg.discovery_prefix;
	ctx->topic_base = base;
	ctx->status_topic = pl->status_topic;
	ctx->origin_sw = APS_VERSION;
	ctx->support_url = NULL;
}

/* migrate_aps2mqtt_discovery: aps2mqtt's per-entity configs (retained,
 * with the unique_ids our device configs use) are handed over by Home
 * Assistant's migration, in three steps per device:
 *   1. {"migrate_discovery": true} on each of its per-entity topics: Home
 *      Assistant unloads the entity and keeps its registry entry;
 *   2. the device config: its entities adopt those registry entries (same
 *      entity id, name, area, history);
 *   3. an empty retained message on each per-entity topic: nothing of the
 *      past stays retained.  Home Assistant ignores it (the entity is no
 *      longer discovered there); it would remove entity and registry entry
 *      if step 1 had not been processed first.
 * Home Assistant takes its MQTT messages in order, but unloads and adds
 * entities in tasks of their own; an entity still loaded when its device
 * config arrives makes that one entity be ignored.  So the steps are
 * MIGRATION_STEP_NS apart, and after step 3 the device configs go out once
 * more: unchanged ones are ignored, an entity ignored before is added now.
 *
 * After Home Assistant restarts, it subscribes to the per-entity topics before
 * the device topics, so it gets the retained messages in that order: a
 * migrate message on a topic it has nothing discovered from does nothing,
 * then the device configs adopt the registry entries.  Whatever step the
 * broker's retained messages are at, no registry entry is removed.
 *
 * Every message is retained (a Home Assistant that is down meanwhile gets the
 * latest of each topic).  The option is off by default because Mosquitto 2.0
 * keeps about 0.9 KB of its retained-message tree for every topic an empty
 * retained message was sent to (tests/bench), until it restarts: 1,000 topics
 * for 80 inverters.  Only a broker where aps2mqtt announced the installation
 * has anything to hand over. */
#define MIGRATION_STEP_NS 5000000000ull

enum migration_step {
	MIGRATION_HAND_OVER,   /* step 1 for whatever has not had it */
	MIGRATION_WAIT_CONFIG,
	MIGRATION_CONFIG,      /* step 2 */
	MIGRATION_WAIT_CLEAR,
	MIGRATION_CLEAR,       /* step 3 */
	MIGRATION_DONE,        /* until an inverter we never handed over appears */
};

/* More inverters than one reply can hold means damaged UIDs got through:
 * past this, no new inverter is announced, so neither our list nor the
 * broker's retained configs grow without end. */
#define ANNOUNCED_MAX APS_MAX_RECORDS

/* The entry of uid in the sorted list, added (not yet announced) if new;
 * NULL when the list cannot grow (full, or no memory). */
static struct announced_inverter *find_or_add(struct ecu_state *st, const char *uid, bool *added)
{
	/* One binary search gives both: the entry, or where it goes. */
	size_t at = 0, end = st->announced_count;
	while (at < end) {
		size_t mid = at + (end - at) / 2;
		if (strcmp(st->announced[mid].uid, uid) < 0) at = mid + 1;
		else end = mid;
	}
	*added = false;
	if (at < st->announced_count && strcmp(st->announced[at].uid, uid) == 0) return &st->announced[at];
	if (st->announced_count >= ANNOUNCED_MAX) {
		if (!st->announced_full)
			mosquitto_log_printf(MOSQ_LOG_WARNING,
			                     "aps-ecu: ECU %s: %d inverters seen, more than one reply can hold: "
			                     "inverters seen from now on are not announced to Home Assistant",
			                     st->ecu_id, ANNOUNCED_MAX);
		st->announced_full = true;
		return NULL;
	}
	if (st->announced_count == st->announced_cap) {
		size_t cap = st->announced_cap ? st->announced_cap * 2 : 64;
		void *grown = aps_realloc(st->announced, cap * sizeof(*st->announced));
		if (!grown) return NULL;
		st->announced = grown;
		st->announced_cap = cap;
	}
	struct announced_inverter *slot = &st->announced[at];
	memmove(slot + 1, slot, (st->announced_count - at) * sizeof(*slot));
	memcpy(slot->uid, uid, sizeof(slot->uid));
	slot->type[0] = '\0';
	slot->handed_over = slot->legacy_cleared = false;
	st->announced_count++;
	*added = true;
	return slot;
}

static void log_failure(const char *what, const char *id, int rc)
{
	mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: %s %s: discovery config not sent (error %d)", what, id, -rc);
}

/* Out of this tick's time, once something was sent (each call sends one
 * device's messages at least, so the work always moves on). */
static bool out_of_time(bool sent, uint64_t deadline_ns)
{
	return sent && aps_monotonic_ns() >= deadline_ns;
}

/* Sends the device configs not yet sent (all, with migrate on, that have
 * been handed over).  False when the tick's time ran out first. */
static bool announce_devices(struct aps_plugin *pl, struct ecu *e, const struct discovery_ctx *ctx,
                             uint64_t deadline_ns, bool *sent)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	bool migrate = pl->cfg.migrate_aps2mqtt_discovery;

	if (!st->ecu_announced && (!migrate || st->ecu_handed_over)) {
		int rc = discovery_ecu(ctx, &p->info, emit_retained, pl);
		st->ecu_announced = rc > 0;
		*sent = true;
		if (rc < 0) log_failure("ECU", p->info.ecu_id, rc);
	}
	/* One config per inverter, a few kilobytes each: 80 of them in one go
	 * would hold the broker for a millisecond or more (tests/bench). */
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		const struct aps_inverter *inv = &p->inverters[i];
		bool added;
		if (out_of_time(*sent, deadline_ns)) return false;
		struct announced_inverter *known = find_or_add(st, inv->uid, &added);
		if (known == NULL || strcmp(known->type, inv->type) == 0 || (migrate && !known->handed_over))
			continue;
		*sent = true;
		int rc = discovery_inverter(ctx, p->info.ecu_id, inv, emit_retained, pl);
		if (rc < 0) log_failure("inverter", inv->uid, rc);
		else memcpy(known->type, inv->type, sizeof(known->type));
	}
	return true;
}

/* Step 1 for the ECU and every inverter reported that has not had it.  False
 * when the tick's time ran out first. */
static bool hand_over(struct aps_plugin *pl, struct ecu *e, const struct discovery_ctx *ctx, uint64_t deadline_ns,
                      bool *sent)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	if (!st->ecu_handed_over) {
		discovery_ecu_legacy(ctx, &p->info, DISCOVERY_MIGRATE_PAYLOAD, emit_retained, pl);
		st->ecu_handed_over = *sent = true;
	}
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		bool added;
		if (out_of_time(*sent, deadline_ns)) return false;
		struct announced_inverter *known = find_or_add(st, p->inverters[i].uid, &added);
		if (known == NULL || known->handed_over) continue;
		discovery_inverter_legacy(ctx, p->info.ecu_id, &p->inverters[i], DISCOVERY_MIGRATE_PAYLOAD,
		                          emit_retained, pl);
		known->handed_over = *sent = true;
	}
	return true;
}

/* Whether an inverter reported now has not been handed over (one seen for the
 * first time since the start: a new round of the steps for it). */
static bool newcomer(struct ecu *e)
{
	struct ecu_poller *p = &e->poller;
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		bool added;
		struct announced_inverter *known = find_or_add(&e->state, p->inverters[i].uid, &added);
		if (known != NULL && !known->handed_over) return true;
	}
	return false;
}

/* Step 3 for everything handed over and not yet cleared; each device cleared
 * is announced again.  False when the tick's time ran out first. */
static bool clear_handed_over(struct aps_plugin *pl, struct ecu *e, const struct discovery_ctx *ctx,
                              uint64_t deadline_ns, bool *sent)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	if (st->ecu_handed_over && !st->ecu_legacy_cleared) {
		discovery_ecu_legacy(ctx, &p->info, "", emit_retained, pl);
		st->ecu_legacy_cleared = *sent = true;
		st->ecu_announced = false;
	}
	for (size_t k = 0; k < st->announced_count; k++) {
		struct announced_inverter *known = &st->announced[k];
		if (!known->handed_over || known->legacy_cleared) continue;
		if (out_of_time(*sent, deadline_ns)) return false;
		/* The clear needs only the UID: the topics cover every panel. */
		struct aps_inverter inv = { 0 };
		memcpy(inv.uid, known->uid, sizeof(inv.uid));
		discovery_inverter_legacy(ctx, p->info.ecu_id, &inv, "", emit_retained, pl);
		known->legacy_cleared = *sent = true;
		known->type[0] = '\0';
	}
	return true;
}

/* Moves the migration on; true when the device configs may go out now. */
static bool migration_step(struct aps_plugin *pl, struct ecu *e, const struct discovery_ctx *ctx,
                           uint64_t deadline_ns, bool *sent)
{
	struct ecu_state *st = &e->state;
	for (;;) {
		switch ((enum migration_step)st->migration) {
		case MIGRATION_HAND_OVER:
			if (!hand_over(pl, e, ctx, deadline_ns, sent)) return false;
			st->migration = MIGRATION_WAIT_CONFIG;
			st->migration_ns = aps_monotonic_ns();
			return false;
		case MIGRATION_WAIT_CONFIG:
			if (aps_monotonic_ns() - st->migration_ns < MIGRATION_STEP_NS) return false;
			st->migration = MIGRATION_CONFIG;
			return true;
		case MIGRATION_CONFIG:
			return true; /* announce_cycle moves it on when they are out */
		case MIGRATION_WAIT_CLEAR:
			if (aps_monotonic_ns() - st->migration_ns < MIGRATION_STEP_NS) return false;
			st->migration = MIGRATION_CLEAR;
			break;
		case MIGRATION_CLEAR:
			if (!clear_handed_over(pl, e, ctx, deadline_ns, sent)) return false;
			st->migration = MIGRATION_DONE;
			mosquitto_log_printf(MOSQ_LOG_NOTICE,
			                     "aps-ecu: ECU %s: aps2mqtt's discovery configs handed over to the device "
			                     "configs and cleared",
			                     e->poller.info.ecu_id);
			return true;
		case MIGRATION_DONE:
		default:
			if (!newcomer(e)) return true;
			st->migration = MIGRATION_HAND_OVER;
			break;
		}
	}
}

bool announce_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns)
{
	struct ecu_state *st = &e->state;
	struct discovery_ctx ctx;
	char base[APS_CONFIG_TOPIC_BASE_SIZE];
	bool sent = false;

	if (!pl->cfg.discovery) return true;
	discovery_context(pl, &ctx, base);
	if (!pl->cfg.migrate_aps2mqtt_discovery) return announce_devices(pl, e, &ctx, deadline_ns, &sent);

	if (!migration_step(pl, e, &ctx, deadline_ns, &sent)) return false;
	if (!announce_devices(pl, e, &ctx, deadline_ns, &sent)) return false;
	if (st->migration != MIGRATION_CONFIG) return true;
	st->migration = MIGRATION_WAIT_CLEAR;
	st->migration_ns = aps_monotonic_ns();
	return false;
}

void announce_again(struct aps_plugin *pl)
{
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu *e = &pl->ecus[i];
		e->state.ecu_announced = false;
		for (size_t k = 0; k < e->state.announced_count; k++) e->state.announced[k].type[0] = '\0';
		/* Mid-cycle, the poller's data is being replaced: the cycle's end
		 * will announce.  Otherwise the tick does, within its time. */
		e->state.announce_pending = e->state.data_valid;
	}
}

void announce_forget(struct ecu *e)
{
	struct ecu_state *st = &e->state;
	st->ecu_announced = st->ecu_handed_over = st->ecu_legacy_cleared = st->announced_full = false;
	st->migration = MIGRATION_HAND_OVER;
	st->announced_count = 0;
}

void announce_free(struct ecu *e)
{
	aps_free(e->state.announced);
	e->state.announced = NULL;
	e->state.announced_count = e->state.announced_cap = 0;
}
