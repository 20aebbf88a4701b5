// SPDX-License-Identifier: MIT
/*
 * state_path.h - where the energy state file goes when state_file is unset:
 * the broker's persistence directory if we can learn it (Mosquitto 2.1 says
 * so; on 2.0 we read persistence_location from the mosquitto.conf named on
 * the broker's command line), else /var/lib/mosquitto when we may write
 * there, else nowhere.
 */
#ifndef APS_STATE_PATH_H
#define APS_STATE_PATH_H

#include <stddef.h>

#define STATE_PATH_NAME "aps-ecu.state"
#define STATE_PATH_FALLBACK_DIR "/var/lib/mosquitto"

/* broker_location: what the broker said ("" when it did not); cmdline: the
 * broker's NUL-separated arguments (NULL: read /proc/self/cmdline);
 * fallback_dir: normally STATE_PATH_FALLBACK_DIR.  Fills out (cap bytes)
 * and a few words on where it came from; returns 0, or -1 when no place
 * fits (out is then ""). */
int state_path_default(const char *broker_location, const char *cmdline, size_t cmdline_len,
                       const char *fallback_dir, char *out, size_t cap, const char **source);

/* persistence_location from a mosquitto.conf (the last one), or -1. */
int state_path_from_conf(const char *conf, char *out, size_t cap);

#endif
