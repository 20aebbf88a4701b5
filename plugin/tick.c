/* tick.c - every ~100 ms: move each ECU's poll cycle on, publish what ends. */
#define _DEFAULT_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

#include "aps_plugin.h"
#include "schedule.h"
#include "shutdown.h"
#include "tz.h"

/* Upper bound of a 2.1 sleep, so a changed clock is noticed. */
#define MAX_WAIT_MS 1000

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

	if (p->note[0] && !st->note_logged) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s at %s: %s", p->info.ecu_id, p->label, p->note);
		st->note_logged = true;
	} else if (!p->note[0]) {
		st->note_logged = false;
	}

	publish_cycle(pl, e);

	int64_t age = 0;
	bool known = data_age(pl, p, &age);
	uint32_t delay = schedule_after_success((uint32_t)pl->cfg.poll_interval_s, known, age);
	p->next_poll_ms = now + (uint64_t)delay * 1000u;
}

static void cycle_failed(struct aps_plugin *pl, struct ecu *e, uint64_t now)
{
	struct ecu_poller *p = &e->poller;
	struct ecu_state *st = &e->state;

	st->failures++;
	uint32_t delay = schedule_after_failure((uint32_t)pl->cfg.poll_interval_s, (uint32_t)pl->cfg.retry_interval_s, st->failures);
	p->next_poll_ms = now + (uint64_t)delay * 1000u;

	/* One line per change of trouble, not one per failed poll. */
	bool same = st->failures > 1 && strcmp(st->last_logged_msg, p->error) == 0;
	if (!same) {
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU at %s: %s (next try in %u s)", p->label,
		                     p->error, delay);
		snprintf(st->last_logged_msg, sizeof(st->last_logged_msg), "%s", p->error);
	}
	if (st->failures >= (unsigned)pl->cfg.offline_after) publish_ecu_status(pl, e, false);
}

int tick_handle(struct aps_plugin *pl)
{
	uint64_t now = aps_monotonic_ms();
	size_t n = 0;

	shutdown_install();
	if (shutdown_tick()) {
		publish_all_offline(pl);
		pl->offline_sent = true;
	}

	for (size_t i = 0; i < pl->ecu_count; i++) {
		short events;
		int fd = poller_fd(&pl->ecus[i].poller, &events);
		if (fd < 0) continue;
		pl->pfds[n].fd = fd;
		pl->pfds[n].events = events;
		pl->pfds[n].revents = 0;
		pl->pfd_owner[n] = i;
		n++;
	}
	if (n > 0 && poll(pl->pfds, (nfds_t)n, 0) < 0) n = 0;

	size_t slot = 0;
	uint64_t wait_ms = MAX_WAIT_MS;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu *e = &pl->ecus[i];
		short revents = 0;
		if (slot < n && pl->pfd_owner[slot] == i) revents = pl->pfds[slot++].revents;

		switch (poller_step(&e->poller, &pl->settings, now, revents)) {
		case POLLER_CYCLE_OK:
			cycle_ok(pl, e, now);
			break;
		case POLLER_CYCLE_FAILED:
			cycle_failed(pl, e, now);
			break;
		case POLLER_NOTHING:
			break;
		}
		uint64_t w = poller_wait_ms(&e->poller, now);
		if (w < wait_ms) wait_ms = w;
	}
	return (int)wait_ms;
}
