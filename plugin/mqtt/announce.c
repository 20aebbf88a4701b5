// SPDX-License-Identifier: MIT
/* announce.c - Home Assistant discovery: when to send which configs. */
#include <string.h>

#include "broker_api.h"

#include "alloc.h"
#include "announce.h"
#include "clock.h"
#include "publish.h"

struct announced_inverter {
	char uid[APS_UID_LEN + 1];
	char type[3]; /* the type its config was built for; "" until announced */
	/* migrate_aps2mqtt_discovery: its aps2mqtt topics were handed over to
	 * Home Assistant's migration, then cleared. */
	bool handed_over, legacy_cleared;
};

/* The ECU's config went out, and the inverters known so far (sorted by UID,
 * with the type announced), so an inverter is announced when it appears or
 * changes type (a never-seen one starts reporting).  With the migration,
 * aps2mqtt's per-entity configs are handed over, then the device configs
 * sent, then the old topics cleared, steps apart (enum migration_step, since
 * the monotonic time in migration_ns). */
struct announcer {
	char ecu_id[APS_ECU_ID_LEN + 1]; /* for log lines */
	bool ecu_announced;
	bool ecu_handed_over, ecu_legacy_cleared;
	unsigned char migration;
	uint64_t migration_ns;
	struct announced_inverter *announced;
	size_t announced_count, announced_cap;
	bool announced_full;       /* ANNOUNCED_MAX reached, logged */
	/* discovery.h's features of this ECU, and those gone since its configs
	 * last went out in full (their entities are removed by the next ones). */
	unsigned features, removed;
};

/* What one call works on: the cycle's report, the settings, this tick's end. */
struct announce_job {
	struct announcer *a;
	const struct announce_settings *s;
	const struct aps_ecu_info *info;
	const struct aps_inverter *inverters;
	size_t count;
	uint64_t deadline_ns;
	bool sent;  /* something went out in this call */
};

static int emit_retained(void *arg, const char *topic, const char *payload)
{
	(void)arg;
	return publish_text(topic, payload, true) == MOSQ_ERR_SUCCESS ? 0 : -1;
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
static struct announced_inverter *find_or_add(struct announcer *st, const char *uid, bool *added)
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
static bool out_of_time(const struct announce_job *j)
{
	return j->sent && aps_monotonic_ns() >= j->deadline_ns;
}

/* Sends the device configs not yet sent (all, with migrate on, that have
 * been handed over).  False when the tick's time ran out first. */
static bool announce_devices(struct announce_job *j)
{
	struct announcer *st = j->a;
	struct discovery_ctx features_ctx = j->s->ctx;
	features_ctx.features = st->features;
	features_ctx.removed = st->removed;
	const struct discovery_ctx *ctx = &features_ctx;
	bool migrate = j->s->migrate;

	if (!st->ecu_announced && (!migrate || st->ecu_handed_over)) {
		int rc = discovery_ecu(ctx, j->info, emit_retained, NULL);
		st->ecu_announced = rc > 0;
		j->sent = true;
		if (rc < 0) log_failure("ECU", j->info->ecu_id, rc);
	}
	/* One config per inverter, a few kilobytes each: 80 of them in one go
	 * would hold the broker for a millisecond or more (tests/bench). */
	for (size_t i = 0; i < j->count; i++) {
		const struct aps_inverter *inv = &j->inverters[i];
		bool added;
		if (out_of_time(j)) return false;
		struct announced_inverter *known = find_or_add(st, inv->uid, &added);
		if (known == NULL || strcmp(known->type, inv->type) == 0 || (migrate && !known->handed_over))
			continue;
		j->sent = true;
		int rc = discovery_inverter(ctx, j->info->ecu_id, inv, emit_retained, NULL);
		if (rc < 0) log_failure("inverter", inv->uid, rc);
		else memcpy(known->type, inv->type, sizeof(known->type));
	}
	return true;
}

/* Step 1 for the ECU and every inverter reported that has not had it.  False
 * when the tick's time ran out first. */
static bool hand_over(struct announce_job *j)
{
	struct announcer *st = j->a;
	if (!st->ecu_handed_over) {
		discovery_ecu_legacy(&j->s->ctx, j->info, DISCOVERY_MIGRATE_PAYLOAD, emit_retained, NULL);
		st->ecu_handed_over = j->sent = true;
	}
	for (size_t i = 0; i < j->count; i++) {
		bool added;
		if (out_of_time(j)) return false;
		struct announced_inverter *known = find_or_add(st, j->inverters[i].uid, &added);
		if (known == NULL || known->handed_over) continue;
		discovery_inverter_legacy(&j->s->ctx, j->info->ecu_id, &j->inverters[i], DISCOVERY_MIGRATE_PAYLOAD,
		                          emit_retained, NULL);
		known->handed_over = j->sent = true;
	}
	return true;
}

/* Whether an inverter reported now has not been handed over (one seen for the
 * first time since the start: a new round of the steps for it). */
static bool newcomer(struct announce_job *j)
{
	for (size_t i = 0; i < j->count; i++) {
		bool added;
		struct announced_inverter *known = find_or_add(j->a, j->inverters[i].uid, &added);
		if (known != NULL && !known->handed_over) return true;
	}
	return false;
}

/* Step 3 for everything handed over and not yet cleared; each device cleared
 * is announced again.  False when the tick's time ran out first. */
static bool clear_handed_over(struct announce_job *j)
{
	struct announcer *st = j->a;
	if (st->ecu_handed_over && !st->ecu_legacy_cleared) {
		discovery_ecu_legacy(&j->s->ctx, j->info, "", emit_retained, NULL);
		st->ecu_legacy_cleared = j->sent = true;
		st->ecu_announced = false;
	}
	for (size_t k = 0; k < st->announced_count; k++) {
		struct announced_inverter *known = &st->announced[k];
		if (!known->handed_over || known->legacy_cleared) continue;
		if (out_of_time(j)) return false;
		/* The clear needs only the UID: the topics cover every panel. */
		struct aps_inverter inv = { 0 };
		memcpy(inv.uid, known->uid, sizeof(inv.uid));
		discovery_inverter_legacy(&j->s->ctx, j->info->ecu_id, &inv, "", emit_retained, NULL);
		known->legacy_cleared = j->sent = true;
		known->type[0] = '\0';
	}
	return true;
}

/* Moves the migration on; true when the device configs may go out now. */
static bool migration_step(struct announce_job *j)
{
	struct announcer *st = j->a;
	for (;;) {
		switch ((enum migration_step)st->migration) {
		case MIGRATION_HAND_OVER:
			if (!hand_over(j)) return false;
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
			if (!clear_handed_over(j)) return false;
			st->migration = MIGRATION_DONE;
			mosquitto_log_printf(MOSQ_LOG_NOTICE,
			                     "aps-ecu: ECU %s: aps2mqtt's discovery configs handed over to the device "
			                     "configs and cleared",
			                     j->info->ecu_id);
			return true;
		case MIGRATION_DONE:
		default:
			if (!newcomer(j)) return true;
			st->migration = MIGRATION_HAND_OVER;
			break;
		}
	}
}

bool announce_cycle(struct announcer *a, const struct announce_settings *s, const struct aps_ecu_info *info,
                    const struct aps_inverter *inverters, size_t count, uint64_t deadline_ns)
{
	struct announce_job j = { a, s, info, inverters, inverters ? count : 0, deadline_ns, false };

	if (!s->discovery) return true;
	memcpy(a->ecu_id, info->ecu_id, sizeof(a->ecu_id));
	if (!s->migrate) {
		if (!announce_devices(&j)) return false;
		/* Every config went out: the gone entities are removed. */
		a->removed = 0;
		return true;
	}

	if (!migration_step(&j)) return false;
	if (!announce_devices(&j)) return false;
	if (a->migration != MIGRATION_CONFIG) return true;
	a->migration = MIGRATION_WAIT_CLEAR;
	a->migration_ns = aps_monotonic_ns();
	return false;
}

struct announcer *announce_new(void)
{
	return aps_calloc(1, sizeof(struct announcer));
}

bool announce_again(struct announcer *a, const struct announce_settings *s)
{
	a->ecu_announced = false;
	for (size_t k = 0; k < a->announced_count; k++) a->announced[k].type[0] = '\0';
	return s->discovery;
}

bool announce_set_features(struct announcer *a, unsigned features)
{
	if (features == a->features) return false;
	a->removed |= a->features & ~features;
	a->removed &= ~features;
	a->features = features;
	a->ecu_announced = false;
	for (size_t k = 0; k < a->announced_count; k++) a->announced[k].type[0] = '\0';
	return true;
}

void announce_forget(struct announcer *a)
{
	a->ecu_announced = a->ecu_handed_over = a->ecu_legacy_cleared = a->announced_full = false;
	a->migration = MIGRATION_HAND_OVER;
	a->announced_count = 0;
}

size_t announce_known(const struct announcer *a, bool *full)
{
	*full = a->announced_full;
	return a->announced_count;
}

void announce_free(struct announcer *a)
{
	if (a == NULL) return;
	aps_free(a->announced);
	aps_free(a);
}
