// SPDX-License-Identifier: MIT
/* announce.c - Home Assistant discovery: when to send which configs. */
#include <string.h>

#include <mosquitto.h>

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

/* Home Assistant drops the entities of cleared configs on its own time; a
 * device config naming one of their unique_ids before that is refused.
 *
 * Clearing is an option, off by default, because Mosquitto 2.0 keeps about
 * 0.9 KB of its retained-message tree for every topic an empty retained
 * message was sent to, whether a config was there or not (tests/bench), until
 * it restarts: 1,000 topics for 80 inverters.  Only a broker where aps2mqtt
 * announced the installation has anything to clear. */
#define LEGACY_GRACE_NS 1000000000ull

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
	st->announced_count++;
	*added = true;
	return slot;
}

static void log_failure(const char *what, const char *id, int rc)
{
	mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: %s %s: discovery config not sent (error %d)", what, id, -rc);
}

/* Once a run, before any device config: aps2mqtt's per-entity configs
 * (retained, with the unique_ids the device configs take over) are cleared
 * for the ECU and every inverter it reports (clear_aps2mqtt_discovery). */
static bool clear_legacy(struct aps_plugin *pl, struct ecu *e, const struct discovery_ctx *ctx,
                         uint64_t deadline_ns)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	bool sent = false;
	if (!st->ecu_legacy_cleared) {
		discovery_ecu_legacy(ctx, &p->info, emit_retained, pl);
		st->ecu_legacy_cleared = sent = true;
	}
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		bool added;
		if (sent && aps_monotonic_ns() >= deadline_ns) return false;
		if (find_or_add(st, p->inverters[i].uid, &added) == NULL || !added) continue;
		discovery_inverter_legacy(ctx, p->info.ecu_id, &p->inverters[i], emit_retained, pl);
		sent = true;
	}
	st->legacy_cleared = true;
	st->legacy_cleared_ns = aps_monotonic_ns();
	return true;
}

bool announce_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	struct discovery_ctx ctx;
	char base[APS_CONFIG_TOPIC_BASE_SIZE];
	bool sent = false;

	if (!pl->cfg.discovery) return true;
	discovery_context(pl, &ctx, base);
	bool clear = pl->cfg.clear_aps2mqtt_discovery;
	if (clear && !st->legacy_cleared && !clear_legacy(pl, e, &ctx, deadline_ns)) return false;
	if (clear && aps_monotonic_ns() - st->legacy_cleared_ns < LEGACY_GRACE_NS) return false;

	if (!st->ecu_announced) {
		int rc = discovery_ecu(&ctx, &p->info, emit_retained, pl);
		st->ecu_announced = rc > 0;
		sent = true;
		if (rc < 0) log_failure("ECU", p->info.ecu_id, rc);
	}
	/* One config per inverter, a few kilobytes each: 80 of them in one go
	 * would hold the broker for a millisecond or more (tests/bench). */
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		const struct aps_inverter *inv = &p->inverters[i];
		bool added;
		if (sent && aps_monotonic_ns() >= deadline_ns) return false;
		struct announced_inverter *known = find_or_add(st, inv->uid, &added);
		/* An inverter first seen after the start: its past configs too. */
		if (added && clear) discovery_inverter_legacy(&ctx, p->info.ecu_id, inv, emit_retained, pl);
		if (known == NULL || strcmp(known->type, inv->type) == 0) continue;
		sent = true;
		int rc = discovery_inverter(&ctx, p->info.ecu_id, p->info.firmware, inv, emit_retained, pl);
		if (rc < 0) log_failure("inverter", inv->uid, rc);
		else memcpy(known->type, inv->type, sizeof(known->type));
	}
	return true;
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
	st->ecu_announced = st->ecu_legacy_cleared = st->legacy_cleared = st->announced_full = false;
	st->announced_count = 0;
}

void announce_free(struct ecu *e)
{
	aps_free(e->state.announced);
	e->state.announced = NULL;
	e->state.announced_count = e->state.announced_cap = 0;
}
