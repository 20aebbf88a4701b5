// SPDX-License-Identifier: MIT
/* tick.c - on each pass of the broker's loop (woken when we need it, wake.h):
 * move each ECU's poll cycle on, publish what ends. */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "control.h"
#include "energy_store.h"
#include "night.h"
#include "publish.h"
#include "rediscover.h"
#include "schedule.h"
#include "shutdown.h"
#include "tick.h"

/* While "offline" goes out at a stop, and while a cycle's replies or a
 * restart's answer may arrive (our sockets are not in the broker's poll set),
 * the next pass comes this soon: a reply waits at most this long. */
#define BUSY_WAIT_MS 10
/* Our time on the broker's thread per tick (tests/bench: a client's round
 * trip through the broker must not grow by 1 ms). */
#define TICK_BUDGET_NS 300000u

static unsigned inverters_online(const struct ecu_poller *p)
{
	if (!p->have_inverters) return p->info.inverters_online;
	unsigned n = 0;
	for (size_t i = 0; i < p->inv.count; i++) n += p->inverters[i].online;
	return n;
}

/* The energy values to publish, past the glitch filter (energy.h). */
static void filter_energy(struct ecu *e, const struct aps_cycle_time *when, uint64_t now_ms,
                          struct energy_result *res)
{
	const struct aps_ecu_info *info = &e->poller.info;
	const struct aps_time *t = when->known ? &when->local : NULL;
	struct energy_reading r = {
		.year = t ? t->year : 0, .month = t ? t->month : 0, .day = t ? t->day : 0,
		.hour = t ? t->hour : 0, .minute = t ? t->minute : 0, .second = t ? t->second : 0,
		.now_s = (int64_t)(now_ms / 1000u),
		.today_raw = info->today_energy_raw,
		.lifetime_raw = info->lifetime_energy_raw,
		.power_w = info->current_power_w,
	};
	energy_filter_update(&e->energy.filter, &r, res);
	if (res->reason[0] && strcmp(res->reason, e->energy.note) != 0)
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s: %s", info->ecu_id, res->reason);
	if (res->new_data) snprintf(e->energy.note, sizeof(e->energy.note), "%s", res->reason);
}

/* "online" is a claim we renew (status_refresh) and that lapses by itself
 * when we are gone (a crash, a broker restarted without us); "offline"
 * stays true then, so it does not expire. */
static int publish_status(const struct aps_plugin *pl, const char *topic, bool online)
{
	if (!online) return publish_text(topic, "offline", true);
	return publish_text_expiring(topic, "online", (uint32_t)pl->cfg.status_expiry_s);
}

/* P aps/<ECU_ID>/status, whatever was published before. */
static int send_ecu_status(const struct aps_plugin *pl, const struct ecu *e, bool online)
{
	char topic[APS_TOPIC_MAX];
	if (publish_ecu_topic(topic, pl->cfg.topic_prefix, e->health.ecu_id, APS_ECU_STATUS_TOPIC) != 0)
		return MOSQ_ERR_INVAL;
	return publish_status(pl, topic, online);
}

/* Publishes the ECU's availability when it changed. */
static void ecu_status(struct aps_plugin *pl, struct ecu *e, bool online)
{
	struct ecu_health *h = &e->health;
	if (h->ecu_id[0] == '\0') return; /* never reached: its id is unknown */
	if (h->status_published && h->online == online) return;
	if (send_ecu_status(pl, e, online) == MOSQ_ERR_SUCCESS) {
		h->status_published = true;
		h->online = online;
	}
}

/* Every "online" out again before it expires: three times per status_expiry,
 * so two lost refreshes still leave it standing. */
static void status_refresh(struct aps_plugin *pl, uint64_t now)
{
	if (pl->cfg.status_expiry_s <= 0 || now < pl->status_refresh_ms || pl->offline_sent) return;
	pl->status_refresh_ms = now + (uint64_t)pl->cfg.status_expiry_s * 1000u / 3u;
	publish_status(pl, pl->status_topic, true);
	for (size_t i = 0; i < pl->ecu_count; i++) {
		const struct ecu *e = &pl->ecus[i];
		if (e->health.status_published && e->health.online) send_ecu_status(pl, e, true);
	}
}

void tick_start(struct aps_plugin *pl)
{
	/* Until an ECU answers, it is not online: whatever an earlier run (or a
	 * broker's persistence) left retained says otherwise.  Its id comes from
	 * the state file, where the last run kept it by address. */
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu *e = &pl->ecus[i];
		const char *known = energy_store_known_id(pl, e);
		if (!known) continue;
		snprintf(e->health.ecu_id, sizeof(e->health.ecu_id), "%s", known);
		ecu_status(pl, e, false);
	}
	pl->status_refresh_ms = 0;
	status_refresh(pl, aps_monotonic_ms());
	if (pl->cfg.status_expiry_s <= 0) publish_status(pl, pl->status_topic, true);
}

uint64_t tick_status_wait_ms(const struct aps_plugin *pl, uint64_t now)
{
	if (pl->cfg.status_expiry_s <= 0) return UINT64_MAX;
	return pl->status_refresh_ms > now ? pl->status_refresh_ms - now : 0;
}

/* The escalation ladder's last rung (ecu_restart.h), on its own retained
 * topic whatever retain says: an automation acts on it. */
static void power_cycle_flag(struct aps_plugin *pl, struct ecu *e)
{
	struct ecu_health *h = &e->health;
	bool on = e->restart.needs_power_cycle;
	char topic[APS_TOPIC_MAX];
	if (h->ecu_id[0] == '\0' || (h->power_cycle_published && h->power_cycle_on == on)) return;
	if (publish_ecu_topic(topic, pl->cfg.topic_prefix, h->ecu_id, APS_POWER_CYCLE_TOPIC) != 0) return;
	if (publish_text(topic, on ? "ON" : "OFF", true) == MOSQ_ERR_SUCCESS) {
		h->power_cycle_published = true;
		h->power_cycle_on = on;
	}
}

static void diagnostics(struct aps_plugin *pl, struct ecu *e)
{
	struct publish_diag d = { e->health.last_success, e->poller.cycle_duration_ms, e->health.failures,
		                  e->health.last_error, e->restart.needs_power_cycle, DIAG_ABSENT, DIAG_ABSENT };
	control_diag(e, &d);
	power_cycle_flag(pl, e);
	publish_diagnostics(pl->cfg.topic_prefix, e->health.ecu_id, &d, pl->cfg.retain);
}

void tick_offline(struct aps_plugin *pl)
{
	for (size_t i = 0; i < pl->ecu_count; i++) ecu_status(pl, &pl->ecus[i], false);
	publish_text(pl->status_topic, "offline", true);
}

/* stop_at_night: whether this cycle ends the day; *next_ms is then set. */
static bool night_starts(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms, bool ok, uint64_t *next_ms)
{
	int64_t now = (int64_t)time(NULL), resume;
	if (!pl->cfg.stop_at_night || !pl->cfg.has_position) return false;
	if (!night_pause(pl->cfg.latitude, pl->cfg.longitude, now, ok, ok ? inverters_online(&e->poller) : 0,
	                 &resume)) {
		e->health.night = false;
		return false;
	}
	if (!e->health.night) {
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
	struct ecu_health *h = &e->health;
	struct publish_queue *q = &e->queue;

	if (h->failures > 0 || h->ecu_id[0] == '\0') {
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s (%s, %s) at %s answers%s", p->info.ecu_id,
		                     aps_ecu_model(p->info.ecu_id), p->info.firmware[0] ? p->info.firmware : "no firmware",
		                     p->label, h->failures ? " again" : "");
	}
	/* Another ECU at this address: its flag is published afresh. */
	if (strcmp(h->ecu_id, p->info.ecu_id) != 0) h->power_cycle_published = false;
	h->failures = 0;
	h->last_logged_msg[0] = '\0';
	h->last_success = (int64_t)time(NULL);
	h->data_valid = true;
	ecu_restart_after_success(e);
	energy_store_learn_id(pl, e);

	if (p->note[0] && !h->note_logged) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s at %s: %s", p->info.ecu_id, p->label, p->note);
		h->note_logged = true;
	} else if (!p->note[0]) {
		h->note_logged = false;
	}

	/* The cycle's time, once, for its timestamp, its age and its energy day. */
	aps_cycle_time(&p->info, p->have_inverters ? &p->inv : NULL, pl->cfg.timezone, &q->time);
	struct energy_result energy;
	filter_energy(e, &q->time, now, &energy);
	energy_store_cycle(pl, e, &energy, now);
	bool was_night = h->night;
	uint64_t next_ms;
	bool night = night_starts(pl, e, now, true, &next_ms);

	/* Published by the tick loop, now or in the next ticks (the queue).  Once
	 * night starts the power values go to 0; energy values stay. */
	q->values = (struct aps_ecu_values){
		.current_power_w = night && !was_night ? 0 : p->info.current_power_w,
		.today = energy.publish_today, .today_energy_raw = energy.today_raw,
		.lifetime = energy.publish_lifetime, .lifetime_energy_raw = energy.lifetime_raw,
	};
	q->cycle = true;

	if (night) {
		h->night = true;
		poller_schedule(p, next_ms);
		return;
	}
	/* How old the ECU's data is, in seconds of our clock. */
	bool known = q->time.has_offset;
	int64_t age = known ? (int64_t)time(NULL) - q->time.utc_s : 0;
	uint32_t delay = schedule_after_success((uint32_t)pl->cfg.poll_interval_s, known, age);
	/* A set poll_interval runs from start to start, as users read it; the
	 * ECU-following delay counts from its data's age, so from now. */
	uint64_t from = pl->cfg.poll_interval_s > 0 ? p->cycle_start_ms : now;
	uint64_t at = from + (uint64_t)delay * 1000u;
	poller_schedule(p, at < now ? now : at);
}

static void cycle_failed(struct aps_plugin *pl, struct ecu *e, uint64_t now)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_health *st = &e->health;

	st->failures++;
	st->data_valid = false;
	snprintf(st->last_error, sizeof(st->last_error), "%s", p->error);
	uint32_t delay = schedule_after_failure((uint32_t)pl->cfg.poll_interval_s, (uint32_t)pl->cfg.retry_interval_s,
	                                        st->failures);
	uint64_t next_ms = now + (uint64_t)delay * 1000u;
	/* aps2mqtt retried all night after a failed poll: here the night waits. */
	bool night = night_starts(pl, e, now, false, &next_ms);
	poller_schedule(p, next_ms);
	st->night = night;

	/* One line per change of trouble, not one per failed poll. */
	bool same = st->failures > 1 && strcmp(st->last_logged_msg, p->error) == 0;
	if (!same) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU at %s: %s (next try in %u s)", p->label, p->error,
		                     (unsigned)((next_ms - now) / 1000u));
		snprintf(st->last_logged_msg, sizeof(st->last_logged_msg), "%s", p->error);
	}
	if (st->failures >= (unsigned)pl->cfg.offline_after) ecu_status(pl, e, false);
	ecu_restart_after_failure(pl, e, now);
	diagnostics(pl, e);
}

/* Fills the poll() set: each ECU's poll socket, restart socket and control
 * socket, if any. */
static size_t collect_fds(struct aps_plugin *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		for (int kind = 0; kind < APS_PFDS_PER_ECU; kind++) {
			short events;
			int fd = kind == PFD_POLLER    ? poller_fd(&pl->ecus[i].poller, &events)
			       : kind == PFD_RESTART ? ecu_restart_fd(&pl->ecus[i], &events)
			                             : control_fd(&pl->ecus[i], &events);
			if (fd < 0) continue;
			pl->pfds[n] = (struct pollfd){ .fd = fd, .events = events, .revents = 0 };
			pl->pfd_owner[n] = (struct pfd_owner){ .ecu = i, .kind = (enum pfd_kind)kind };
			n++;
		}
	}
	return n;
}

/* How long a retained state may stand: until the poll due to replace it,
 * and state_expiry beyond (a night's pause included). */
static uint32_t state_expiry(const struct aps_plugin *pl, const struct ecu *e)
{
	if (pl->cfg.state_expiry_s <= 0) return 0;
	uint64_t now = aps_monotonic_ms(), next = e->poller.next_poll_ms;
	uint64_t until_next_s = next > now ? (next - now + 999u) / 1000u : 0;
	uint64_t s = until_next_s + (uint64_t)pl->cfg.state_expiry_s;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* A finished cycle's messages: availability and discovery first (Home
 * Assistant must know the entities, and find them available, when their
 * states arrive), then the states and diagnostics.  False when discovery
 * configs are still to go out: called again next tick. */
static bool send_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns)
{
	const struct ecu_poller *p = &e->poller;
	if (strcmp(e->health.ecu_id, p->info.ecu_id) != 0) {
		/* Another ECU now answers at this address: its status starts afresh. */
		memcpy(e->health.ecu_id, p->info.ecu_id, sizeof(e->health.ecu_id));
		e->health.status_published = false;
		announce_forget(e->announcer);
	}
	ecu_status(pl, e, true);
	const struct aps_inverter *inverters = p->have_inverters ? p->inverters : NULL;
	if (!announce_cycle(e->announcer, &pl->announce, &p->info, inverters, p->inv.count, deadline_ns))
		return false;
	const struct aps_cycle cycle = {
		.info = &p->info,
		.inv = p->have_inverters ? &p->inv : NULL,
		.inverters = p->inverters,
		.signals = p->have_signal ? p->signals : NULL,
		.signal_count = p->have_signal ? p->signal_count : 0,
		.time = &e->queue.time,
		.values = &e->queue.values,
		.energy = energy_store_values(pl, e),
	};
	publish_cycle(pl->cfg.topic_prefix, &cycle, pl->cfg.retain, state_expiry(pl, e));
	diagnostics(pl, e);
	control_after_cycle(pl, e, aps_monotonic_ms());
	return true;
}

/* Sends what a finished cycle, or Home Assistant's return, left to send. */
static void send_queued(struct aps_plugin *pl, struct ecu *e, uint64_t deadline_ns)
{
	struct publish_queue *q = &e->queue;
	const struct ecu_poller *p = &e->poller;
	if (q->cycle) {
		/* Energy values go out once they are safe on disk (energy_store.h). */
		if (!energy_store_ready(pl, e, aps_monotonic_ms())) return;
		if (!send_cycle(pl, e, deadline_ns)) return;
		q->cycle = q->announce = false;
	} else if (q->announce) {
		const struct aps_inverter *inverters = p->have_inverters ? p->inverters : NULL;
		q->announce = !announce_cycle(e->announcer, &pl->announce, &p->info, inverters, p->inv.count,
		                              deadline_ns);
	}
}

/* Whether the ECU has anything to do now: an ECU waiting for a reply that
 * has not come, or for a time not yet reached, costs a tick nothing. */
static bool has_work(const struct ecu *e, uint64_t now)
{
	return e->poll_revents || e->restart_revents || e->queue.cycle || e->queue.announce ||
	       e->restart.in_progress || poller_due(&e->poller, now) || e->control_revents || control_busy(e) ||
	       control_wait_ms(e, now) == 0;
}

/* Moves one ECU on: its poll cycle, what is left to publish, its restart. */
static void serve_ecu(struct aps_plugin *pl, struct ecu *e, uint64_t now, uint64_t deadline_ns)
{
	/* Held only while its last cycle's data is still being sent. */
	if (!e->queue.cycle) {
		switch (poller_step(&e->poller, &pl->settings, now, e->poll_revents)) {
		case POLLER_CYCLE_OK:
			cycle_ok(pl, e, now);
			break;
		case POLLER_CYCLE_FAILED:
			cycle_failed(pl, e, now);
			break;
		case POLLER_NOTHING:
			/* A cycle under way is replacing the poller's data. */
			if (e->poller.state != POLLER_IDLE) e->health.data_valid = false;
			break;
		}
	}
	/* Configs sent again need the poller's data: once a new cycle replaces
	 * it (or one failed), the announcer keeps what is still unsent, and the
	 * next good cycle's end sends it (send_cycle). */
	if (e->queue.announce && !e->queue.cycle && !e->health.data_valid) e->queue.announce = false;
	send_queued(pl, e, deadline_ns);
	ecu_restart_step(pl, e, e->restart_revents, now);
	control_step(pl, e, e->control_revents, now);
	if (control_diag_due(e)) diagnostics(pl, e);
}

/* When the ECU next needs a tick, in ms from now (0: at once). */
static uint64_t ecu_wait_ms(const struct ecu *e, uint64_t now)
{
	uint64_t w = poller_wait_ms(&e->poller, now);
	if (e->queue.cycle || e->queue.announce) w = BUSY_WAIT_MS;
	/* A restart's socket is polled here, not by the broker: every
	 * BUSY_WAIT_MS, sooner when libcurl's timer says. */
	if (e->restart.in_progress) {
		uint64_t r = ecu_restart_wait_ms(e, now);
		w = r < BUSY_WAIT_MS ? r : BUSY_WAIT_MS;
	}
	/* The same for a control exchange (control.h). */
	uint64_t c = control_wait_ms(e, now);
	if (control_busy(e) && c > BUSY_WAIT_MS) c = BUSY_WAIT_MS;
	return c < w ? c : w;
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
		tick_offline(pl);
		pl->offline_sent = true;
	}
	/* Stopping: a cycle ending now would publish "online" after "offline". */
	if (pl->offline_sent) return BUSY_WAIT_MS;
	uint64_t wait_ms = rediscover_tick(pl, now);
	energy_store_tick(pl);
	status_refresh(pl, now);

	size_t n = collect_fds(pl);
	if (n > 0 && poll(pl->pfds, (nfds_t)n, 0) < 0) n = 0;
	for (size_t i = 0; i < pl->ecu_count; i++)
		pl->ecus[i].poll_revents = pl->ecus[i].restart_revents = pl->ecus[i].control_revents = 0;
	for (size_t slot = 0; slot < n; slot++) {
		struct ecu *e = &pl->ecus[pl->pfd_owner[slot].ecu];
		short revents = pl->pfds[slot].revents;
		switch (pl->pfd_owner[slot].kind) {
		case PFD_POLLER: e->poll_revents = revents; break;
		case PFD_RESTART: e->restart_revents = revents; break;
		case PFD_CONTROL: e->control_revents = revents; break;
		}
	}

	/* Fair turns.  Issue 16: a healthy ECU beside 255 hung ones got 2 cycles
	 * a minute instead of 12, because every ECU mid-exchange counted as work,
	 * so each tick spent its budget on the first few in turn (often one
	 * connect), and the next tick came 100 ms later (the lost wake-up that
	 * wake.c now repeats).  Now only the ECUs with something to do cost
	 * anything; those with socket events go first (a reply waiting is cheap
	 * work and its cycle's timing depends on it), then those whose time has
	 * come or that have messages to send, each pass in turn from first_ecu.
	 * The clock is read only after work. */
	size_t count = pl->ecu_count, start = pl->first_ecu < count ? pl->first_ecu : 0;
	size_t resume = count; /* the first ECU left for the next tick */
	bool out_of_time = false;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < count; k++) {
			size_t i = (start + k) % count;
			struct ecu *e = &pl->ecus[i];
			bool events = e->poll_revents || e->restart_revents || e->control_revents;
			if (events != (pass == 0) || !has_work(e, now)) continue;
			if (out_of_time) {
				if (resume == count) resume = i;
				continue;
			}
			serve_ecu(pl, e, now, deadline_ns);
			if (aps_monotonic_ns() >= deadline_ns) out_of_time = true;
		}
	}
	pl->first_ecu = resume < count ? resume : (count ? (start + 1) % count : 0);
	if (resume < count) return 0;
	for (size_t i = 0; i < count; i++) {
		uint64_t w = ecu_wait_ms(&pl->ecus[i], now);
		if (w < wait_ms) wait_ms = w;
	}
	uint64_t refresh = tick_status_wait_ms(pl, now);
	return refresh < wait_ms ? refresh : wait_ms;
}
