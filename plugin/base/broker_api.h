// SPDX-License-Identifier: MIT
/*
 * broker_api.h - the Mosquitto broker API, whichever release's headers build us.
 *
 * Mosquitto 2.1 folds its API into <mosquitto.h> and deprecates
 * <mosquitto_broker.h> and <mosquitto_plugin.h> with a #warning; 2.0 needs all
 * three.  Only the header names depend on the headers: every difference in
 * behaviour between the brokers is decided at run time (plugin.c, wake.c).
 */
#ifndef APS_BROKER_API_H
#define APS_BROKER_API_H

#if defined(__has_include)
#if __has_include(<mosquitto/broker.h>)
#define APS_BROKER_HEADERS_2_1 1
#endif
#endif

#include <mosquitto.h>
#ifndef APS_BROKER_HEADERS_2_1
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>
#include <mqtt_protocol.h> /* MQTT_PROP_*; 2.1's <mosquitto.h> includes its own */
#endif

#endif
