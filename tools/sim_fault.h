// SPDX-License-Identifier: MIT
/* sim_fault.h - the faults `aps-ecu simulate` can play: which one is in force
 * when, and how each one bends a reply. */
#ifndef APS_SIM_FAULT_H
#define APS_SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum sim_fault_mode {
	SIM_FAULT_NONE,
	SIM_FAULT_REFUSE,     /* listener closed */
	SIM_FAULT_HANG,       /* read the request, never answer */
	SIM_FAULT_DRIP,       /* the reply one byte per arg ms */
	SIM_FAULT_TRUNCATE,   /* half the reply, then FIN */
	SIM_FAULT_GARBAGE,    /* 64 KiB of noise */
	SIM_FAULT_OVERSIZE,   /* a frame declaring 9999, 20000 bytes of noise */
	SIM_FAULT_BADLENGTH,  /* length field not digits */
	SIM_FAULT_BADSIG,     /* 'X' for the 'A' of "APS" */
	SIM_FAULT_BADCMD,     /* command echoed as 0003 */
	SIM_FAULT_RESET,      /* half the reply, then RST */
	SIM_FAULT_REBOOT,     /* listener closed for arg seconds, then healthy */
	SIM_FAULT_NIGHT,      /* synthetic installation forced to night */
	SIM_FAULT_MUTATE,     /* each reply randomly damaged, seeded by arg */
};

struct sim_fault {
	enum sim_fault_mode mode;
	unsigned arg;  /* drip: ms per byte; reboot: seconds; mutate: seed; else 0 */
};

#define SIM_FAULT_MODES "refuse, hang, drip[:MS], truncate, garbage, oversize, badlength, " \
                        "badsig, badcmd, reset, reboot[:S], night, mutate[:SEED]"

/* Parses "MODE[:ARG]" (and "none").  Returns 0, or -1 if malformed. */
int sim_fault_parse(const char *text, struct sim_fault *out);
/* "drip:1000" etc., for logs. */
void sim_fault_describe(const struct sim_fault *f, char *buf, size_t cap);
/* Whether the listener must be closed. */
bool sim_fault_refuses(const struct sim_fault *f);

/* The fault in force over time: the command line's fault within its window,
 * overridden by the first line of the control file while that file exists. */
struct sim_fault_clock {
	struct sim_fault configured;
	int64_t after_ms;         /* configured fault starts then (ms since start) */
	int64_t for_ms;           /* and lasts this long; < 0: for ever */
	const char *control_path; /* NULL: none */

	int64_t next_check_ms;
	bool control_exists;
	dev_t control_dev;
	ino_t control_ino;
	off_t control_size;
	struct timespec control_mtime;

	bool overridden;
	struct sim_fault override;
	int64_t override_since_ms;
	struct sim_fault last_logged;  /* to log each change once */
};

void sim_fault_clock_init(struct sim_fault_clock *fc, const struct sim_fault *configured,
                          int64_t after_ms, int64_t for_ms, const char *control_path);
/* The fault at now_ms (ms since start); re-reads the control file when due. */
struct sim_fault sim_fault_now(struct sim_fault_clock *fc, int64_t now_ms);
/* When sim_fault_now next needs calling even if nothing else happens, or -1. */
int64_t sim_fault_next_event(const struct sim_fault_clock *fc, int64_t now_ms);

/* What a connection does with its request. */
enum sim_delivery {
	SIM_DELIVER_SEND,     /* send bytes, then close (FIN) */
	SIM_DELIVER_DRIP,     /* send bytes one at a time, then close */
	SIM_DELIVER_RESET,    /* send bytes, then close with RST */
	SIM_DELIVER_HANG,     /* send nothing, close when the client does */
	SIM_DELIVER_CLOSE,    /* close at once (no reply for this command) */
};

struct sim_plan {
	enum sim_delivery delivery;
	uint8_t *bytes;       /* malloc'd, owned by the plan's user */
	size_t len;
	unsigned drip_ms;
};

/* Bends reply (NULL: none for this command) for the request's command
 * (4 ASCII digits) by fault f.  Returns 0, or -1 when out of memory. */
int sim_fault_plan(const struct sim_fault *f, const uint8_t *reply, size_t reply_len,
                   const char command[4], struct sim_plan *out);

#endif
