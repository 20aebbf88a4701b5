// SPDX-License-Identifier: MIT
/* query_net.h - one ECU request on its own TCP connection, for `aps-ecu query`. */
#ifndef APS_QUERY_NET_H
#define APS_QUERY_NET_H

#include <stddef.h>
#include <stdint.h>

#include "aps_protocol.h"

struct addrinfo;

/* Where the ECU is: HOST[:PORT], [IPV6][:PORT], or a bare IPv6 address. */
struct ecu_target {
	char host[256];   /* as given, without brackets */
	char port[6];
	char label[272];  /* "host:port" or "[v6]:port", for messages */
};

/* Parses the HOST[:PORT] argument (port 1..65535, default 8899).  Returns 0, or
 * -1 with why set. */
int ecu_target_parse(const char *arg, struct ecu_target *t, char *why, size_t why_cap);

/* Resolves t for TCP.  Returns 0 and a list for freeaddrinfo, or -1 with why. */
int ecu_target_resolve(const struct ecu_target *t, struct addrinfo **list, char *why, size_t why_cap);

/* What came back, even when it is not a whole frame (for --raw). */
struct ecu_reply {
	uint8_t buf[APS_REPLY_MAX];
	size_t len;
};

/*
 * Connects (non-blocking, trying each address), sends the request whole,
 * then reads until aps_frame_check says the frame is complete or invalid, the
 * peer closes, or timeout_ms (one deadline for the whole exchange) passes.
 * Never reads past the frame's declared length.  Returns 0 with exactly one
 * frame in reply, or -1 with why set and whatever arrived in reply.
 */
int ecu_exchange(const struct addrinfo *list, const char *request, size_t request_len,
                 enum aps_command cmd, int timeout_ms, struct ecu_reply *reply, char *why,
                 size_t why_cap);

#endif
