// SPDX-License-Identifier: MIT
/*
 * harness.h - checks, log capture, temporary files and a loader wrapper
 * shared by the configuration tests.
 */
#ifndef APS_TEST_CONFIG_HARNESS_H
#define APS_TEST_CONFIG_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define APS_CHECK_SHARED /* harness.c defines the counters */
#include "aps_check.h"
#include "config.h"

#define PASSWORD "s3cr3t-pw"
#define BROKER_PASSWORD "itsasecret"
#define ERR_SIZE 1024

extern char err[ERR_SIZE]; /* the last load's error line */
extern char tmpdir[64];

/* Number of lines logged by the last load at level (any level when < 0) that contain part. */
int logged(int level, const char *part);
/* Total lines logged by the last load. */
int log_count(void);

/* Writes a file in tmpdir; returns its path (valid until the end of the run). */
const char *write_file_n(const char *name, const char *text, size_t len);
const char *write_file(const char *name, const char *text);

/* aps_config_load() with env as a NULL-terminated list of "NAME=value" (or
 * NULL), logging into the capture; checks what every load must satisfy (no
 * password in any message, a zeroed config after a failure). */
int load_env(struct aps_config *cfg, const struct aps_config_opt *opts, int count,
             const char *const *env);

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LOAD(cfg, opts) load_env((cfg), (opts), N(opts), NULL)

void test_options(void);
void test_yaml(void);
void test_reload(void);

#endif
