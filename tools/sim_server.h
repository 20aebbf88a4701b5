// SPDX-License-Identifier: MIT
/* sim_server.h - the poll() loop of `aps-ecu simulate`. */
#ifndef APS_SIM_SERVER_H
#define APS_SIM_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sim_fault.h"
#include "sim_replay.h"
#include "sim_reply.h"
#include "sim_web.h"

struct sim_config {
	const char *bind_addr;     /* numeric IPv4 or IPv6 address */
	unsigned port;             /* 0: any free port */
	const char *port_file;     /* NULL: none */
	const char *control_path;  /* NULL: none */
	bool quiet;

	struct sim_replay *replay;    /* exactly one of replay ... */
	struct sim_install *install;  /* ... and install is set */
	time_t sim_start;             /* UTC sim time at start */
	unsigned speed;               /* sim seconds per real second; 0 counts as 1 */
	const char *truth_path;       /* NULL: none; else the true energy, rewritten at each refresh */

	struct sim_fault fault;
	int64_t fault_after_ms;
	int64_t fault_for_ms;      /* < 0: for ever */

	const struct sim_web_config *web; /* NULL: no web pages (needs install) */
};

/* Serves until SIGINT or SIGTERM.  Returns 0, or 1 when it cannot listen. */
int sim_server_run(const struct sim_config *cfg);

/* Log lines on stderr (sim_log.c): sim_log is silenced by quiet, sim_warn is not. */
void sim_log_start(bool quiet);
void sim_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
