// SPDX-License-Identifier: MIT
/* simulate.c - `aps-ecu simulate`: an APsystems ECU on TCP, for tests,
 * benchmarks and demos.  Options here; the loop is in sim_server.c. */
#define _DEFAULT_SOURCE /* timegm */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "sim_server.h"

static void usage(FILE *out)
{
	fputs("usage: aps-ecu simulate --port P [--bind ADDR] [--port-file FILE]\n"
	      "                        (--replay DIR | --inverters N [--unseen K] [--ecu-id ID]\n"
	      "                                        [--start YYYY-MM-DDTHH:MM] [--speed N]\n"
	      "                                        [--truth FILE])\n"
	      "                        [--fault MODE[:ARG]] [--fault-after S] [--fault-for S]\n"
	      "                        [--control FILE] [--quiet]\n"
	      "                        [--http-port P [--http-port-file FILE] [--http-fault MODE]\n"
	      "                                       [--http-control FILE] [--http-state FILE]]\n"
	      "\n"
	      "Answers the APsystems ECU requests 0001 (ECU info), 0002 (inverters) and 0030\n"
	      "(signal) on TCP, one request per connection, closing after each reply.\n"
	      "\n"
	      "  --port P          TCP port; 0 picks a free one\n"
	      "  --bind ADDR       numeric address to listen on (default 127.0.0.1)\n"
	      "  --port-file FILE  write the port number and a newline to FILE once listening\n"
	      "  --replay DIR      answer with DIR/ecu.hex (then ecu.2.hex, ecu.3.hex ... in turn),\n"
	      "                    DIR/inverters.hex and DIR/signal.hex, byte for byte; without\n"
	      "                    ecu.hex an ECU info reply is built from the inverter reply,\n"
	      "                    without signal.hex the signal request is closed unanswered\n"
	      "  --inverters N     a synthetic installation of N (1..1000) DS3/QS1/QT2 inverters\n"
	      "  --unseen K        plus K registered inverters that never reported (type 00)\n"
	      "  --ecu-id ID       12-digit ECU id (default 216200000001, or 216300000001 for a\n"
	      "                    replay without ecu.hex)\n"
	      "  --start T         sim time at start, UTC (default: now); it runs at real speed and\n"
	      "                    the data changes every 5 minutes of it, like a real ECU's\n"
	      "  --speed N         sim time runs N times faster than real time (default 1)\n"
	      "  --truth FILE      at each refresh, write the true energy of the daylight curve\n"
	      "                    (kWh today, per inverter and per panel) to FILE as JSON\n"
	      "  --fault MODE      misbehave (see below)\n"
	      "  --fault-after S   start the fault S seconds after start (default 0)\n"
	      "  --fault-for S     end the fault S seconds after it started (default: never)\n"
	      "  --control FILE    while FILE exists its first line (a MODE, or 'none') replaces\n"
	      "                    --fault; re-read at most every 100 ms\n"
	      "  --quiet           no log line per connection\n"
	      "\n"
	      "Fault modes:\n"
	      "  refuse            listener closed: connections are refused\n"
	      "  hang              read the request, never answer, close only when the client does\n"
	      "  drip[:MS]         send the reply one byte every MS ms (default 1000)\n"
	      "  truncate          send the first half of the reply, then close (FIN)\n"
	      "  garbage           send 64 KiB of noise not starting with APS, then close\n"
	      "  oversize          send APS11 9999 <command> and noise, 20000 bytes, then close\n"
	      "  badlength         the reply with a non-digit in its length field\n"
	      "  badsig            the reply with 'X' as its first byte\n"
	      "  badcmd            the reply with command code 0003\n"
	      "  reset             send the first half of the reply, then abort (RST)\n"
	      "  reboot[:S]        listener closed for S seconds (default 30), then healthy\n"
	      "  night             all inverters offline, as at night (synthetic installation only)\n"
	      "  mutate[:SEED]     each reply damaged at random (bit flips, bytes inserted or\n"
	      "                    deleted, truncation, length and count fields, type codes,\n"
	      "                    END moved), one in four sent whole; the same SEED (default 1)\n"
	      "                    and the same requests give the same bytes\n"
	      "\n"
	      "The ECU's web pages (with --inverters; on the --bind address):\n"
	      "  --http-port P       serve the control pages of an ECU-R-PRO (--ecu-id 2162...) or\n"
	      "                      ECU-C (215...): set_switch_state, set_maxpower, set_wlan_ap, and\n"
	      "                      on an ECU-C set_meter_display_funcs and the meter graph\n"
	      "                      old_meter_power_graph; any other ECU id refuses connections,\n"
	      "                      like an ECU-B or ECU-R (2160).  An inverter switched off reports\n"
	      "                      0 W, a max power caps each of its channels, from the next\n"
	      "                      refresh (every 5 minutes of sim time) on; a GET of a control\n"
	      "                      page answers 200 and changes nothing; 0 picks a free port\n"
	      "  --http-port-file FILE  write the web port and a newline to FILE once listening\n"
	      "  --http-fault MODE   the web pages misbehave: " SIM_WEB_FAULTS "\n"
	      "                      (notfound: 404 for every page, as firmware without them;\n"
	      "                      refuse: port closed; slow[:S]: each answer after S seconds,\n"
	      "                      default 20; garbage: 200 with noise; oversize: 200 with 1 MiB)\n"
	      "  --http-control FILE while FILE exists its first line (a MODE, or none) replaces\n"
	      "                      --http-fault; re-read at most every 100 ms\n"
	      "  --http-state FILE   what the pages were told, as JSON, rewritten on each change:\n"
	      "                      {\"zero_export\", \"power_limit\", \"reboots\", \"commands\",\n"
	      "                      \"inverters\": {uid: {\"power\": \"ON\"|\"OFF\", \"max_power\": W}}}\n"
	      "\n"
	      "Runs until SIGINT or SIGTERM.\n", out);
}

static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
	if (!s || *s < '0' || *s > '9') return -1;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max) return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, int64_t *ms)
{
	if (!s || !((*s >= '0' && *s <= '9') || *s == '.')) return -1;
	char *end;
	double v = strtod(s, &end);
	if (*end != '\0' || !(v >= 0 && v <= 1e7)) return -1;
	*ms = (int64_t)(v * 1000 + 0.5);
	return 0;
}

static int parse_start(const char *s, time_t *out)
{
	int year, month, day, hour, minute;
	char tail;
	/* NOLINTNEXTLINE(cert-err34-c): the widths keep every number within 4 digits. */
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &year, &month, &day, &hour, &minute, &tail) != 5)
		return -1;
	if (year < 2000 || year > 2099 || hour > 23 || minute > 59) return -1;
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
	                .tm_hour = hour, .tm_min = minute};
	time_t t = timegm(&tm);
	/* timegm normalises 31 April into 1 May: reject what it had to fix. */
	struct tm back;
	if (!gmtime_r(&t, &back) || back.tm_mon != month - 1 || back.tm_mday != day) return -1;
	*out = t;
	return 0;
}

static bool valid_ecu_id(const char *id)
{
	if (strlen(id) != 12) return false;
	for (const char *c = id; *c; c++)
		if (*c < '0' || *c > '9') return false;
	return true;
}

static int bad_option(const char *opt, const char *value, const char *want)
{
	fprintf(stderr, "aps-ecu simulate: %s %s: %s\n", opt, value ? value : "(missing)", want);
	return 2;
}

int aps_simulate_main(int argc, char **argv)
{
	struct sim_config cfg = {.bind_addr = "127.0.0.1", .fault_for_ms = -1};
	struct sim_web_config web = {0};
	bool have_web = false;
	const char *replay_dir = NULL, *ecu_id = NULL, *start = NULL;
	unsigned inverters = 0, unseen = 0;
	bool have_port = false, have_inverters = false;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(opt, "--quiet") == 0) {
			cfg.quiet = true;
			continue;
		}
		if (!val) return bad_option(opt, NULL, "needs a value (see --help)");
		i++;
		if (strcmp(opt, "--port") == 0) {
			if (parse_uint(val, 65535, &cfg.port) != 0) return bad_option(opt, val, "want 0..65535");
			have_port = true;
		} else if (strcmp(opt, "--bind") == 0) {
			cfg.bind_addr = val;
		} else if (strcmp(opt, "--port-file") == 0) {
			cfg.port_file = val;
		} else if (strcmp(opt, "--replay") == 0) {
			replay_dir = val;
		} else if (strcmp(opt, "--inverters") == 0) {
			if (parse_uint(val, SIM_INVERTERS_MAX, &inverters) != 0 || inverters == 0)
				return bad_option(opt, val, "want 1..1000");
			have_inverters = true;
		} else if (strcmp(opt, "--unseen") == 0) {
			if (parse_uint(val, APS_MAX_RECORDS, &unseen) != 0)
				return bad_option(opt, val, "want a record count");
		} else if (strcmp(opt, "--ecu-id") == 0) {
			if (!valid_ecu_id(val)) return bad_option(opt, val, "want 12 digits");
			ecu_id = val;
		} else if (strcmp(opt, "--start") == 0) {
			if (parse_start(val, &cfg.sim_start) != 0)
				return bad_option(opt, val, "want YYYY-MM-DDTHH:MM (UTC, 2000..2099)");
			start = val;
		} else if (strcmp(opt, "--speed") == 0) {
			if (parse_uint(val, 100000, &cfg.speed) != 0 || cfg.speed == 0)
				return bad_option(opt, val, "want 1..100000");
		} else if (strcmp(opt, "--truth") == 0) {
			cfg.truth_path = val;
		} else if (strcmp(opt, "--fault") == 0) {
			if (sim_fault_parse(val, &cfg.fault) != 0)
				return bad_option(opt, val, "want one of " SIM_FAULT_MODES);
		} else if (strcmp(opt, "--fault-after") == 0) {
			if (parse_seconds(val, &cfg.fault_after_ms) != 0) return bad_option(opt, val, "want seconds");
		} else if (strcmp(opt, "--fault-for") == 0) {
			if (parse_seconds(val, &cfg.fault_for_ms) != 0) return bad_option(opt, val, "want seconds");
		} else if (strcmp(opt, "--control") == 0) {
			cfg.control_path = val;
		} else if (strcmp(opt, "--http-port") == 0) {
			if (parse_uint(val, 65535, &web.port) != 0) return bad_option(opt, val, "want 0..65535");
			have_web = true;
		} else if (strcmp(opt, "--http-port-file") == 0) {
			web.port_file = val;
		} else if (strcmp(opt, "--http-fault") == 0) {
			if (sim_web_fault_parse(val, &web.fault) != 0)
				return bad_option(opt, val, "want one of " SIM_WEB_FAULTS);
		} else if (strcmp(opt, "--http-control") == 0) {
			web.control_path = val;
		} else if (strcmp(opt, "--http-state") == 0) {
			web.state_path = val;
		} else {
			fprintf(stderr, "aps-ecu simulate: unknown option %s (see --help)\n", opt);
			return 2;
		}
	}
	if (!have_port) {
		fprintf(stderr, "aps-ecu simulate: give a port to listen on: --port P (8899 is a real ECU's; "
		                "0 picks a free one)\n");
		return 2;
	}
	if (!replay_dir == !have_inverters) {
		fprintf(stderr, "aps-ecu simulate: give exactly one of --replay DIR and --inverters N\n");
		return 2;
	}
	if (replay_dir && (unseen || start || have_web)) {
		fprintf(stderr, "aps-ecu simulate: --unseen, --start and --http-port need --inverters\n");
		return 2;
	}
	if (!have_web && (web.port_file || web.fault.mode != SIM_WEB_OK || web.control_path || web.state_path)) {
		fprintf(stderr, "aps-ecu simulate: the --http-* options need --http-port\n");
		return 2;
	}
	if (have_web) {
		web.bind_addr = cfg.bind_addr;
		cfg.web = &web;
	}

	sim_log_start(cfg.quiet);
	char why[256];
	int rc;
	if (replay_dir) {
		static struct sim_replay replay;
		if (sim_replay_load(&replay, replay_dir, ecu_id, why, sizeof why) != 0) {
			fprintf(stderr, "aps-ecu simulate: %s\n", why);
			return 1;
		}
		cfg.replay = &replay;
		rc = sim_server_run(&cfg);
		sim_replay_free(&replay);
	} else {
		static struct sim_install install; /* three reply buffers: not for the stack */
		if (sim_install_init(&install, ecu_id, inverters, unseen, why, sizeof why) != 0) {
			fprintf(stderr, "aps-ecu simulate: %s\n", why);
			return 2;
		}
		if (!start) cfg.sim_start = time(NULL);
		cfg.install = &install;
		rc = sim_server_run(&cfg);
		sim_install_free(&install);
	}
	return rc;
}
