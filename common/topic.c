#include "topic.h"

#include "mqtt_check.h"

#include <string.h>

/* A C0 or C1 control character, said apart from other malformed UTF-8
 * because it is the likelier mistake (a tab, a newline). */
static bool has_control(const unsigned char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)) return true;
	return false;
}

const char *topic_problem(const char *topic)
{
	size_t n = strlen(topic);
	if (n == 0) return "it is empty";
	if (n >= APS_TOPIC_MAX) return "longer than 255 bytes";
	if (mosquitto_pub_topic_check(topic) != 0) return "'+' and '#' are wildcards, not topic characters";
	if (topic[0] == '/' || topic[n - 1] == '/') return "it starts or ends with '/'";
	if (strstr(topic, "//") != NULL) return "it has an empty level";
	if (topic[0] == '$') return "topics starting with '$' belong to the broker";
	if (has_control((const unsigned char *)topic)) return "it holds a control character";
	if (mosquitto_validate_utf8(topic, (int)n) != 0) return "not valid UTF-8";
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
