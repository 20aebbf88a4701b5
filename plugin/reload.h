// SPDX-License-Identifier: MIT
/*
 * reload.h - the broker reloaded its configuration (SIGHUP).  Neither
 * Mosquitto 2.0 nor 2.1 re-initialises plugins or passes them their options
 * again, so we read our options from the broker's file ourselves
 * (config/broker_conf.h), apply the ones that can change while running and
 * name, in one log line, those that need a broker restart.
 */
#ifndef APS_RELOAD_H
#define APS_RELOAD_H

struct aps_plugin;

void reload_handle(struct aps_plugin *pl);

#endif
