// SPDX-License-Identifier: MIT
/* harness.h - run `aps-ecu simulate` as a child and talk to it over loopback. */
#ifndef APS_SIM_HARNESS_H
#define APS_SIM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A failed check is counted and the test carries on, so every child is still
 * stopped.  harness.c defines the counters. */
#define APS_CHECK_SHARED
#include "aps_check.h"

struct sim {
	pid_t pid;
	unsigned port;
	int64_t started_ms;  /* when the port file appeared */
};

/* path of aps-ecu; a scratch dir is made on first use and removed at exit. */
void harness_init(const char *aps_ecu_path);
const char *harness_dir(void);
int64_t now_ms(void);
void sleep_ms(int ms);

/* Starts `aps-ecu simulate --port 0 --port-file F --quiet ARGS...` (args
 * NULL-terminated).  Returns 0 once it listens, -1 (and a failure) if not. */
int sim_start(struct sim *s, const char *const *args);
/* SIGTERM, then reap (SIGKILL after 3 s); checks it exited 0. */
void sim_stop(struct sim *s);
/* Runs `aps-ecu simulate ARGS...` expecting it to exit by itself within 3 s;
 * returns its exit status, or -1. */
int sim_run_to_exit(const char *const *args);

/* A blocking TCP connection to 127.0.0.1:port; -1 with errno set on failure. */
int tcp_connect(unsigned port);
/* Reads until EOF, an error, cap bytes or timeout_ms.  *end is 0 for EOF,
 * ETIMEDOUT for the timeout, ENOBUFS for cap, else the recv() errno. */
size_t read_until_end(int fd, uint8_t *buf, size_t cap, int timeout_ms, int *end);
/* Connects, sends request, reads the reply until the server closes. */
size_t exchange(unsigned port, const char *request, uint8_t *buf, size_t cap, int *end);

/* Writes FILE's content as one line, atomically (temp name + rename). */
void write_file_atomic(const char *path, const char *line);

#endif
