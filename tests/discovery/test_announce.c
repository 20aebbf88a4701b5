// SPDX-License-Identifier: MIT
/*
 * test_announce.c - when the plugin sends which discovery configs
 * (plugin/announce.c), against a stub broker that records every publish and
 * a clock the test moves: one config per device, nothing again without a
 * reason, everything again when Home Assistant comes back, a type change,
 * the tick's time budget, the bound on inverters remembered, and the
 * clearing of aps2mqtt's configs (clear_aps2mqtt_discovery) with its pause.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>

#include "aps_check.h"
#include "aps_plugin.h"

/* ---- the broker and the clock, as announce.c and publish.c see them ---- */

static unsigned devices, clears, others, warnings;
static char last_warning[300];
static uint64_t clock_ns = 1000000000u;

int mosquitto_broker_publish(const char *clientid, const char *topic, int payloadlen, void *payload, int qos,
                             bool retain, mosquitto_property *properties)
{
	(void)clientid;
	(void)qos;
	(void)properties;
	if (!retain) others++;
	else if (strncmp(topic, "homeassistant/device/", 21) == 0 && payloadlen > 0) devices++;
	else if (strncmp(topic, "homeassistant/", 14) == 0 && payloadlen == 0) clears++;
	else others++;
	free(payload);
	return MOSQ_ERR_SUCCESS;
}

void *mosquitto_malloc(size_t size) { return malloc(size); }
void mosquitto_free(void *ptr) { free(ptr); }

void mosquitto_log_printf(int level, const char *fmt, ...)
{
	if (level != MOSQ_LOG_WARNING) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	warnings++;
}

uint64_t aps_monotonic_ns(void) { return clock_ns; }

static void reset_counts(void) { devices = clears = others = warnings = 0; }

/* ---- an ECU whose last cycle reported n inverters, UIDs from first ---- */

static struct aps_plugin pl;
static struct ecu e;

static void setup(bool clear)
{
	announce_free(&e);
	memset(&e, 0, sizeof(e));
	aps_config_free(&pl.cfg);
	memset(&pl, 0, sizeof(pl));
	struct aps_config_opt opts[] = { { "ecu_host", "127.0.0.1" }, { "discovery", "true" },
	                                 { "clear_aps2mqtt_discovery", clear ? "true" : "false" } };
	char *no_env[] = { NULL };
	char why[256];
	if (aps_config_load(&pl.cfg, opts, 3, no_env, NULL, NULL, why, sizeof(why)) != 0) {
		printf("config: %s\n", why);
		exit(1);
	}
	snprintf(pl.status_topic, sizeof(pl.status_topic), "aps/status");
	pl.ecus = &e;
	pl.ecu_count = 1;
	strcpy(e.poller.info.ecu_id, "216200000001");
	e.state.data_valid = true;
	reset_counts();
}

static void report(unsigned n, unsigned long first, const char *type)
{
	static struct aps_inverter inverters[APS_MAX_RECORDS];
	for (unsigned i = 0; i < n; i++) {
		memset(&inverters[i], 0, sizeof(inverters[i]));
		snprintf(inverters[i].uid, sizeof(inverters[i].uid), "70%010lu", first + i);
		snprintf(inverters[i].type, sizeof(inverters[i].type), "%s", type);
		if (strcmp(type, "00") != 0) inverters[i].channels = inverters[i].voltages = 2;
	}
	e.poller.inverters = inverters;
	e.poller.inv.count = n;
	e.poller.have_inverters = true;
}

/* announce_cycle until it says done (each call as one tick); returns the calls. */
static int run(uint64_t deadline_ns)
{
	int calls = 1;
	while (!announce_cycle(&pl, &e, deadline_ns) && calls < 10000) calls++;
	return calls;
}

static void test_once_per_device(void)
{
	setup(false);
	report(80, 1, "01");
	CHECKF(run(UINT64_MAX) == 1, "one call");
	CHECKF(devices == 81 && clears == 0, "%u device configs, %u clears", devices, clears);

	reset_counts();
	CHECKF(run(UINT64_MAX) == 1 && devices == 0, "announced again without a reason: %u", devices);

	/* Home Assistant came back online. */
	announce_again(&pl);
	CHECKF(e.state.announce_pending, "not pending after announce_again");
	run(UINT64_MAX);
	CHECKF(devices == 81, "after Home Assistant's return: %u", devices);

	/* A never-seen inverter starts reporting: its config changes. */
	report(80, 1, "01");
	e.poller.inverters[5].type[0] = '0';
	e.poller.inverters[5].type[1] = '0';
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 1, "type change: %u configs", devices);
	e.poller.inverters[5].type[1] = '1';
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 1, "type change back: %u configs", devices);
	CHECKF(others == 0 && warnings == 0, "%u other messages, %u warnings", others, warnings);
}

static void test_time_budget(void)
{
	setup(false);
	report(80, 1, "01");
	/* Out of time from the start: one device per call, none twice. */
	int calls = run(0);
	CHECKF(devices == 81, "%u configs over the calls", devices);
	CHECKF(calls == 81, "%d calls, want one config per call", calls);
}

static void test_bound(void)
{
	setup(false);
	/* 80 new UIDs a cycle: damaged records, or a broken ECU. */
	unsigned long first = 1;
	unsigned announced = 0;
	for (int cycle = 0; cycle < 20; cycle++, first += 80) {
		report(80, first, "01");
		reset_counts();
		run(UINT64_MAX);
		announced += devices - (cycle == 0); /* the ECU's own config, once */
	}
	CHECKF(announced == APS_MAX_RECORDS, "%u inverters announced, want the bound %d", announced, APS_MAX_RECORDS);
	CHECKF(e.state.announced_count == APS_MAX_RECORDS, "%zu remembered", e.state.announced_count);
	/* Said once, when it was reached (not in each later cycle). */
	CHECKF(e.state.announced_full && strstr(last_warning, "not announced") != NULL, "%s", last_warning);
	reset_counts();
	report(80, first, "01");
	run(UINT64_MAX);
	CHECKF(devices == 0 && warnings == 0, "past the bound: %u configs, %u warnings", devices, warnings);
	/* Those already known are still followed. */
	report(80, 1, "00");
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 80, "known inverters changing type: %u", devices);
}

static void test_clear_aps2mqtt(void)
{
	setup(true);
	report(80, 1, "01");
	CHECKF(!announce_cycle(&pl, &e, UINT64_MAX), "done at once: no pause");
	/* 10 per-entity topics of the ECU, 13 per inverter (every panel it may have). */
	CHECKF(clears == 10 + 80 * 13 && devices == 0, "%u clears, %u configs", clears, devices);
	clock_ns += 900000000u;
	CHECKF(!announce_cycle(&pl, &e, UINT64_MAX), "done within the pause");
	CHECKF(clears == 10 + 80 * 13 && devices == 0, "more in the pause: %u clears, %u configs", clears, devices);
	clock_ns += 200000000u;
	CHECKF(announce_cycle(&pl, &e, UINT64_MAX), "not done after the pause");
	CHECKF(devices == 81 && clears == 10 + 80 * 13, "%u configs, %u clears", devices, clears);

	/* A newcomer later: its past cleared, then announced, with no pause. */
	report(81, 1, "01");
	reset_counts();
	CHECKF(announce_cycle(&pl, &e, UINT64_MAX), "a newcomer waits");
	CHECKF(clears == 13 && devices == 1, "newcomer: %u clears, %u configs", clears, devices);

	/* Home Assistant's return: configs again, the past is not cleared again. */
	announce_again(&pl);
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 82 && clears == 0, "again: %u configs, %u clears", devices, clears);

	/* Another ECU answers at the address: all of it is new. */
	announce_forget(&e);
	strcpy(e.poller.info.ecu_id, "216200000002");
	reset_counts();
	run(UINT64_MAX);
	CHECKF(clears == 10 + 81 * 13, "new ECU: %u clears", clears);
	clock_ns += 1100000000u;
	run(UINT64_MAX);
	CHECKF(devices == 82, "new ECU: %u configs", devices);
}

int main(void)
{
	test_once_per_device();
	test_time_budget();
	test_bound();
	test_clear_aps2mqtt();
	announce_free(&e);
	aps_config_free(&pl.cfg);
	return aps_check_report("test_announce");
}
