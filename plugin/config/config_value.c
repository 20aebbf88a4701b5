// SPDX-License-Identifier: MIT
/*
 * config_value.c - the syntax of each kind of setting.  Pure functions: no
 * logging, and only config_parse_hosts() allocates.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "config_internal.h"
#include "tz.h"
#include "hostport.h"
#include "topic.h"

#define QUOTE_CUT 60
/* Longest entry: a 253-byte name, ':' and 5 port digits. */
#define HOST_ENTRY_MAX (APS_CONFIG_HOST_MAX + 6)

void config_quote(const char *value, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, i;

	if (size < 16) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (i = 0; value[i] != '\0' && n + 8 < size; i++) {
		unsigned char c = (unsigned char)value[i];

		if (i == QUOTE_CUT) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

bool config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "1", "on"};
	static const char *const no[] = {"no", "false", "0", "off"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

int config_parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long n;

	/* strtol would also take leading blanks and '+': a setting is one token. */
	if (!(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
		return 1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end != '\0' || (errno != 0 && errno != ERANGE))
		return 1;
	if (errno == ERANGE || n < min || n > max)
		return 2;
	*out = n;
	return 0;
}

bool config_parse_long(const char *s, long min, long max, long *out)
{
	return config_parse_int(s, min, max, out) == 0;
}

int config_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double d;

	if (!(s[0] == '-' || s[0] == '+' || s[0] == '.' || (s[0] >= '0' && s[0] <= '9')))
		return 1;
	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(d) || errno == ERANGE)
		return 1;
	if (d < min || d > max)
		return 2;
	*out = d;
	return 0;
}

const char *config_topic_problem(const char *s, bool may_be_empty)
{
	size_t len = strlen(s);

	if (len == 0)
		return may_be_empty ? NULL : "it is empty";
	if (len > APS_CONFIG_TOPIC_MAX)
		return "longer than 128 bytes";
	const char *problem = topic_problem(s);
	/* Slashes between levels are ours to add. */
	if (problem != NULL && strstr(problem, "'/'") != NULL)
		return "it starts or ends with '/' (the plugin adds the separator)";
	return problem;
}

const char *config_zone_problem(const char *s)
{
	size_t len = strlen(s), i;

	if (len > APS_CONFIG_ZONE_MAX)
		return "longer than 63 bytes";
	/* '.' is not allowed at all, so the name cannot climb out of the zoneinfo directory. */
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '/'))
			return "only A-Z a-z 0-9 _ + - / may appear in a zone name";
	}
	if (s[0] == '/' || (len > 0 && s[len - 1] == '/') || strstr(s, "//") != NULL)
		return "a zone name is like Europe/Paris, not a path";
	/* Read by the reader the plugin uses (common/tz.c), so a name that is
	 * there but is no zone file (a directory, a damaged file) is refused
	 * here too. */
	if (len > 0 && aps_tz_offset_local(s, 2026, 1, 1, 12, 0, 0, &(int32_t){ 0 }) != 0)
		return "no such zone on this system (tzdata)";
	return NULL;
}

const char *config_ssid_problem(const char *s)
{
	size_t len = strlen(s), i;

	if (len == 0 || len > APS_CONFIG_SSID_MAX)
		return "an SSID has 1 to 32 bytes";
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "an SSID holds no control characters";
	}
	return NULL;
}

const char *config_passwd_problem(const char *s)
{
	size_t len = strlen(s), i;

	if (len < 8 || len > APS_CONFIG_PASSWD_MAX)
		return "a WPA2 password has 8 to 63 characters";
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return "a WPA2 password has only printable ASCII characters";
	}
	return NULL;
}

/* One entry, blanks already trimmed.  Returns NULL or why it is wrong. */
static const char *parse_host_entry(const char *entry, struct aps_ecu_addr *addr)
{
	struct aps_host_port hp;
	const char *problem = aps_host_port_parse(entry, &hp);
	if (problem != NULL) return problem;
	memcpy(addr->host, hp.host, sizeof(addr->host));
	addr->port = hp.port;
	return NULL;
}

int config_parse_hosts(const char *list, struct aps_ecu_addr **out, int *count, char *why,
                       size_t whylen)
{
	struct aps_ecu_addr *addrs;
	const char *p;
	int entries = 1, i;

	for (p = list; *p != '\0'; p++) {
		if (*p == ',' && ++entries > APS_CONFIG_MAX_ECUS) {
			snprintf(why, whylen, "more than %d ECUs", APS_CONFIG_MAX_ECUS);
			return -1;
		}
	}
	addrs = aps_calloc(1, (size_t)entries * sizeof(*addrs));
	if (addrs == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	p = list;
	for (i = 0; i < entries; i++) {
		char entry[HOST_ENTRY_MAX + 1], shown[CONFIG_SHOWN_SIZE];
		const char *end = strchr(p, ','), *problem;
		size_t len;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			snprintf(why, whylen, "ECU %d of the list is empty", i + 1);
			goto fail;
		}
		if (len > HOST_ENTRY_MAX) {
			snprintf(why, whylen, "ECU %d of the list is longer than %d bytes", i + 1,
			         HOST_ENTRY_MAX);
			goto fail;
		}
		memcpy(entry, p, len);
		entry[len] = '\0';
		config_quote(entry, shown, sizeof(shown));
		problem = parse_host_entry(entry, &addrs[i]);
		if (problem != NULL) {
			snprintf(why, whylen, "%s %s", shown, problem);
			goto fail;
		}
		p = *end == ',' ? end + 1 : end;
	}
	*out = addrs;
	*count = entries;
	return 0;
fail:
	aps_free(addrs);
	return -1;
}
