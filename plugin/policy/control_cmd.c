// SPDX-License-Identifier: MIT
#include "control_cmd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[CONTROL_KIND_COUNT] = {
	[CONTROL_POWER] = "power",           [CONTROL_MAX_POWER] = "max_power",
	[CONTROL_ZERO_EXPORT] = "zero_export", [CONTROL_POWER_LIMIT] = "power_limit",
	[CONTROL_REBOOT] = "reboot",
};

const char *control_kind_name(enum control_kind kind)
{
	return (unsigned)kind < CONTROL_KIND_COUNT ? kind_names[kind] : "?";
}

bool control_kind_per_inverter(enum control_kind kind)
{
	return kind == CONTROL_POWER || kind == CONTROL_MAX_POWER;
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0) return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9') return false;
	return true;
}

/* The topic's levels after "aps/": at most 4 kept, their count in *n
 * (counting past 4 so a longer topic is recognised as such). */
#define MAX_LEVELS 4
struct level {
	const char *s;
	size_t len;
};

static size_t split_levels(const char *s, struct level *out)
{
	size_t n = 0;
	for (;;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);
		if (n < MAX_LEVELS) out[n] = (struct level){ s, len };
		n++;
		if (!slash) return n;
		s = slash + 1;
	}
}

/* A topic level as it may appear in a log line: at most 40 bytes, anything
 * outside printable ASCII shown as '?' (a client chose these bytes). */
static const char *shown(const struct level *l, char *buf, size_t cap)
{
	size_t n = l->len < 40 ? l->len : 40;
	if (n >= cap) n = cap - 1;
	for (size_t i = 0; i < n; i++) buf[i] = l->s[i] >= 0x20 && l->s[i] < 0x7f ? l->s[i] : '?';
	buf[n] = '\0';
	return buf;
}

static bool level_is(const struct level *l, const char *word)
{
	return l->len == strlen(word) && memcmp(l->s, word, l->len) == 0;
}

enum control_parse control_parse_topic(const char *topic, const char *base, struct control_cmd *cmd,
                                       char *reason, size_t reason_cap)
{
	memset(cmd, 0, sizeof(*cmd));
	reason[0] = '\0';
	size_t base_len = strlen(base);
	if (strncmp(topic, base, base_len) != 0 || strncmp(topic + base_len, "aps/", 4) != 0)
		return CONTROL_NOT_COMMAND;
	struct level lv[MAX_LEVELS];
	size_t n = split_levels(topic + base_len + 4, lv);
	/* aps/<ECU>/cmd/<leaf> or aps/<ECU>/<UID>/cmd/<leaf> */
	if (n < 3 || n > 4 || !level_is(&lv[n - 2], "cmd")) return CONTROL_NOT_COMMAND;
	const struct level *leaf = &lv[n - 1];
	/* What we publish ourselves beside the commands. */
	if (n == 3 && level_is(leaf, "result")) return CONTROL_NOT_COMMAND;

	if (lv[0].len == CONTROL_ID_LEN && all_digits(lv[0].s, lv[0].len)) {
		memcpy(cmd->ecu_id, lv[0].s, lv[0].len);
	} else {
		char buf[48];
		snprintf(reason, reason_cap, "\"%s\" is not an ECU id (12 digits)", shown(&lv[0], buf, sizeof(buf)));
		return CONTROL_INVALID;
	}
	int kind = -1;
	for (int k = 0; k < CONTROL_KIND_COUNT; k++)
		if (level_is(leaf, kind_names[k])) kind = k;
	if (kind < 0) {
		char buf[48];
		snprintf(reason, reason_cap, "unknown command \"%s\" (power, max_power, zero_export, power_limit, reboot)",
		         shown(leaf, buf, sizeof(buf)));
		return CONTROL_INVALID;
	}
	cmd->kind = (enum control_kind)kind;
	bool per_inverter = control_kind_per_inverter(cmd->kind);
	if (per_inverter && n != 4) {
		snprintf(reason, reason_cap, "%s is for one inverter: aps/<ECU>/<UID>/cmd/%s", kind_names[kind],
		         kind_names[kind]);
		return CONTROL_INVALID;
	}
	if (!per_inverter && n != 3) {
		snprintf(reason, reason_cap, "%s is for the ECU: aps/<ECU>/cmd/%s", kind_names[kind], kind_names[kind]);
		return CONTROL_INVALID;
	}
	if (per_inverter) {
		if (lv[1].len != CONTROL_ID_LEN || strspn(lv[1].s, "0123456789abcdefABCDEF") < CONTROL_ID_LEN) {
			char buf[48];
			snprintf(reason, reason_cap, "\"%s\" is not an inverter UID (12 digits)", shown(&lv[1], buf, sizeof(buf)));
			return CONTROL_INVALID;
		}
		/* The ECU reports UIDs in lowercase. */
		for (size_t i = 0; i < CONTROL_ID_LEN; i++)
			cmd->uid[i] = (char)(lv[1].s[i] >= 'A' && lv[1].s[i] <= 'F' ? lv[1].s[i] - 'A' + 'a' : lv[1].s[i]);
	}
	return CONTROL_VALID;
}

/* The payload without surrounding blanks, as a C string in buf. */
static const char *trimmed(const char *payload, size_t len, char *buf, size_t cap)
{
	while (len > 0 && (payload[0] == ' ' || payload[0] == '\t' || payload[0] == '\r' || payload[0] == '\n')) {
		payload++;
		len--;
	}
	while (len > 0 && (payload[len - 1] == ' ' || payload[len - 1] == '\t' || payload[len - 1] == '\r' ||
	                   payload[len - 1] == '\n'))
		len--;
	if (len >= cap) return NULL;
	for (size_t i = 0; i < len; i++)
		if (payload[i] < 0x20 || payload[i] >= 0x7f) return NULL; /* never into a log line */
	memcpy(buf, payload, len);
	buf[len] = '\0';
	return buf;
}

/* A whole number of watts: digits, optionally ".0..." (no other fraction). */
static bool parse_watts(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9') return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10u + (unsigned long)(*p - '0');
		if (v > max) return false;
	}
	if (*p == '.') {
		for (p++; *p == '0'; p++) {}
	}
	if (*p != '\0') return false;
	*out = (unsigned)v;
	return true;
}

bool control_parse_value(struct control_cmd *cmd, const char *payload, size_t len, char *reason,
                         size_t reason_cap)
{
	char buf[24];
	const char *v = trimmed(payload ? payload : "", payload ? len : 0, buf, sizeof(buf));
	reason[0] = '\0';
	if (!v) {
		snprintf(reason, reason_cap, "%s: the value is too long or not printable ASCII", kind_names[cmd->kind]);
		return false;
	}
	switch (cmd->kind) {
	case CONTROL_POWER:
	case CONTROL_ZERO_EXPORT:
		if (strcasecmp(v, "ON") == 0) cmd->value = 1;
		else if (strcasecmp(v, "OFF") == 0) cmd->value = 0;
		else break;
		return true;
	case CONTROL_MAX_POWER: {
		unsigned w;
		if (parse_watts(v, CONTROL_MAX_POWER_MAX, &w) && (w == 0 || w >= CONTROL_MAX_POWER_MIN)) {
			cmd->value = w;
			return true;
		}
		snprintf(reason, reason_cap, "max_power \"%s\" is not 0 (no cap) or %u..%u W per panel", v,
		         CONTROL_MAX_POWER_MIN, CONTROL_MAX_POWER_MAX);
		return false;
	}
	case CONTROL_POWER_LIMIT: {
		unsigned w;
		if (parse_watts(v, CONTROL_POWER_LIMIT_MAX, &w)) {
			cmd->value = w;
			return true;
		}
		snprintf(reason, reason_cap, "power_limit \"%s\" is not 0..%u W", v, CONTROL_POWER_LIMIT_MAX);
		return false;
	}
	case CONTROL_REBOOT:
		if (strcasecmp(v, "PRESS") == 0) {
			cmd->value = 0;
			return true;
		}
		snprintf(reason, reason_cap, "reboot \"%s\": send PRESS", v);
		return false;
	default:
		break;
	}
	snprintf(reason, reason_cap, "%s \"%s\": send ON or OFF", kind_names[cmd->kind], v);
	return false;
}

bool control_model_has_pages(const char *ecu_id)
{
	return strncmp(ecu_id, "215", 3) == 0 || strncmp(ecu_id, "2162", 4) == 0;
}

bool control_model_has_meter(const char *ecu_id)
{
	return strncmp(ecu_id, "215", 3) == 0;
}

static const char *model_name(const char *ecu_id)
{
	if (strncmp(ecu_id, "215", 3) == 0) return "ECU-C";
	if (strncmp(ecu_id, "2162", 4) == 0) return "ECU-R-PRO";
	if (strncmp(ecu_id, "2160", 4) == 0) return "ECU-R";
	if (strncmp(ecu_id, "2163", 4) == 0) return "ECU-B";
	return "this ECU model";
}

bool control_model_allows(const char *ecu_id, enum control_kind kind, char *reason, size_t reason_cap)
{
	reason[0] = '\0';
	if (!control_model_has_pages(ecu_id)) {
		snprintf(reason, reason_cap, "%s (%.4s...) has no control pages: only ECU-R-PRO (2162) and ECU-C (215) "
		         "take commands", model_name(ecu_id), ecu_id);
		return false;
	}
	if ((kind == CONTROL_ZERO_EXPORT || kind == CONTROL_POWER_LIMIT) && !control_model_has_meter(ecu_id)) {
		snprintf(reason, reason_cap, "%s needs an ECU-C (215...) and its CT meter; %s has none",
		         kind_names[kind], model_name(ecu_id));
		return false;
	}
	return true;
}

static bool same_target(const struct control_cmd *a, const struct control_cmd *b)
{
	return a->kind == b->kind && strcmp(a->ecu_id, b->ecu_id) == 0 && strcmp(a->uid, b->uid) == 0;
}

enum control_push control_queue_push(struct control_queue *q, const struct control_cmd *cmd,
                                     struct control_cmd *dropped)
{
	for (size_t i = 0; i < q->count; i++) {
		struct control_cmd *c = &q->items[(q->head + i) % CONTROL_QUEUE_MAX];
		/* A reboot is never merged away: two presses are two reboots asked. */
		if (cmd->kind != CONTROL_REBOOT && same_target(c, cmd)) {
			*dropped = *c;
			c->value = cmd->value;
			return CONTROL_REPLACED;
		}
	}
	enum control_push r = CONTROL_QUEUED;
	if (q->count == CONTROL_QUEUE_MAX) {
		*dropped = q->items[q->head];
		q->head = (q->head + 1) % CONTROL_QUEUE_MAX;
		q->count--;
		r = CONTROL_DROPPED_OLDEST;
	}
	q->items[(q->head + q->count) % CONTROL_QUEUE_MAX] = *cmd;
	q->count++;
	return r;
}

uint64_t control_queue_wait_ms(const struct control_queue *q, uint64_t now_ms, uint32_t spacing_ms)
{
	if (q->count == 0) return UINT64_MAX;
	if (!q->sent_any) return 0;
	uint64_t due = q->last_sent_ms + spacing_ms;
	return due > now_ms ? due - now_ms : 0;
}

bool control_queue_due(const struct control_queue *q, uint64_t now_ms, uint32_t spacing_ms)
{
	return control_queue_wait_ms(q, now_ms, spacing_ms) == 0;
}

bool control_queue_pop(struct control_queue *q, struct control_cmd *out, uint64_t now_ms)
{
	if (q->count == 0) return false;
	*out = q->items[q->head];
	q->head = (q->head + 1) % CONTROL_QUEUE_MAX;
	q->count--;
	q->sent_any = true;
	q->last_sent_ms = now_ms;
	return true;
}
