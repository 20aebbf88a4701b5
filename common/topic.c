#include "topic.h"

#include <stdint.h>
#include <string.h>

/* Length of the UTF-8 sequence at s (1..4), or 0 if it is not well formed:
 * overlong forms, surrogates and code points above U+10FFFF are refused. */
static size_t utf8_sequence(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80) return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
	else return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
	if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return 0;
	return len;
}

bool topic_valid(const char *topic)
{
	const unsigned char *s = (const unsigned char *)topic;
	size_t n = strlen(topic);
	if (n == 0 || n >= APS_TOPIC_MAX) return false;
	if (s[0] == '/' || s[n - 1] == '/') return false;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x20 || c == 0x7f || c == '+' || c == '#') return false;
		if (c == '/' && s[i + 1] == '/') return false;
		size_t len = utf8_sequence(s + i);
		if (len == 0) return false;
		i += len;
	}
	return true;
}

int topic_join(char *buf, size_t cap, const char *prefix, const char *const *parts, size_t nparts)
{
	size_t used = 0;
	const char *sep = "";

	if (cap == 0) return -1;
	buf[0] = '\0';
	for (size_t i = 0; i <= nparts; i++) {
		const char *part = i == 0 ? prefix : parts[i - 1];
		if (i == 0 && (part == NULL || part[0] == '\0')) continue;
		size_t seplen = strlen(sep), len = strlen(part);
		if (used + seplen + len >= cap) return -1;
		memcpy(buf + used, sep, seplen);
		memcpy(buf + used + seplen, part, len);
		used += seplen + len;
		buf[used] = '\0';
		sep = "/";
	}
	return topic_valid(buf) ? 0 : -1;
}
