// SPDX-License-Identifier: MIT
/*
 * mqtt_check.h - the two checks Mosquitto 2.0 and 2.1 export to plugins
 * (tests/package/test_broker_exports.py): inside the broker, its own
 * functions, so we refuse what it refuses from its clients; in aps-ecu and
 * unit tests, mqtt_check_local.c stands in.  Both return 0 when the string
 * is fine (MOSQ_ERR_SUCCESS).
 */
#ifndef APS_MQTT_CHECK_H
#define APS_MQTT_CHECK_H

/* No '+' or '#', at most 65535 bytes. */
int mosquitto_pub_topic_check(const char *topic);

/* UTF-8 as MQTT wants it: well formed, no U+0000, no control characters
 * (U+0001-U+001F, U+007F-U+009F), no non-characters. */
int mosquitto_validate_utf8(const char *str, int len);

#endif
