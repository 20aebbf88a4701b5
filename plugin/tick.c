// SPDX-License-Identifier: MIT
/* tick.c - every ~100 ms: move each ECU's poll cycle on, publish what ends. */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "energy_store.h"
#include "night.h"
#include "schedule.h"
#include "shutdown.h"
#include "tick.h"
#include "tz.h"

/* While "offline" goes out at a stop, and while a cycle's replies or a
 * restart's answer may arrive (our sockets are not in the broker's poll set),
 * the next pass comes this soon: a reply waits at most this long. */
#define BUSY_WAIT_MS 10
/* Our time on the broker's thread per tick (tests/bench: a client's round
 * trip through the broker must not grow by 1 ms). */
#define TICK_BUDGET_NS 300000u

/* How old the ECU's data is, in seconds of our clock, or false if unknown. */
static bool data_age(const struct aps_plugin *pl, const struct ecu_poller *p, int64_t *age_s)
{
	const struct aps_time *t = p->have_inverters ? &p->inv.timestamp
	                         : p->info.has_timestamp ? &p->info.timestamp : NULL;
	if (!t) return false;
	const char *zone = pl->cfg.timezone[0] ? pl->cfg.timezone
	                 : aps_tz_name_valid(p->info.zone) ? p->info.zone : NULL;
	int32_t offset;
	if (aps_tz_offset_local(zone, t->year, t->month, t->day, t->hour, t->minute, t->second, &offset) != 0 &&
	    (zone == NULL || aps_tz_offset_local(NULL, t->year, t->month, t->day, t->hour, t->minute, t->second,
	                                         &offset) != 0))
		return false;

	/* Days from civil (proleptic Gregorian), so no timegm() or TZ is needed. */
	int64_t y = t->year - (t->month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (t->month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + t->day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	int64_t local = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;

	*age_s = (int64_t)time(NULL) - (local - offset);
	return true;
}

static unsigned inverters_online(const struct ecu_poller *p)
{
	if (!p->have_inverters) return p->info.inverters_online;
	unsigned n = 0;
	for (size_t i = 0; i < p->inv.count; i++) n += p->inverters[i].online;
	return n;
}

/* The energy values to publish, past the glitch filter (energy.h). */
static void filter_energy(struct ecu *e, uint64_t now_ms, struct energy_result *res)
{
	const struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;
	const struct aps_time *t = p->info.has_timestamp ? &p->info.timestamp
	                         : p->have_inverters ? &p->inv.timestamp : NULL;
	struct energy_reading r = {
		.year = t ? t->year : 0, .month = t ? t->month : 0, .day = t ? t->day : 0,
		.hour = t ? t->hour : 0, .minute = t ? t->minute : 0, .second = t ? t->second : 0,
		.now_s = (int64_t)(now_ms / 1000u),
		.today_raw = p->info.today_energy_raw,
		.lifetime_raw = p->info.lifetime_energy_raw,
		.power_w = p->info.current_power_w,
	};
	energy_filter_update(&st->energy, &r, res);
	if (res->reason[0] && strcmp(res->reason, st->energy_note) != 0)
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s: %s", p->info.ecu_id, res->reason);
	if (res->new_data) snprintf(st->energy_note, sizeof(st->energy_note), "%s", res->reason);
}

/* stop_at_night: whether this cycle ends the day; *next_ms is then set. */
static bool night_starts(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms, bool ok, uint64_t *next_ms)
{
	int64_t now = (int64_t)time(NULL), resume;
	if (!pl->cfg.stop_at_night || !pl->cfg.has_position) return false;
	if (!night_pause(pl->cfg.latitude, pl->cfg.longitude, now, ok, ok ? inverters_online(&e->poller) : 0,
	                 &resume)) {
		e->state.night = false;
		return false;
	}
	if (!e->state.night) {
		char when[16];
		time_t t = (time_t)resume;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%H:%M UTC", &tm);
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU at %s: night (%s after sunset): next poll at %s",
		                     e->poller.label, ok ? "no inverter online" : "no answer", when);
	}
	*next_ms = now_ms + (uint64_t)(resume - now) * 1000u;
	return true;
}

static void cycle_ok(struct aps_plugin *pl, struct ecu *e, uint64_t now)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;

	if (st->failures > 0 || st->ecu_id[0] == '\0') {
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s (%s, %s) at %s answers%s", p->info.ecu_id,
		                     aps_ecu_model(p->info.ecu_id), p->info.firmware[0] ? p->info.firmware : "no firmware",
		                     p->label, st->failures ? " again" : "");
	}
	st->failures = 0;
	st->last_logged_msg[0] = '\0';
	st->last_success = (int64_t)time(NULL);
	st->data_valid = true;
	ecu_restart_after_success(e);

	if (p->note[0] && !st->note_logged) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s at %s: %s", p->info.ecu_id, p->label, p->note);
		st->note_logged = true;
	} else if (!p->note[0]) {
		st->note_logged = false;
	}

	filter_energy(e, now, &st->pending_energy);
	energy_store_cycle(pl, e, &st->pending_energy, now);
	bool was_night = st->night;
	uint64_t next_ms;
	bool night = night_starts(pl, e, now, true, &next_ms);

	/* Published by the tick loop, now or in the next ticks (publish_pending). */
	st->pending_dusk = night && !was_night;
	st->publish_pending = true;

	if (night) {
		st->night = true;
		p->next_poll_ms = next_ms;
		return;
	}
	int64_t age = 0;
	bool known = data_age(pl, p, &age);
	uint32_t delay = schedule_after_success((uint32_t)pl->cfg.poll_interval_s, known, age);
	/* A set poll_interval runs from start to start, as users read it; the
	 * ECU-following delay counts from its data's age, so from now. */
	uint64_t from = pl->cfg.poll_interval_s > 0 ? p->cycle_start_ms : now;
	p->next_poll_ms = from + (uint64_t)delay * 1000u;
	if (p->next_poll_ms < now) p->next_poll_ms = now;
}

static void cycle_failed(struct aps_plugin *pl, struct ecu *e, uint64_t now)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;

	st->failures++;
	st->data_valid = false;
	snprintf(st->last_error, sizeof(st->last_error), "%s", p->error);
	uint32_t delay = schedule_after_failure((uint32_t)pl->cfg.poll_interval_s, (uint32_t)pl->cfg.retry_interval_s,
	                                        st->failures);
	uint64_t next_ms = now + (uint64_t)delay * 1000u;
	/* aps2mqtt retried all night after a failed poll: here the night waits. */
	bool night = night_starts(pl, e, now, false, &next_ms);
	p->next_poll_ms = next_ms;
	st->night = night;

	/* One line per change of trouble, not one per failed poll. */
	bool same = st->failures > 1 && strcmp(st->last_logged_msg, p->error) == 0;
	if (!same) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU at %s: %s (next try in %u s)", p->label, p->error,
		                     (unsigned)((next_ms - now) / 1000u));
		snprintf(st->last_logged_msg, sizeof(st->last_logged_msg), "%s", p->error);
	}
	if (st->failures >= (unsigned)pl->cfg.offline_after) publish_ecu_status(pl, e, false);
	ecu_restart_after_failure(pl, e, now);
	publish_diagnostics(pl, e);
}

/* Fills the poll() set: each ECU's poll socket and restart socket, if any. */
static size_t collect_fds(struct aps_plugin *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		for (int kind = 0; kind < 2; kind++) {
			short events;
			int fd = kind == 0 ? poller_fd(&pl->ecus[i].poller, &events) : ecu_restart_fd(&pl->ecus[i], &events);
			if (fd < 0) continue;
			pl->pfds[n] = (struct pollfd){ .fd = fd, .events = events, .revents = 0 };
			pl->pfd_owner[n] = (struct pfd_owner){ .ecu = i, .restart = kind == 1 };
			n++;
		}
	}
	return n;
}

/* Sends what a finished cycle, or Home Assistant's return, left to send. */
static void publish_pending(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns)
{
	struct ecu_state *st = &e->state;
	if (st->publish_pending) {
		/* Energy values go out once they are safe on disk (energy_store.h). */
		if (!energy_store_ready(pl, e, aps_monotonic_ms())) return;
		if (!publish_cycle(pl, e, &st->pending_energy, st->pending_dusk, deadline_ns)) return;
		publish_diagnostics(pl, e);
		st->publish_pending = false;
		st->announce_pending = false;
	} else if (st->announce_pending) {
		st->announce_pending = !announce_cycle(pl, e, deadline_ns);
	}
}

/* Moves one ECU on: its poll cycle, what is left to publish, its restart.
 * Returns whether there was anything to do (else no time was spent). */
static bool serve_ecu(struct aps_plugin *pl, struct ecu *e, uint64_t now, uint64_t deadline_ns)
{
	bool busy = e->poller.state != POLLER_IDLE || now >= e->poller.next_poll_ms || e->state.publish_pending ||
	            e->state.announce_pending || e->restart.in_progress || e->poll_revents || e->restart_revents;
	/* Held while its last cycle's data is still being sent. */
	if (!e->state.publish_pending && !e->state.announce_pending) {
		switch (poller_step(&e->poller, &pl->settings, now, e->poll_revents)) {
		case POLLER_CYCLE_OK:
			cycle_ok(pl, e, now);
			break;
		case POLLER_CYCLE_FAILED:
			cycle_failed(pl, e, now);
			break;
		case POLLER_NOTHING:
			/* A cycle under way is replacing the poller's data. */
			if (e->poller.state != POLLER_IDLE) e->state.data_valid = false;
			break;
		}
	}
	publish_pending(pl, e, deadline_ns);
	ecu_restart_step(pl, e, e->restart_revents, now);
	return busy;
}

uint64_t tick_handle(struct aps_plugin *pl)
{
	uint64_t now = aps_monotonic_ms();
	/* The broker serves no client while we run: past this, the ECUs not yet
	 * served wait for the next tick, and the first of them goes first then.
	 * One finished cycle's states (80 inverters: ~0.1 ms) are never split;
	 * discovery configs are (announce_cycle). */
	uint64_t deadline_ns = aps_monotonic_ns() + TICK_BUDGET_NS;

	shutdown_install();
	if (shutdown_tick()) {
		publish_all_offline(pl);
		pl->offline_sent = true;
	}
	/* Stopping: a cycle ending now would publish "online" after "offline". */
	if (pl->offline_sent) return BUSY_WAIT_MS;
	if (pl->rediscover) {
		pl->rediscover = false;
		announce_again(pl);
	}
	energy_store_tick(pl);

	size_t n = collect_fds(pl);
	if (n > 0 && poll(pl->pfds, (nfds_t)n, 0) < 0) n = 0;
	for (size_t i = 0; i < pl->ecu_count; i++) pl->ecus[i].poll_revents = pl->ecus[i].restart_revents = 0;
	for (size_t slot = 0; slot < n; slot++) {
		struct ecu *e = &pl->ecus[pl->pfd_owner[slot].ecu];
		if (pl->pfd_owner[slot].restart) e->restart_revents = pl->pfds[slot].revents;
		else e->poll_revents = pl->pfds[slot].revents;
	}

	uint64_t wait_ms = UINT64_MAX;
	size_t start = pl->first_ecu < pl->ecu_count ? pl->first_ecu : 0;
	bool out_of_time = false, worked = false;
	pl->first_ecu = pl->ecu_count ? (start + 1) % pl->ecu_count : 0;
	for (size_t k = 0; k < pl->ecu_count; k++) {
		size_t i = (start + k) % pl->ecu_count;
		struct ecu *e = &pl->ecus[i];
		/* The clock is read only after work: an idle ECU costs next to nothing. */
		if (worked && !out_of_time && aps_monotonic_ns() >= deadline_ns) {
			out_of_time = true;
			pl->first_ecu = i;
		}
		worked = false;
		if (out_of_time) {
			wait_ms = 0;
			continue;
		}
		worked = serve_ecu(pl, e, now, deadline_ns);

		uint64_t w = poller_wait_ms(&e->poller, now);
		if (e->restart.in_progress || e->state.publish_pending || e->state.announce_pending) w = BUSY_WAIT_MS;
		if (w < wait_ms) wait_ms = w;
	}
	return wait_ms;
}
