// SPDX-License-Identifier: MIT
#include "topic.h"

#include "mqtt_check.h"

#include <string.h>

/* What a byte may start, for topic_problem()'s one pass. */
enum { B_CONTROL = 1, B_HIGH = 2, B_LOOK = 4 /* '/' or 0xc2: the next byte tells */ };

static unsigned char byte_class(unsigned char c)
{
	if (c < 0x20 || c == 0x7f) return B_CONTROL;
	if (c == '/') return B_LOOK;
	if (c == 0xc2) return B_HIGH | B_LOOK;
	return c >= 0x80 ? B_HIGH : 0;
}

const char *topic_problem(const char *topic)
{
	const unsigned char *s = (const unsigned char *)topic;
	unsigned seen = 0;
	bool empty_level = false;
	size_t n = 0;
	/* One pass for what the broker's checks do not tell apart. */
	for (; s[n] != '\0'; n++) {
		unsigned k = byte_class(s[n]);
		seen |= k;
		if (!(k & B_LOOK)) continue;
		if (s[n] == '/') empty_level |= s[n + 1] == '/';
		/* C1 controls (U+0080-U+009F): named apart from malformed UTF-8,
		 * like C0 ones, because they are the likelier mistake. */
		else if (s[n + 1] >= 0x80 && s[n + 1] <= 0x9f) seen |= B_CONTROL;
	}
	if (n == 0) return "it is empty";
	if (n >= APS_TOPIC_MAX) return "longer than 255 bytes";
	if (mosquitto_pub_topic_check(topic) != 0) return "'+' and '#' are wildcards, not topic characters";
	if (s[0] == '/' || s[n - 1] == '/') return "it starts or ends with '/'";
	if (empty_level) return "it has an empty level";
	if (s[0] == '$') return "topics starting with '$' belong to the broker";
	if (seen & B_CONTROL) return "it holds a control character";
	/* ASCII without controls is UTF-8 as the broker wants it. */
	if ((seen & B_HIGH) && mosquitto_validate_utf8(topic, (int)n) != 0) return "not valid UTF-8";
	return NULL;
}

bool topic_valid(const char *topic)
{
	return topic_problem(topic) == NULL;
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
