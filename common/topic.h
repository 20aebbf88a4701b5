/*
 * topic.h - building the topics we publish, and refusing any we should not.
 *
 * mosquitto_broker_publish() checks nothing: a '+', '#', an empty level or a
 * byte that is not UTF-8 would be retained and sent as given, and a subscriber
 * receiving it drops its connection.  So every topic we build passes here.
 */
#ifndef APS_TOPIC_H
#define APS_TOPIC_H

#include <stdbool.h>
#include <stddef.h>

#define APS_TOPIC_MAX 256

/* True when topic is a valid topic to publish on: 1..APS_TOPIC_MAX-1 bytes,
 * valid UTF-8 without NUL or control characters, no '+' or '#', no empty level. */
bool topic_valid(const char *topic);

/* Joins the parts with '/' into buf ("prefix" may be "" and is then left out).
 * Returns 0, or -1 when it does not fit or the result is not topic_valid(). */
int topic_join(char *buf, size_t cap, const char *prefix, const char *const *parts, size_t nparts);

#endif
