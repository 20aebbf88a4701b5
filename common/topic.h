// SPDX-License-Identifier: MIT
/*
 * topic.h - building the topics we publish, and refusing any we should not.
 *
 * mosquitto_broker_publish() checks nothing: a '+', '#', an empty level or a
 * byte that is not UTF-8 would be retained and sent as given, and a subscriber
 * receiving it drops its connection.  So every topic we build or are given
 * (configuration, discovery) passes here: the one topic check.
 */
#ifndef APS_TOPIC_H
#define APS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define APS_TOPIC_MAX 256

/* Why topic is no topic for us to publish on (a phrase for a log line), or
 * NULL: 1..APS_TOPIC_MAX-1 bytes, no '+' or '#', no empty level, not
 * starting or ending with '/', not the broker's '$', UTF-8 as the broker
 * accepts it (mqtt_check.h: its own checks, inside the broker). */
const char *topic_problem(const char *topic);

bool topic_valid(const char *topic);

/* Joins the parts with '/' into buf ("prefix" may be "" and is then left out).
 * Returns 0, or -1 when it does not fit or the result is not topic_valid(). */
int topic_join(char *buf, size_t cap, const char *prefix, const char *const *parts, size_t nparts);

#endif
