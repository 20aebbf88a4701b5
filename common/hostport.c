// SPDX-License-Identifier: MIT
#include "hostport.h"

#include <arpa/inet.h>
#include <string.h>

static bool host_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* 1..65535 in decimal digits only, into *port. */
static bool parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	unsigned long v = 0;
	if (n == 0 || n > 5 || strspn(s, "0123456789") != n) return false;
	for (size_t i = 0; i < n; i++) v = v * 10 + (unsigned long)(s[i] - '0');
	if (v < 1 || v > 65535) return false;
	*port = (uint16_t)v;
	return true;
}

const char *aps_host_port_parse(const char *entry, struct aps_host_port *out)
{
	const char *port = NULL;
	memset(out, 0, sizeof(*out));

	if (entry[0] == '[') {
		char v6[INET6_ADDRSTRLEN];
		unsigned char bin[16];
		const char *close = strchr(entry, ']');
		if (close == NULL) return "has no closing ']'";
		if (close[1] == ':') port = close + 2;
		else if (close[1] != '\0') return "has text after ']' that is not \":port\"";
		size_t len = (size_t)(close - entry - 1);
		if (len >= sizeof(v6)) return "is not an IPv6 address in brackets";
		memcpy(v6, entry + 1, len);
		v6[len] = '\0';
		/* Canonical form, so that [::1] and [0:0::1] are the same ECU. */
		if (inet_pton(AF_INET6, v6, bin) != 1 || inet_ntop(AF_INET6, bin, out->host, sizeof(out->host)) == NULL)
			return "is not an IPv6 address in brackets";
		out->ipv6 = true;
	} else {
		const char *colon = strchr(entry, ':');
		size_t len = colon != NULL ? (size_t)(colon - entry) : strlen(entry);
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return "looks like an IPv6 address: write it as [address] or [address]:port";
		if (len == 0) return "has no host";
		if (len > APS_HOST_MAX) return "has a host name longer than 253 bytes";
		for (size_t i = 0; i < len; i++)
			if (!host_char(entry[i])) return "has a host with characters other than A-Z a-z 0-9 . -";
		memcpy(out->host, entry, len);
		if (colon != NULL) port = colon + 1;
	}
	if (port != NULL && !parse_port(port, &out->port)) return "has a port that is not 1-65535";
	return NULL;
}
