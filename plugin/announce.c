/* announce.c - Home Assistant discovery: when to send which configs. */
#include <stdlib.h>
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

static int by_uid(const void *a, const void *b)
{
	return strcmp(((const struct announced_inverter *)a)->uid, ((const struct announced_inverter *)b)->uid);
}

/* True when inv was already announced with the same type; otherwise records it. */
static bool seen_before(struct ecu_state *st, const struct aps_inverter *inv)
{
	struct announced_inverter key;
	memcpy(key.uid, inv->uid, sizeof(key.uid));
	struct announced_inverter *found =
		st->announced_count ? bsearch(&key, st->announced, st->announced_count, sizeof(key), by_uid) : NULL;
	if (found) {
		if (strcmp(found->type, inv->type) == 0) return true;
		memcpy(found->type, inv->type, sizeof(found->type));
		return false;
	}
	if (st->announced_count == st->announced_cap) {
		size_t cap = st->announced_cap ? st->announced_cap * 2 : 64;
		void *grown = aps_realloc(st->announced, cap * sizeof(*st->announced));
		if (!grown) return false; /* announce anyway; remember next time */
		st->announced = grown;
		st->announced_cap = cap;
	}
	size_t at = 0;
	while (at < st->announced_count && strcmp(st->announced[at].uid, inv->uid) < 0) at++;
	memmove(&st->announced[at + 1], &st->announced[at], (st->announced_count - at) * sizeof(key));
	memcpy(st->announced[at].uid, inv->uid, sizeof(key.uid));
	memcpy(st->announced[at].type, inv->type, sizeof(key.type));
	st->announced_count++;
	return false;
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
	if (!st->ecu_announced) {
		int rc = discovery_ecu(&ctx, &p->info, emit_retained, pl);
		st->ecu_announced = rc > 0;
		sent = true;
		if (rc < 0)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s: discovery configs not sent (error %d)",
			                     p->info.ecu_id, -rc);
	}
	/* An inverter is a dozen retained configs of a kilobyte each: 80 of them
	 * in one go held the broker for milliseconds (tests/bench). */
	for (size_t i = 0; p->have_inverters && i < p->inv.count; i++) {
		const struct aps_inverter *inv = &p->inverters[i];
		if (sent && aps_monotonic_ns() >= deadline_ns) return false;
		if (seen_before(st, inv)) continue;
		sent = true;
		if (discovery_inverter(&ctx, p->info.ecu_id, p->info.firmware, inv, emit_retained, pl) < 0)
			st->announced_count = 0; /* try them all again next cycle */
	}
	return true;
}

void announce_again(struct aps_plugin *pl)
{
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu *e = &pl->ecus[i];
		e->state.ecu_announced = false;
		e->state.announced_count = 0;
		/* Mid-cycle, the poller's data is being replaced: the cycle's end
		 * will announce.  Otherwise the tick does, within its time. */
		e->state.announce_pending = e->state.data_valid;
	}
}

void announce_free(struct ecu *e)
{
	aps_free(e->state.announced);
	e->state.announced = NULL;
	e->state.announced_count = e->state.announced_cap = 0;
}
