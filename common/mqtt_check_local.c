// SPDX-License-Identifier: MIT
/* mqtt_check_local.c - mqtt_check.h outside the broker, with the rules of
 * Mosquitto's own (lib/util_topic.c, lib/utf8_mosq.c). */
#include "mqtt_check.h"

#include <stddef.h>
#include <stdint.h>

#define CHECK_FAILED 3 /* MOSQ_ERR_INVAL: any nonzero says no */

int mosquitto_pub_topic_check(const char *topic)
{
	size_t len = 0;
	if (topic == NULL) return CHECK_FAILED;
	for (; topic[len] != '\0'; len++)
		if (topic[len] == '+' || topic[len] == '#') return CHECK_FAILED;
	return len > 65535 ? CHECK_FAILED : 0;
}

int mosquitto_validate_utf8(const char *str, int len)
{
	const unsigned char *s = (const unsigned char *)str;
	if (s == NULL || len < 0 || len > 65536) return CHECK_FAILED;
	for (int i = 0; i < len;) {
		unsigned c = s[i];
		int n;
		uint32_t cp;
		if (c == 0) return CHECK_FAILED;
		if (c < 0x80) { n = 1; cp = c; }
		else if (c >= 0xc2 && c <= 0xdf) { n = 2; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { n = 3; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { n = 4; cp = c & 0x07; }
		else return CHECK_FAILED;
		if (len - i < n) return CHECK_FAILED;
		for (int k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80) return CHECK_FAILED;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))) return CHECK_FAILED;
		if (cp >= 0xd800 && cp <= 0xdfff) return CHECK_FAILED;         /* surrogates */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return CHECK_FAILED; /* controls */
		if ((cp & 0xfffe) == 0xfffe || (cp >= 0xfdd0 && cp <= 0xfdef)) return CHECK_FAILED; /* non-characters */
		i += n;
	}
	return 0;
}
