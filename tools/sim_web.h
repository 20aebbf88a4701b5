// SPDX-License-Identifier: MIT
/* sim_web.h - the simulated ECU's web pages (`aps-ecu simulate --http-port`):
 * the control pages of an ECU-R-PRO (id 2162...) or ECU-C (215...), the
 * ECU-C's meter graph, their state, and the web side's faults.  Served from
 * sim_server.c's poll() loop: single-threaded, no socket ever blocks. */
#ifndef APS_SIM_WEB_H
#define APS_SIM_WEB_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sim_reply.h"

enum sim_web_fault {
	SIM_WEB_OK,
	SIM_WEB_NOTFOUND, /* every page answers 404, as firmware without the pages */
	SIM_WEB_REFUSE,   /* the port is not listened: connections are refused */
	SIM_WEB_SLOW,     /* every answer waits arg seconds */
	SIM_WEB_GARBAGE,  /* every page answers 200 with bytes that are none of its formats */
	SIM_WEB_OVERSIZE, /* every page answers 200 with 1 MiB */
};
#define SIM_WEB_FAULTS "none, notfound, refuse, slow[:S], garbage, oversize"

struct sim_web_fault_spec {
	enum sim_web_fault mode;
	unsigned arg; /* slow: seconds (default 20) */
};

/* "none", "notfound", "slow:5" ...: 0, or -1 when it is none of them. */
int sim_web_fault_parse(const char *text, struct sim_web_fault_spec *out);

struct sim_web_config {
	const char *bind_addr;       /* numeric IPv4 or IPv6 */
	unsigned port;               /* 0: any free port */
	const char *port_file;       /* NULL: none; the bound port, once listening */
	const char *state_path;      /* NULL: none; the web state as JSON, rewritten on each change */
	const char *control_path;    /* NULL: none; while it exists its first line replaces fault */
	struct sim_web_fault_spec fault;
};

struct sim_web_conn;

struct sim_web {
	struct sim_web_config cfg;
	struct sim_install *install;
	bool has_pages;              /* ECU-R-PRO or ECU-C: else the port is never listened */
	bool has_meter;              /* ECU-C */
	int listen_fd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct sim_web_conn *conns;
	size_t conn_count, conn_cap;
	struct sim_web_fault_spec fault;   /* in force */
	int64_t next_control_check_ms;
	bool zero_export;
	unsigned power_limit_w;
	unsigned reboots;                  /* set_wlan_ap requests accepted */
	unsigned commands;                 /* control requests accepted */
	/* The meter graph: a point per refresh slot of today, oldest first. */
	struct sim_web_point { int64_t time_ms; int32_t production[3], grid[3]; } *points;
	size_t point_count;
	time_t points_day;
	time_t last_slot;
};

/* Listens (unless the ECU model has no pages, or the fault refuses).
 * Returns 0, or -1 with why set. */
int sim_web_open(struct sim_web *w, const struct sim_web_config *cfg, struct sim_install *install, char *why,
                 size_t why_cap);
void sim_web_close(struct sim_web *w);

/* Appends the web side's descriptors to pfds (at most sim_web_pollfd_max()),
 * returns how many. */
size_t sim_web_pollfd_max(const struct sim_web *w);
size_t sim_web_fill(struct sim_web *w, struct pollfd *pfds, int64_t now_ms);
/* Serves what poll() reported on those descriptors (n as returned by fill),
 * then whatever is due.  The caller refreshes the installation (and calls
 * sim_web_note_refresh) first, so that the meter graph is of now. */
void sim_web_serve(struct sim_web *w, const struct pollfd *pfds, size_t n, int64_t now_ms);
/* The next time something is due (ms since start), or -1. */
int64_t sim_web_next_event(const struct sim_web *w, int64_t now_ms);

/* Notes the installation's present refresh slot in the meter graph (called
 * after each sim_install_refresh). */
void sim_web_note_refresh(struct sim_web *w);

#endif
