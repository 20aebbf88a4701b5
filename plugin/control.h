// SPDX-License-Identifier: MIT
/*
 * control.h - commands from MQTT to an ECU's web pages (control true only):
 * each command is read and checked as it arrives (policy/control_cmd.h),
 * queued per ECU, sent 10 s apart on the ECU's one HTTP exchange (net/http.h)
 * from the tick, and answered on P aps/<ECU>/cmd/result.  What the plugin
 * knows of each inverter goes to P aps/<ECU>/<UID>/status, of the ECU-C's
 * export settings to P aps/<ECU>/control, its CT meter to P aps/<ECU>/meter.
 * Whether the pages answer at all is probed at start, every few hours and
 * after a failed command (control_available in the diagnostics).
 *
 * Polling goes on throughout: the exchange is another socket of the tick,
 * and a restart (ecu_restart.h) goes first when both want the ECU's pages.
 */
#ifndef APS_CONTROL_H
#define APS_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

struct aps_plugin;
struct ecu;
struct publish_diag;
struct mosquitto_evt_message;

/* How often the pages are probed while nothing fails. */
#define CONTROL_PROBE_INTERVAL_MS (3u * 3600u * 1000u)
/* The ECU's pages are slow; a command's whole exchange. */
#define CONTROL_HTTP_TIMEOUT_MS 10000u
/* After an inverter was switched off, its replies may show power for this
 * long (the ECU: "See the results 5 minutes later !"): no read-back before. */
#define CONTROL_SETTLE_MS (10u * 60u * 1000u)

/* Test-only overrides of the spacing between commands and of the probe
 * interval, in milliseconds (undocumented; the tests of the defaults run
 * without them). */
#define CONTROL_TEST_SPACING_ENV "APS_ECU_TEST_CONTROL_SPACING_MS"
#define CONTROL_TEST_PROBE_ENV "APS_ECU_TEST_CONTROL_PROBE_MS"

/* Allocates each ECU's control state when control is on.  Returns 0, or -1
 * without memory. */
int control_init(struct aps_plugin *pl);
void control_close(struct ecu *e);

/* A client's publish (MOSQ_EVT_MESSAGE): acts on it when it is a command of
 * ours; returns at once otherwise. */
void control_on_message(struct aps_plugin *pl, const struct mosquitto_evt_message *msg);

/* After a good cycle was published: read-back from the inverters' replies,
 * the meter read (ECU-C) and the first probe are due. */
void control_after_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms);

/* The exchange's socket for the tick's poll(), -1 when none. */
int control_fd(const struct ecu *e, short *events);
/* Moves the ECU's exchange on, starts the next due one.  Returns whether
 * there was anything to do. */
bool control_step(struct aps_plugin *pl, struct ecu *e, short revents, uint64_t now_ms);
/* Milliseconds until control_step() must run again, UINT64_MAX when never
 * (nor while a restart holds the ECU's pages: its end wakes the tick). */
uint64_t control_wait_ms(const struct ecu *e, uint64_t now_ms);
/* Whether an exchange of ours holds the ECU's pages (a restart waits). */
bool control_busy(const struct ecu *e);

/* Whether a capability changed since last asked (the diagnostics then go
 * out again); asking clears it. */
bool control_diag_due(struct ecu *e);
/* The diagnostics' control_available / meter_available for this ECU. */
void control_diag(const struct ecu *e, struct publish_diag *d);

#endif
