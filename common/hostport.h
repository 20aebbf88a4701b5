// SPDX-License-Identifier: MIT
/*
 * hostport.h - "host", "host:port", "[IPv6]" or "[IPv6]:port", as the plugin's
 * ecu_host option and `aps-ecu query` take them.
 */
#ifndef APS_HOSTPORT_H
#define APS_HOSTPORT_H

#include <stdbool.h>
#include <stdint.h>

#define APS_HOST_MAX 253 /* longest DNS name */

struct aps_host_port {
	char host[APS_HOST_MAX + 1]; /* name or address; IPv6 without brackets, canonical */
	uint16_t port;               /* 0: none given */
	bool ipv6;                   /* it was in brackets */
};

/* Parses entry (blanks already trimmed): a name of A-Z a-z 0-9 . -, an IPv4
 * address, or an IPv6 address in brackets, each with an optional :port
 * (1..65535).  Returns NULL, or why it is wrong ("has no host", ...), a
 * phrase to follow the entry in a message. */
const char *aps_host_port_parse(const char *entry, struct aps_host_port *out);

#endif
