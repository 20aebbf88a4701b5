// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "ecu_restart.h"

#include "alloc.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "control.h"
#include "discovery.h"

/* Only ECU-C (215...) and ECU-R-PRO (2162...) restart when their hotspot
 * settings are rewritten; older ECU-R (2160) and ECU-B have no such page. */
static bool restartable(const char *ecu_id)
{
	return strncmp(ecu_id, "215", 3) == 0 || strncmp(ecu_id, "2162", 4) == 0;
}

void ecu_restart_after_success(struct ecu *e)
{
	e->restart.advice_logged = false;
	e->restart.attempted = false;
	e->restart.needs_power_cycle = false;
}

/* The last rung: said once per outage, then published by tick.c. */
static void needs_power_cycle(struct ecu *e, const char *why)
{
	if (e->restart.needs_power_cycle) return;
	e->restart.needs_power_cycle = true;
	mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s at %s needs a power cycle (%s): %s/%s is ON until it "
	                     "answers", e->health.ecu_id, e->poller.label, why, e->health.ecu_id,
	                     APS_POWER_CYCLE_TOPIC);
}

static void start(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms)
{
	struct ecu_poller *p = &e->poller;
	struct sockaddr_storage addr;
	socklen_t len = p->resolver.addrlen;
	char host[300];
	uint16_t port = (uint16_t)pl->cfg.http_port;

	memcpy(&addr, &p->resolver.addr, sizeof(addr));
	if (addr.ss_family == AF_INET)
		((struct sockaddr_in *)&addr)->sin_port = htons(port);
	else if (addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&addr)->sin6_port = htons(port);
	else
		return; /* never resolved: nothing to send to */

	const char *open = strchr(p->host, ':') ? "[" : "", *close = *open ? "]" : "";
	int n = port == 80 ? snprintf(host, sizeof(host), "%s%s%s", open, p->host, close)
	                   : snprintf(host, sizeof(host), "%s%s%s:%u", open, p->host, close, (unsigned)port);
	if (n < 0 || n > RESTART_HOST_MAX) return; /* config caps host names at 253 bytes */

	mosquitto_log_printf(MOSQ_LOG_WARNING,
	                     "aps-ecu: ECU %s at %s: no answer for %u cycles: asking it to restart "
	                     "(its hotspot settings are sent to port %u)",
	                     e->health.ecu_id, p->label, e->health.failures, (unsigned)port);
	e->restart.req = aps_calloc(1, sizeof(*e->restart.req));
	if (e->restart.req == NULL) return; /* tried again after the next failed cycle */
	e->restart.in_progress = true;
	e->restart.cooldown_until_ms = now_ms + ECU_RESTART_COOLDOWN_MS;
	if (!e->restart.attempted) e->restart.attempted_at = e->health.failures;
	e->restart.attempted = true;
	restart_start(e->restart.req, (const struct sockaddr *)&addr, len, host, pl->cfg.wifi_ssid,
	              pl->cfg.wifi_passwd, now_ms, ECU_RESTART_TIMEOUT_MS);
}

void ecu_restart_after_failure(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms)
{
	struct ecu_restart *r = &e->restart;
	struct ecu_health *st = &e->health;

	if (st->failures < (unsigned)pl->cfg.restart_after) return;
	if (st->ecu_id[0] != '\0') {
		if (r->attempted && st->failures >= r->attempted_at + (unsigned)pl->cfg.restart_after)
			needs_power_cycle(e, "no answer since the restart request");
		else if (r->given_up)
			needs_power_cycle(e, "its web interface cannot restart it");
		else if (!restartable(st->ecu_id))
			needs_power_cycle(e, "its model cannot be restarted remotely");
		else if (!pl->cfg.auto_restart)
			needs_power_cycle(e, "auto_restart is off");
	}
	if (!pl->cfg.auto_restart) return;
	if (r->in_progress || r->given_up || now_ms < r->cooldown_until_ms) return;
	/* One exchange at a time with the ECU's pages: a command's ends within
	 * its timeout, and the next failed cycle tries again. */
	if (control_busy(e)) return;

	if (st->ecu_id[0] == '\0') {
		/* aps2mqtt forgot the id before reading it; we keep the last one, but
		 * an ECU that never answered has none. */
		if (!r->advice_logged)
			mosquitto_log_printf(MOSQ_LOG_WARNING,
			                     "aps-ecu: ECU at %s has never answered, so its model is unknown: "
			                     "not restarting it",
			                     e->poller.label);
		r->advice_logged = true;
		return;
	}
	if (!restartable(st->ecu_id)) {
		if (!r->advice_logged)
			mosquitto_log_printf(MOSQ_LOG_WARNING,
			                     "aps-ecu: ECU %s (%s) at %s has not answered for %u cycles and cannot "
			                     "be restarted remotely: power-cycle it",
			                     st->ecu_id, aps_ecu_model(st->ecu_id), e->poller.label, st->failures);
		r->advice_logged = true;
		return;
	}
	start(pl, e, now_ms);
}

int ecu_restart_fd(const struct ecu *e, short *events)
{
	*events = 0;
	if (!e->restart.in_progress || e->restart.req == NULL) return -1;
	return restart_fd(e->restart.req, events);
}

void ecu_restart_step(struct aps_plugin *pl, struct ecu *e, short revents, uint64_t now_ms)
{
	(void)pl;
	struct ecu_restart *r = &e->restart;
	if (!r->in_progress || r->req == NULL) return;

	enum restart_result res = restart_step(r->req, revents, now_ms);
	if (res == RESTART_PENDING) return;
	r->in_progress = false;

	const char *id = e->health.ecu_id, *label = e->poller.label;
	switch (res) {
	case RESTART_OK:
		mosquitto_log_printf(MOSQ_LOG_NOTICE, "aps-ecu: ECU %s at %s accepted the restart request", id, label);
		break;
	case RESTART_NOT_FOUND:
	case RESTART_REFUSED:
		/* Firmware updates removed this page on some units: stop asking. */
		r->given_up = true;
		mosquitto_log_printf(MOSQ_LOG_WARNING,
		                     "aps-ecu: ECU %s at %s cannot be restarted remotely (%s): power-cycle it; "
		                     "not trying again",
		                     id, label, restart_error(r->req));
		needs_power_cycle(e, "its web interface cannot restart it");
		break;
	default:
		if (restart_sent(r->req))
			mosquitto_log_printf(MOSQ_LOG_WARNING,
			                     "aps-ecu: ECU %s at %s got the restart request but gave no clear answer "
			                     "(%s): it may be rebooting",
			                     id, label, restart_error(r->req));
		else
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s at %s: restart request failed: %s", id,
			                     label, restart_error(r->req));
		break;
	}
	ecu_restart_close(e);
}

uint64_t ecu_restart_wait_ms(const struct ecu *e, uint64_t now_ms)
{
	return e->restart.in_progress && e->restart.req != NULL ? restart_wait_ms(e->restart.req, now_ms) : UINT64_MAX;
}

void ecu_restart_close(struct ecu *e)
{
	if (e->restart.req != NULL) restart_close(e->restart.req);
	aps_free(e->restart.req);
	e->restart.req = NULL;
	e->restart.in_progress = false;
}
