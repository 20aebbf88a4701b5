// SPDX-License-Identifier: MIT
/* energy_store.c - see energy_store.h. */
#define _DEFAULT_SOURCE
#include "energy_store.h"

#include <stdio.h>
#include <string.h>

#include "broker_api.h"

#include "alloc.h"
#include "aps_plugin.h"
#include "ecu_ids_image.h"
#include "energy_image.h"
#include "energy_split.h"
#include "state_file.h"
#include "state_path.h"

/* Longest a cycle's payloads wait for their save: a disk slower than this
 * (an SD card in trouble) gets its values published before they are safe,
 * rather than no values at all. */
#define STORE_WAIT_MS 2000u

struct store_ecu {
	uint64_t wait_change;        /* the change its pending payloads show */
	uint64_t wait_until_ms;
	struct aps_energy_values *vals;
	size_t vals_cap;
};

struct energy_store {
	bool enabled;                /* a file to keep the state in */
	struct state_saver saver;
	uint64_t seq;                /* generation of the last file loaded or written */
	uint64_t change;             /* bumped by every change to any ECU's state */
	uint64_t saving_change;      /* what the save under way covers */
	uint64_t settled;            /* changes whose save has ended, well or not */
	struct esplit *splits;       /* one per ECU id seen (or loaded) */
	size_t ecu_count;
	size_t split_count;
	struct store_ecu *ecus;      /* parallel to pl->ecus */
	char trouble[256];           /* the last write problem logged; "" when fine */
	bool slow_logged;
	/* Which ECU answered last at each address (ecu_ids_image.h). */
	struct ecu_id_entry ids[ECU_IDS_MAX];
	size_t id_count;
};

/* The payload of a version 2 file: u32 length of the energy image, the
 * image, then the ECU addresses.  Version 1 held the image alone. */
static int split_payload(const struct state_gen *g, const uint8_t **energy, size_t *energy_len,
                         const uint8_t **ids, size_t *ids_len)
{
	*energy = g->payload;
	*energy_len = g->len;
	*ids = NULL;
	*ids_len = 0;
	if (g->version < 2) return 0;
	if (g->len < 4) return -1;
	size_t n = (size_t)g->payload[0] | (size_t)g->payload[1] << 8 | (size_t)g->payload[2] << 16 |
	           (size_t)g->payload[3] << 24;
	if (n > g->len - 4) return -1;
	*energy = g->payload + 4;
	*energy_len = n;
	*ids = g->payload + 4 + n;
	*ids_len = g->len - 4 - n;
	return 0;
}

static struct esplit *find_split(struct energy_store *st, const char *ecu_id)
{
	for (size_t i = 0; i < st->split_count; i++)
		if (strcmp(st->splits[i].ecu_id, ecu_id) == 0) return &st->splits[i];
	return NULL;
}

static struct esplit *split_for(struct energy_store *st, const char *ecu_id)
{
	struct esplit *found = find_split(st, ecu_id);
	if (found || st->split_count >= ENERGY_IMAGE_ECUS_MAX) return found;
	struct esplit *grown = aps_realloc(st->splits, (st->split_count + 1) * sizeof(*grown));
	if (!grown) return NULL;
	st->splits = grown;
	esplit_init(&st->splits[st->split_count], ecu_id);
	return &st->splits[st->split_count++];
}

/* Loads the newest readable generation; a damaged file is logged and set
 * aside (renamed .corrupt), never silently replaced by zeros. */
static void load(struct energy_store *st)
{
	struct state_gen gens[2];
	int valid = state_file_load(st->saver.path, gens);
	for (int g = 0; g < 2; g++) {
		if (!gens[g].ok && gens[g].exists)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: state file: %s", gens[g].why);
		if (gens[g].ok && gens[g].seq > st->seq) st->seq = gens[g].seq;
	}
	for (int g = 0; g < valid; g++) {
		char why[160] = "the sections' lengths do not add up";
		struct esplit *ecus;
		size_t n, energy_len, ids_len;
		const uint8_t *energy, *ids;
		if (split_payload(&gens[g], &energy, &energy_len, &ids, &ids_len) != 0 ||
		    energy_image_decode(energy, energy_len, &ecus, &n, why, sizeof(why)) != 0) {
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: state file generation %llu: %s",
			                     (unsigned long long)gens[g].seq, why);
			continue;
		}
		if (ids && ecu_ids_image_decode(ids, ids_len, st->ids, &st->id_count, why, sizeof(why)) != 0) {
			/* The energy is whole; only the ids are lost: learnt again from replies. */
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: state file generation %llu: %s",
			                     (unsigned long long)gens[g].seq, why);
			st->id_count = 0;
		}
		st->splits = ecus;
		st->split_count = n;
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: energy state of %zu ECU%s read from %s (generation %llu%s)", n,
		                     n == 1 ? "" : "s", st->saver.path, (unsigned long long)gens[g].seq,
		                     g > 0 || (valid == 1 && gens[1].exists) ? ", the other one being damaged" : "");
		state_file_gens_free(gens);
		return;
	}
	bool any = gens[0].exists || gens[1].exists;
	state_file_gens_free(gens);
	if (!any) {
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: no energy state in %s yet: per-inverter energy starts at 0",
		                     st->saver.path);
		return;
	}
	mosquitto_log_printf(MOSQ_LOG_ERR, "aps-ecu: energy state in %s unreadable in both generations: kept as "
	                     "%s.corrupt; per-inverter energy starts again at 0", st->saver.path, st->saver.path);
	char from[STATE_FILE_PATH_MAX + 8], to[STATE_FILE_PATH_MAX + 16];
	for (int slot = 0; slot < 2; slot++) {
		snprintf(from, sizeof(from), "%s%s", st->saver.path, slot ? ".1" : "");
		snprintf(to, sizeof(to), "%s%s.corrupt", st->saver.path, slot ? ".1" : "");
		rename(from, to);
	}
}

struct energy_store *energy_store_open(struct aps_plugin *pl)
{
	struct energy_store *st = aps_calloc(1, sizeof(*st));
	if (!st) return NULL;
	st->ecus = aps_calloc(pl->ecu_count ? pl->ecu_count : 1, sizeof(*st->ecus));
	if (!st->ecus) {
		aps_free(st);
		return NULL;
	}
	st->ecu_count = pl->ecu_count;
	const char *want = pl->cfg.state_file;
	const char *source = "state_file";
	if (pl->cfg.state_file_set) {
		if (want[0] && strcmp(want, "none") != 0) {
			snprintf(st->saver.path, sizeof(st->saver.path), "%s", want);
			st->enabled = true;
		} else {
			mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: state_file none: per-inverter energy starts at 0 "
			                                    "at every broker start");
		}
	} else if (state_path_default(pl->persistence_location, NULL, 0, STATE_PATH_FALLBACK_DIR, st->saver.path,
	                              sizeof(st->saver.path), &source) == 0) {
		st->enabled = true;
	} else {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: no place for the energy state file (no persistence "
		                     "location, %s not writable): per-inverter energy starts at 0 at every broker "
		                     "start; set plugin_opt_state_file", STATE_PATH_FALLBACK_DIR);
	}
	if (st->enabled) {
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: energy state file %s (from %s)", st->saver.path, source);
		load(st);
	}
	return st;
}

void energy_store_close(struct energy_store *st)
{
	if (!st) return;
	state_saver_wait(&st->saver);
	for (size_t i = 0; i < st->split_count; i++) esplit_free(&st->splits[i]);
	aps_free(st->splits);
	for (size_t i = 0; i < st->ecu_count; i++) aps_free(st->ecus[i].vals);
	aps_free(st->ecus);
	aps_free(st);
}

static size_t ecu_index(const struct aps_plugin *pl, const struct ecu *e)
{
	return (size_t)(e - pl->ecus);
}

void energy_store_cycle(struct aps_plugin *pl, struct ecu *e, const struct energy_result *res, uint64_t now_ms)
{
	struct energy_store *st = pl->energy;
	struct ecu_poller *p = &e->poller;
	if (!st || !p->have_inverters) return;
	struct esplit *s = split_for(st, p->info.ecu_id);
	if (!s) return;
	struct esplit_sample in = {
		.time = p->inv.timestamp,
		.inv = p->inverters,
		.count = p->inv.count,
		/* Only a reading the filter took as it came is the authority. */
		.ecu_today_ok = res->new_data && res->publish_today && res->today_raw == p->info.today_energy_raw,
		.ecu_today_wh = (double)p->info.today_energy_raw * 10.0,
	};
	if (p->info.has_timestamp) in.ecu_time = p->info.timestamp;
	int64_t cap = ESPLIT_GAP_CAP_S;
	if ((int64_t)pl->cfg.poll_interval_s * 2 > cap) cap = (int64_t)pl->cfg.poll_interval_s * 2;
	int flags = esplit_feed(s, &in, cap);
	if (flags > 0 && (flags & ESPLIT_CHANGED)) st->change++;
	struct store_ecu *se = &st->ecus[ecu_index(pl, e)];
	se->wait_change = st->change;
	se->wait_until_ms = now_ms + STORE_WAIT_MS;
	/* Start the save now: it runs while the tick goes on. */
	energy_store_tick(pl);
}

bool energy_store_ready(struct aps_plugin *pl, const struct ecu *e, uint64_t now_ms)
{
	struct energy_store *st = pl->energy;
	if (!st || !st->enabled) return true;
	struct store_ecu *se = &st->ecus[ecu_index(pl, e)];
	if (st->settled >= se->wait_change) return true;
	if (now_ms < se->wait_until_ms) return false;
	if (!st->slow_logged) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: state file %s: a save took over %u ms; energy values "
		                     "are published before they are safe on disk", st->saver.path, STORE_WAIT_MS);
		st->slow_logged = true;
	}
	return true;
}

/* A save failed (st->saver.err says why): one line per change of trouble,
 * and publishing goes on meanwhile. */
static void report_trouble(struct energy_store *st)
{
	if (strcmp(st->trouble, st->saver.err) == 0) return;
	mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: energy state not saved: %s (values are still published; they "
	                     "are lost at a restart until it can be written)", st->saver.err);
	snprintf(st->trouble, sizeof(st->trouble), "%s", st->saver.err);
}

static void start_save(struct energy_store *st)
{
	const struct esplit *list[ENERGY_IMAGE_ECUS_MAX];
	size_t n = st->split_count;
	for (size_t i = 0; i < n; i++) list[i] = &st->splits[i];
	size_t energy = energy_image_size(list, n), size;
	size_t payload = 4 + energy + ecu_ids_image_size(st->ids, st->id_count);
	uint8_t *buf = energy <= UINT32_MAX ? state_file_buffer(payload, &size) : NULL;
	if (!buf) {
		snprintf(st->saver.err, sizeof(st->saver.err), "state too large or out of memory");
		st->settled = st->change;
		return;
	}
	uint8_t *p = buf + STATE_FILE_HEADER;
	for (int b = 0; b < 4; b++) p[b] = (uint8_t)(energy >> (8 * b));
	energy_image_encode(list, n, p + 4);
	ecu_ids_image_encode(st->ids, st->id_count, p + 4 + energy);
	st->saving_change = st->change;
	if (state_saver_start(&st->saver, buf, size, st->seq + 1) < 0) {
		st->settled = st->saving_change;
		report_trouble(st);
	}
}

void energy_store_tick(struct aps_plugin *pl)
{
	struct energy_store *st = pl->energy;
	if (!st || !st->enabled) return;
	int r = state_saver_poll(&st->saver);
	if (r > 0) {
		st->seq = st->saver.seq;
		if (st->trouble[0])
			mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: energy state saved again in %s", st->saver.path);
		st->trouble[0] = '\0';
		st->settled = st->saving_change;
	} else if (r < 0) {
		report_trouble(st);
		st->settled = st->saving_change;
	}
	if (!state_saver_busy(&st->saver) && st->change > st->saving_change) start_save(st);
}

const struct aps_energy_values *energy_store_values(struct aps_plugin *pl, struct ecu *e)
{
	struct energy_store *st = pl->energy;
	struct ecu_poller *p = &e->poller;
	if (!st || !p->have_inverters || p->inv.count == 0) return NULL;
	struct esplit *s = find_split(st, p->info.ecu_id);
	if (!s) return NULL;
	struct store_ecu *se = &st->ecus[ecu_index(pl, e)];
	if (se->vals_cap < p->inv.count) {
		struct aps_energy_values *grown = aps_realloc(se->vals, p->inv.count * sizeof(*grown));
		if (!grown) return NULL;
		se->vals = grown;
		se->vals_cap = p->inv.count;
	}
	for (size_t i = 0; i < p->inv.count; i++) {
		struct aps_energy_values *v = &se->vals[i];
		const struct esplit_inverter *inv = esplit_find(s, p->inverters[i].uid);
		memset(v, 0, sizeof(*v));
		if (!inv || inv->channels == 0) continue;
		v->have = true;
		v->panels = inv->channels;
		v->today_wh = esplit_today_wh(inv);
		v->lifetime_wh = esplit_lifetime_wh(inv);
		v->measured_wh = esplit_raw_wh(inv);
		for (unsigned c = 0; c < inv->channels; c++) {
			v->panel_today_wh[c] = inv->ch[c].today_wh;
			v->panel_lifetime_wh[c] = inv->ch[c].closed_wh + inv->ch[c].today_wh;
		}
	}
	return se->vals;
}

static struct ecu_id_entry *find_addr(struct energy_store *st, const char *addr)
{
	for (size_t i = 0; i < st->id_count; i++)
		if (strcmp(st->ids[i].addr, addr) == 0) return &st->ids[i];
	return NULL;
}

const char *energy_store_known_id(struct aps_plugin *pl, const struct ecu *e)
{
	struct energy_store *st = pl->energy;
	if (!st) return NULL;
	const struct ecu_id_entry *found = find_addr(st, e->poller.label);
	return found ? found->ecu_id : NULL;
}

void energy_store_learn_id(struct aps_plugin *pl, const struct ecu *e)
{
	struct energy_store *st = pl->energy;
	const char *id = e->poller.info.ecu_id;
	if (!st || !st->enabled || strlen(e->poller.label) > ECU_IDS_ADDR_MAX || strlen(id) != APS_ECU_ID_LEN) return;
	struct ecu_id_entry *entry = find_addr(st, e->poller.label);
	if (entry && strcmp(entry->ecu_id, id) == 0) return;
	if (!entry) {
		/* Addresses no longer configured go first when the table is full. */
		if (st->id_count == ECU_IDS_MAX) {
			size_t drop = 0;
			for (size_t i = 0; i < st->id_count; i++) {
				bool configured = false;
				for (size_t k = 0; k < pl->ecu_count && !configured; k++)
					configured = strcmp(pl->ecus[k].poller.label, st->ids[i].addr) == 0;
				if (!configured) {
					drop = i;
					break;
				}
			}
			st->ids[drop] = st->ids[--st->id_count];
		}
		entry = &st->ids[st->id_count++];
		snprintf(entry->addr, sizeof(entry->addr), "%s", e->poller.label);
	}
	memcpy(entry->ecu_id, id, APS_ECU_ID_LEN + 1);
	st->change++;
	energy_store_tick(pl);
}
