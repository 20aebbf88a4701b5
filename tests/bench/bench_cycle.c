// SPDX-License-Identifier: MIT
/*
 * bench_cycle - CPU time of one poll cycle's work, without sockets or broker.
 *
 * The replies of a synthetic installation (the simulator's own encoders) are
 * checked and parsed by the protocol code, run through the energy filter,
 * and published by the plugin's publish.c / announce.c into a stub
 * mosquitto_broker_publish that only counts and frees.  What is left out is
 * the broker's own work per message (measured by bench_rtt through a real
 * broker) and the socket calls (a few per request).
 *
 * usage: bench_cycle [--inverters N] [--iterations N] [--discovery first|steady|off]
 *                    [--parse-loop 0|1]
 * --parse-loop 0 leaves out the parse-only loop, so that instruction counts
 * (valgrind --tool=callgrind) of two runs differ by whole cycles only.
 * prints: cycle inverters=N discovery=M iterations=N messages=N bytes=N parse_us=X total_us=X
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "announce.h"
#include "clock.h"
#include "energy.h"
#include "poller.h"
#include "publish.h"
#include "sim_reply.h"

/* ---- the broker, as far as publish.c and announce.c see it ---- */

static unsigned long published, published_bytes;

int mosquitto_broker_publish(const char *clientid, const char *topic, int payloadlen, void *payload, int qos,
                             bool retain, mosquitto_property *properties)
{
	(void)clientid;
	(void)qos;
	(void)retain;
	(void)properties;
	published++;
	published_bytes += strlen(topic) + (unsigned long)payloadlen;
	free(payload);
	return MOSQ_ERR_SUCCESS;
}

/* Message expiry (publish.c): nothing to keep here. */
int mosquitto_property_add_int32(mosquitto_property **proplist, int identifier, uint32_t value)
{
	(void)proplist;
	(void)identifier;
	(void)value;
	return MOSQ_ERR_SUCCESS;
}
void mosquitto_property_free_all(mosquitto_property **proplist) { *proplist = NULL; }
void *mosquitto_malloc(size_t size) { return malloc(size); }
void mosquitto_free(void *ptr) { free(ptr); }
void mosquitto_log_printf(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

/* The plugin's clock (plugin/base/clock.h), read by announce.c for its time
 * budget (unlimited here) and for the pause between clearing the per-entity
 * configs of the past and the first device configs: a second passes at each reading, so that pause
 * costs no waiting here, only the work on each side of it. */
uint64_t aps_monotonic_ns(void)
{
	static uint64_t now;
	return now += 1000000000u;
}

/* ---- one cycle ---- */

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_cycle: %s\n", what);
	exit(1);
}

/* What conn.c and poller.c do with three replies: frame check, then parse. */
static void parse_replies(struct ecu_poller *p, const struct sim_install *si)
{
	struct aps_error err;
	if (aps_frame_check(si->ecu_reply, si->ecu_len, APS_CMD_ECU_INFO, &err) != (long)si->ecu_len ||
	    aps_parse_ecu_info(si->ecu_reply, si->ecu_len, &p->info, &err) != 0)
		die(err.reason);
	if (aps_frame_check(si->inverters_reply, si->inverters_len, APS_CMD_INVERTERS, &err) != (long)si->inverters_len ||
	    aps_parse_inverters(si->inverters_reply, si->inverters_len, &p->inv, p->inverters, p->inverters_cap, &err) != 0)
		die(err.reason);
	p->have_inverters = true;
	if (aps_frame_check(si->signal_reply, si->signal_len, APS_CMD_SIGNAL, &err) != (long)si->signal_len ||
	    aps_parse_signal(si->signal_reply, si->signal_len, p->signals, p->signals_cap, &p->signal_count, &err) != 0)
		die(err.reason);
	p->have_signal = true;
}

/* What tick.c does with them: the cycle's time, the energy filter, then
 * discovery, the states and the diagnostics. */
static void publish_replies(const struct announce_settings *as, struct announcer *a, struct energy_filter *f,
                            const struct ecu_poller *p, uint64_t n)
{
	struct aps_cycle_time when;
	aps_cycle_time(&p->info, &p->inv, NULL, &when);
	const struct aps_time *t = &when.local;
	struct energy_reading r = {
		.year = t->year, .month = t->month, .day = t->day, .hour = t->hour, .minute = t->minute,
		.second = t->second, .now_s = (int64_t)n, .today_raw = p->info.today_energy_raw,
		.lifetime_raw = p->info.lifetime_energy_raw, .power_w = p->info.current_power_w,
	};
	struct energy_result energy;
	energy_filter_update(f, &r, &energy);
	if (!announce_cycle(a, as, &p->info, p->inverters, p->inv.count, UINT64_MAX)) die("discovery left unfinished");
	const struct aps_ecu_values values = { p->info.current_power_w, energy.publish_today, energy.today_raw,
		                               energy.publish_lifetime, energy.lifetime_raw };
	const struct aps_cycle cycle = { .info = &p->info, .inv = &p->inv, .inverters = p->inverters,
		                         .signals = p->signals, .signal_count = p->signal_count,
		                         .time = &when, .values = &values };
	publish_cycle("", &cycle, false, 0);
	const struct publish_diag d = { (int64_t)n, 100, 0, "", false, DIAG_ABSENT, DIAG_ABSENT };
	publish_diagnostics("", p->info.ecu_id, &d, false);
}

int main(int argc, char **argv)
{
	unsigned inverters = 80;
	unsigned long iterations = 2000;
	const char *discovery = "steady";
	bool parse_loop = true;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--inverters") == 0) inverters = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--iterations") == 0) iterations = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--discovery") == 0) discovery = argv[i + 1];
		else if (strcmp(argv[i], "--parse-loop") == 0) parse_loop = strcmp(argv[i + 1], "0") != 0;
		else die("usage: bench_cycle [--inverters N] [--iterations N] [--discovery first|steady|off]");
	}
	bool announce_each = strcmp(discovery, "first") == 0;
	if (iterations == 0 || (!announce_each && strcmp(discovery, "steady") != 0 && strcmp(discovery, "off") != 0))
		die("bad arguments");

	static struct sim_install si; /* three reply buffers: not for the stack */
	char why[256];
	if (sim_install_init(&si, NULL, inverters, 0, why, sizeof(why)) != 0) die(why);
	sim_install_refresh(&si, 1782043200 /* 2026-06-21 12:00 UTC: all online */, false);

	const struct announce_settings as = {
		.discovery = strcmp(discovery, "off") != 0,
		.ctx = { .discovery_prefix = "homeassistant", .topic_base = "", .status_topic = "aps/status",
		         .origin_sw = APS_VERSION },
	};
	struct announcer *a = announce_new();
	static struct energy_filter filter;
	static struct ecu_poller poller;
	struct ecu_poller *p = &poller;
	if (!a) die("out of memory");
	poller_init(p, "127.0.0.1", 8899, 0);
	energy_filter_init(&filter);
	p->inverters_cap = si.inverters_len / 9 + 1;
	p->inverters = calloc(p->inverters_cap, sizeof(*p->inverters));
	p->signals_cap = si.signal_len / 7 + 1;
	p->signals = calloc(p->signals_cap, sizeof(*p->signals));
	if (!p->inverters || !p->signals) die("out of memory");

	/* First cycle outside the clock: discovery goes out once, allocations settle. */
	parse_replies(p, &si);
	publish_replies(&as, a, &filter, p, 0);
	unsigned long first_messages = published;

	uint64_t t0 = cpu_ns();
	for (unsigned long i = 0; parse_loop && i < iterations; i++) parse_replies(p, &si);
	uint64_t parse_ns = cpu_ns() - t0;

	published = published_bytes = 0;
	t0 = cpu_ns();
	for (unsigned long i = 0; i < iterations; i++) {
		if (announce_each) {
			/* Every device new again: its past cleared, its config sent. */
			announce_forget(a);
		}
		parse_replies(p, &si);
		publish_replies(&as, a, &filter, p, i + 1);
	}
	uint64_t total_ns = cpu_ns() - t0;

	printf("cycle inverters=%u discovery=%s iterations=%lu first_cycle_messages=%lu messages=%lu bytes=%lu "
	       "parse_us=%.2f total_us=%.2f\n",
	       inverters, discovery, iterations, first_messages, published / iterations, published_bytes / iterations,
	       (double)parse_ns / 1e3 / (double)iterations, (double)total_ns / 1e3 / (double)iterations);

	announce_free(a);
	poller_free(p);
	sim_install_free(&si);
	return 0;
}
