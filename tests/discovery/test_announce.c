// SPDX-License-Identifier: MIT
/*
 * test_announce.c - when the plugin sends which discovery configs
 * (plugin/mqtt/announce.c), against a stub broker that records every publish and
 * a clock the test moves: one config per device, nothing again without a
 * reason, everything again when Home Assistant comes back, a type change,
 * the tick's time budget, the bound on inverters remembered, and the
 * hand-over of aps2mqtt's configs (migrate_aps2mqtt_discovery): migrate
 * messages, device configs, clears, each step MIGRATION_STEP_NS apart.
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
#include "announce.h"
#include "clock.h"

/* ---- the broker and the clock, as announce.c and publish.c see them ---- */

static unsigned devices, clears, handovers, others, warnings;
/* Device configs with the inverter's power switch, and with its removal. */
static unsigned with_switch, removing_switch;
static char last_warning[300];
static uint64_t clock_ns = 1000000000u;

int mosquitto_broker_publish(const char *clientid, const char *topic, int payloadlen, void *payload, int qos,
                             bool retain, mosquitto_property *properties)
{
	(void)clientid;
	(void)qos;
	(void)properties;
	if (!retain) others++;
	else if (strncmp(topic, "homeassistant/device/", 21) == 0 && payloadlen > 0) {
		devices++;
		char *text = strndup(payload, (size_t)payloadlen);
		if (text && strstr(text, "\"power_switch\":{\"p\":\"switch\",")) with_switch++;
		if (text && strstr(text, "\"power_switch\":{\"p\":\"switch\"}")) removing_switch++;
		free(text);
	}
	else if (strncmp(topic, "homeassistant/", 14) == 0 && payloadlen == 0) clears++;
	else if (strncmp(topic, "homeassistant/", 14) == 0 && (size_t)payloadlen == strlen(DISCOVERY_MIGRATE_PAYLOAD) &&
	         memcmp(payload, DISCOVERY_MIGRATE_PAYLOAD, (size_t)payloadlen) == 0)
		handovers++;
	else others++;
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
	if (level != MOSQ_LOG_WARNING) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	warnings++;
}

uint64_t aps_monotonic_ns(void) { return clock_ns; }

static void reset_counts(void) { devices = clears = handovers = others = warnings = with_switch = removing_switch = 0; }

/* ---- an ECU whose last cycle reported n inverters, UIDs from first ---- */

static struct announcer *a;
static struct announce_settings settings;
static struct aps_ecu_info info;
static struct aps_inverter *reported;
static size_t reported_count;

static void setup(bool clear)
{
	announce_free(a);
	a = announce_new();
	settings = (struct announce_settings){
		.discovery = true, .migrate = clear,
		.ctx = { .discovery_prefix = "homeassistant", .topic_base = "", .status_topic = "aps/status" },
	};
	memset(&info, 0, sizeof(info));
	strcpy(info.ecu_id, "216200000001");
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
	reported = inverters;
	reported_count = n;
}

/* One tick's call, on what the last cycle reported. */
static bool cycle(uint64_t deadline_ns)
{
	return announce_cycle(a, &settings, &info, reported, reported_count, deadline_ns);
}

static size_t remembered(bool *full)
{
	return announce_known(a, full);
}

/* announce_cycle until it says done (each call as one tick); returns the calls. */
static int run(uint64_t deadline_ns)
{
	int calls = 1;
	while (!cycle(deadline_ns) && calls < 10000) calls++;
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
	bool pending = announce_again(a, &settings);
	CHECKF(pending, "not pending after announce_again");
	run(UINT64_MAX);
	CHECKF(devices == 81, "after Home Assistant's return: %u", devices);

	/* A never-seen inverter starts reporting: its config changes. */
	report(80, 1, "01");
	reported[5].type[0] = '0';
	reported[5].type[1] = '0';
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 1, "type change: %u configs", devices);
	reported[5].type[1] = '1';
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 1, "type change back: %u configs", devices);
	CHECKF(others == 0 && warnings == 0, "%u other messages, %u warnings", others, warnings);
}

/* Capabilities (control.c): the configs go out again with the control
 * entities, then without them (each removed once by its platform alone). */
static void test_features(void)
{
	setup(false);
	report(3, 1, "01");
	run(UINT64_MAX);
	CHECKF(devices == 4 && with_switch == 0, "%u configs, %u with a switch", devices, with_switch);
	CHECKF(!announce_set_features(a, 0), "no change reported as one");
	CHECKF(announce_set_features(a, DISCOVERY_CONTROL), "features not changed");
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 4 && with_switch == 3 && removing_switch == 0, "%u configs, %u switches", devices,
	       with_switch);
	CHECKF(announce_set_features(a, 0), "features not changed");
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 4 && with_switch == 0 && removing_switch == 3, "%u configs, %u removals", devices,
	       removing_switch);
	/* Removed once: Home Assistant's return sends them without. */
	announce_again(a, &settings);
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 4 && with_switch == 0 && removing_switch == 0, "%u configs, %u removals again", devices,
	       removing_switch);
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
	bool full;
	size_t known = remembered(&full);
	CHECKF(known == APS_MAX_RECORDS, "%zu remembered", known);
	/* Said once, when it was reached (not in each later cycle). */
	CHECKF(full && strstr(last_warning, "not announced") != NULL, "%s", last_warning);
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

#define STEP_NS 5000000000u /* MIGRATION_STEP_NS */
#define ECU_TOPICS 3            /* aps2mqtt's: power, today_energy, lifetime_energy */
#define INVERTER_TOPICS 13      /* online, 5 measurements, every panel it may have */

static void test_migrate_aps2mqtt(void)
{
	setup(true);
	report(80, 1, "01");
	/* Step 1: the hand-over, nothing else. */
	CHECKF(!cycle(UINT64_MAX), "done at once: no pause");
	CHECKF(handovers == ECU_TOPICS + 80 * INVERTER_TOPICS && devices == 0 && clears == 0,
	       "step 1: %u hand-overs, %u configs, %u clears", handovers, devices, clears);
	clock_ns += STEP_NS - 1;
	CHECKF(!cycle(UINT64_MAX), "done within the first pause");
	CHECKF(devices == 0 && clears == 0, "in the first pause: %u configs, %u clears", devices, clears);
	/* Step 2: the device configs, then a pause again. */
	clock_ns += 1;
	CHECKF(!cycle(UINT64_MAX), "done without the second pause");
	CHECKF(devices == 81 && clears == 0, "step 2: %u configs, %u clears", devices, clears);
	clock_ns += STEP_NS - 1;
	CHECKF(!cycle(UINT64_MAX), "done within the second pause");
	CHECKF(devices == 81 && clears == 0, "in the second pause: %u configs, %u clears", devices, clears);
	/* Step 3: the old topics cleared, the configs once more (see announce.c). */
	clock_ns += 1;
	CHECKF(cycle(UINT64_MAX), "not done after step 3");
	CHECKF(clears == ECU_TOPICS + 80 * INVERTER_TOPICS && devices == 2 * 81,
	       "step 3: %u clears, %u configs", clears, devices);
	CHECKF(handovers == ECU_TOPICS + 80 * INVERTER_TOPICS && warnings == 0, "%u hand-overs, %u warnings",
	       handovers, warnings);
	reset_counts();
	CHECKF(cycle(UINT64_MAX) && devices + clears + handovers == 0,
	       "done, then sent again: %u configs, %u clears, %u hand-overs", devices, clears, handovers);

	/* A newcomer later: the same three steps for it alone. */
	report(81, 1, "01");
	reset_counts();
	CHECKF(!cycle(UINT64_MAX), "a newcomer is announced at once");
	CHECKF(handovers == INVERTER_TOPICS && devices == 0, "newcomer: %u hand-overs, %u configs", handovers, devices);
	clock_ns += STEP_NS;
	CHECKF(!cycle(UINT64_MAX) && devices == 1, "newcomer: %u configs", devices);
	clock_ns += STEP_NS;
	CHECKF(cycle(UINT64_MAX), "newcomer: not done");
	CHECKF(clears == INVERTER_TOPICS && devices == 2 && handovers == INVERTER_TOPICS,
	       "newcomer: %u clears, %u configs, %u hand-overs", clears, devices, handovers);

	/* Home Assistant's return: configs again, the past is not touched again. */
	announce_again(a, &settings);
	reset_counts();
	run(UINT64_MAX);
	CHECKF(devices == 82 && clears == 0 && handovers == 0, "again: %u configs, %u clears, %u hand-overs", devices,
	       clears, handovers);

	/* Another ECU answers at the address: all of it is new. */
	announce_forget(a);
	strcpy(info.ecu_id, "216200000002");
	reset_counts();
	run(UINT64_MAX);
	CHECKF(handovers == ECU_TOPICS + 81 * INVERTER_TOPICS && devices == 0, "new ECU: %u hand-overs, %u configs",
	       handovers, devices);
	clock_ns += STEP_NS;
	run(UINT64_MAX);
	clock_ns += STEP_NS;
	run(UINT64_MAX);
	CHECKF(devices == 2 * 82 && clears == ECU_TOPICS + 81 * INVERTER_TOPICS, "new ECU: %u configs, %u clears",
	       devices, clears);
}

/* Out of time at every call: each step still moves on, one device a call. */
static void test_migrate_time_budget(void)
{
	setup(true);
	report(80, 1, "01");
	int calls = 0;
	while (handovers < ECU_TOPICS + 80 * INVERTER_TOPICS && calls < 10000) {
		cycle(0);
		calls++;
	}
	CHECKF(handovers == ECU_TOPICS + 80 * INVERTER_TOPICS && devices == 0, "%u hand-overs, %u configs", handovers,
	       devices);
	CHECKF(calls == 81, "%d calls for step 1, want one device a call", calls);
	clock_ns += STEP_NS;
	run(0);
	CHECKF(devices == 81 && clears == 0, "step 2 over the calls: %u configs", devices);
	clock_ns += STEP_NS;
	run(0);
	CHECKF(clears == ECU_TOPICS + 80 * INVERTER_TOPICS && devices == 2 * 81, "step 3 over the calls: %u clears",
	       clears);
}

int main(void)
{
	test_features();
	test_once_per_device();
	test_time_budget();
	test_bound();
	test_migrate_aps2mqtt();
	test_migrate_time_budget();
	announce_free(a);
	return aps_check_report("test_announce");
}
