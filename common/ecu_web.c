// SPDX-License-Identifier: MIT
/*
 * ecu_web.c - the ECU's web pages as data (see ecu_web.h).  JSON answers are
 * read with cJSON from a length-bounded copy it makes itself
 * (cJSON_ParseWithLength); reasons never quote the answer's bytes, which the
 * caller logs.
 */
#define _DEFAULT_SOURCE
#include "ecu_web.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(struct ecu_web_error *err, enum ecu_web_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ecu_web_error *err, enum ecu_web_code code, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int ok(struct ecu_web_error *err)
{
	if (err != NULL) {
		err->code = ECU_WEB_OK;
		err->reason[0] = '\0';
	}
	return 0;
}

bool ecu_web_uid_ok(const char *uid)
{
	if (uid == NULL) return false;
	for (size_t i = 0; i < ECU_WEB_UID_LEN; i++)
		if (uid[i] < '0' || uid[i] > '9') return false;
	return uid[ECU_WEB_UID_LEN] == '\0';
}

/* snprintf into out, or a SPACE error. */
static int emit(char *out, size_t cap, struct ecu_web_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int emit(char *out, size_t cap, struct ecu_web_error *err, const char *fmt, ...)
{
	if (out == NULL || cap == 0) return fail(err, ECU_WEB_E_SPACE, "no output buffer");
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return fail(err, ECU_WEB_E_SPACE, "the form needs %d bytes, the buffer has %zu", n + 1, cap);
	}
	ok(err);
	return n;
}

int ecu_web_switch_form(char *out, size_t cap, const char *uid, bool on, struct ecu_web_error *err)
{
	if (!ecu_web_uid_ok(uid)) return fail(err, ECU_WEB_E_ARGUMENT, "an inverter UID has 12 digits");
	/* "ids[]" with its brackets encoded, as a browser sends it. */
	return emit(out, cap, err, "ids%%5B%%5D=%s%c", uid, on ? '1' : '2');
}

int ecu_web_maxpower_form(char *out, size_t cap, const char *uid, unsigned watts, struct ecu_web_error *err)
{
	if (!ecu_web_uid_ok(uid)) return fail(err, ECU_WEB_E_ARGUMENT, "an inverter UID has 12 digits");
	if (watts != 0 && (watts < ECU_WEB_MAXPOWER_MIN || watts > ECU_WEB_MAXPOWER_MAX))
		return fail(err, ECU_WEB_E_ARGUMENT, "max power %u W: 0 (no cap) or %d to %d W per panel", watts,
		            ECU_WEB_MAXPOWER_MIN, ECU_WEB_MAXPOWER_MAX);
	return emit(out, cap, err, "id=%s&maxpower=%u", uid, watts);
}

int ecu_web_meter_funcs_form(char *out, size_t cap, bool zero_export, unsigned limit_w, struct ecu_web_error *err)
{
	if (limit_w > ECU_WEB_POWER_LIMIT_MAX)
		return fail(err, ECU_WEB_E_ARGUMENT, "power limit %u W: 0 to %d W", limit_w, ECU_WEB_POWER_LIMIT_MAX);
	return emit(out, cap, err, "meter_func=%d&this_func=1&power_limit=%u", zero_export ? 1 : 0, limit_w);
}

/* application/x-www-form-urlencoded: space is '+', letters, digits and "-._"
 * stay, every other byte (UTF-8 included) becomes %XX.  out has room for
 * three times strlen(in) and a NUL. */
static size_t form_encode(char *out, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_') {
			out[n++] = (char)c;
		} else if (c == ' ') {
			out[n++] = '+';
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		}
	}
	out[n] = '\0';
	return n;
}

int ecu_web_reboot_form(char *out, size_t cap, const char *ssid, const char *passwd, struct ecu_web_error *err)
{
	size_t ssid_len = ssid != NULL ? strlen(ssid) : 0;
	if (ssid_len == 0 || ssid_len > ECU_WEB_SSID_MAX)
		return fail(err, ECU_WEB_E_ARGUMENT, "the SSID must have 1 to %d bytes", ECU_WEB_SSID_MAX);
	size_t passwd_len = passwd != NULL ? strlen(passwd) : 0;
	if (passwd_len < ECU_WEB_PASSWD_MIN || passwd_len > ECU_WEB_PASSWD_MAX)
		return fail(err, ECU_WEB_E_ARGUMENT, "the password must have %d to %d bytes", ECU_WEB_PASSWD_MIN,
		            ECU_WEB_PASSWD_MAX);
	char ssid_enc[3 * ECU_WEB_SSID_MAX + 1];
	char passwd_enc[3 * ECU_WEB_PASSWD_MAX + 1];
	form_encode(ssid_enc, ssid);
	form_encode(passwd_enc, passwd);
	int n = emit(out, cap, err, "SSID=%s&channel=0&method=2&psk_wep=&psk_wpa=%s", ssid_enc, passwd_enc);
	explicit_bzero(passwd_enc, sizeof(passwd_enc)); /* not left on the stack */
	return n;
}

_Static_assert(sizeof("SSID=&channel=0&method=2&psk_wep=&psk_wpa=") + 3 * (ECU_WEB_SSID_MAX + ECU_WEB_PASSWD_MAX) <=
                       ECU_WEB_FORM_MAX,
               "ECU_WEB_FORM_MAX too small for the longest reboot form");

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Parses the body as one JSON object; NULL (err set) if it is not. */
static cJSON *parse_object(const char *body, size_t len, struct ecu_web_error *err)
{
	if (body == NULL || len == 0) {
		fail(err, ECU_WEB_E_GARBAGE, "empty body");
		return NULL;
	}
	if (memchr(body, '\0', len) != NULL) {
		fail(err, ECU_WEB_E_GARBAGE, "a NUL byte in the body (%zu bytes)", len);
		return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (root == NULL) {
		fail(err, ECU_WEB_E_GARBAGE, "not JSON (%zu bytes)", len);
		return NULL;
	}
	/* Only blanks may follow the value. */
	size_t used = end != NULL && end >= body ? (size_t)(end - body) : len;
	for (size_t i = used; i < len; i++) {
		if (!is_space(body[i])) {
			cJSON_Delete(root);
			fail(err, ECU_WEB_E_GARBAGE, "bytes after the JSON value (%zu of %zu)", len - used, len);
			return NULL;
		}
	}
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		fail(err, ECU_WEB_E_GARBAGE, "JSON but not an object");
		return NULL;
	}
	return root;
}

/* Copies a message for the caller: cut, control bytes as '?'. */
static void copy_message(char *out, size_t cap, const char *msg)
{
	if (out == NULL || cap == 0) return;
	size_t n = 0;
	for (; n < cap - 1 && n < ECU_WEB_MESSAGE_MAX - 1 && msg[n] != '\0'; n++) {
		unsigned char c = (unsigned char)msg[n];
		out[n] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* The string "message" of a JSON object body, or NULL (err set); *root is
 * to be freed by the caller when not NULL. */
static const char *message_of(const char *body, size_t len, cJSON **root, struct ecu_web_error *err)
{
	*root = parse_object(body, len, err);
	if (*root == NULL) return NULL;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(*root, "message");
	if (!cJSON_IsString(m) || m->valuestring == NULL) {
		fail(err, ECU_WEB_E_GARBAGE, m == NULL ? "no \"message\" in the answer" : "\"message\" is not a string");
		return NULL;
	}
	return m->valuestring;
}

int ecu_web_check_switch(const char *body, size_t len, char *message, size_t message_cap, struct ecu_web_error *err)
{
	if (message != NULL && message_cap > 0) message[0] = '\0';
	cJSON *root = NULL;
	const char *msg = message_of(body, len, &root, err);
	int rc;
	if (msg == NULL) {
		rc = -1;
	} else {
		copy_message(message, message_cap, msg);
		rc = strcmp(msg, ECU_WEB_SWITCH_ACCEPTED) == 0
		             ? ok(err)
		             : fail(err, ECU_WEB_E_REFUSED, "the ECU answered another message (%zu bytes)", strlen(msg));
	}
	cJSON_Delete(root);
	return rc;
}

int ecu_web_check_maxpower(const char *body, size_t len, char *message, size_t message_cap,
                           struct ecu_web_error *err)
{
	if (message != NULL && message_cap > 0) message[0] = '\0';
	cJSON *root = NULL;
	const char *msg = message_of(body, len, &root, err);
	if (msg != NULL) copy_message(message, message_cap, msg);
	cJSON_Delete(root);
	return msg != NULL ? ok(err) : -1;
}

/* An optionally signed decimal integer of 1..9 digits with blanks around:
 * true and *value, or false. */
static bool plain_integer(const char *s, size_t len, long *value)
{
	size_t i = 0, end = len;
	while (i < end && is_space(s[i])) i++;
	while (end > i && is_space(s[end - 1])) end--;
	bool negative = i < end && s[i] == '-';
	if (negative) i++;
	if (i == end || end - i > 9) return false;
	long v = 0;
	for (; i < end; i++) {
		if (!is_digit(s[i])) return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = negative ? -v : v;
	return true;
}

int ecu_web_check_meter_funcs(const char *body, size_t len, char *message, size_t message_cap,
                              struct ecu_web_error *err)
{
	if (message != NULL && message_cap > 0) message[0] = '\0';
	long value;
	if (body != NULL && plain_integer(body, len, &value))
		return value == 0 ? ok(err) : fail(err, ECU_WEB_E_REFUSED, "the ECU answered %ld, not 0", value);
	cJSON *root = NULL;
	const char *msg = message_of(body, len, &root, err);
	if (msg != NULL) copy_message(message, message_cap, msg);
	cJSON_Delete(root);
	if (msg != NULL) return ok(err);
	return fail(err, ECU_WEB_E_GARBAGE, "neither 0 nor a JSON message (%zu bytes)", body != NULL ? len : 0);
}

static bool skip_literal(const char *s, size_t len, size_t *pos, const char *lit)
{
	while (*pos < len && is_space(s[*pos])) (*pos)++;
	size_t n = strlen(lit);
	if (len - *pos < n || memcmp(s + *pos, lit, n) != 0) return false;
	*pos += n;
	return true;
}

/* Read by hand, not with cJSON: the page answers exactly this, and anything
 * else ({"value":"0"}, an extra key, a huge number) is not the page. */
int ecu_web_check_reboot(const char *body, size_t len, long *value_out, struct ecu_web_error *err)
{
	size_t pos = 0;
	long value = 0;
	int digits = 0;
	bool negative = false;
	if (body == NULL) len = 0;
	if (!skip_literal(body, len, &pos, "{") || !skip_literal(body, len, &pos, "\"value\"") ||
	    !skip_literal(body, len, &pos, ":"))
		goto bad;
	while (pos < len && is_space(body[pos])) pos++;
	if (pos < len && body[pos] == '-') {
		negative = true;
		pos++;
	}
	for (; pos < len && is_digit(body[pos]) && digits < 9; pos++, digits++) value = value * 10 + (body[pos] - '0');
	if (digits == 0 || !skip_literal(body, len, &pos, "}")) goto bad;
	while (pos < len && is_space(body[pos])) pos++;
	if (pos != len) goto bad;
	if (negative) value = -value;
	if (value_out != NULL) *value_out = value;
	if (value == 0) return ok(err);
	return fail(err, ECU_WEB_E_REFUSED, "the ECU refused the settings: {\"value\":%ld}", value);
bad:
	return fail(err, ECU_WEB_E_GARBAGE, "HTTP 200 but the body (%zu bytes) is not {\"value\":N}", len);
}

/* ---- The meter graph, read without building a tree: a day of points is
 * tens of KB, which cJSON turns into thousands of allocations (~0.3 ms);
 * this scanner validates the whole text as JSON in one pass and keeps only
 * where each series' last element lies. */

#define SCAN_DEPTH_MAX 32 /* the graph nests 3 deep; deeper is not the page */

struct scan {
	const char *s;
	size_t len, pos;
	int depth;
};

static void scan_blanks(struct scan *sc)
{
	while (sc->pos < sc->len && is_space(sc->s[sc->pos])) sc->pos++;
}

static bool scan_char(struct scan *sc, char c)
{
	scan_blanks(sc);
	if (sc->pos >= sc->len || sc->s[sc->pos] != c) return false;
	sc->pos++;
	return true;
}

/* A string, its quotes included; raw and raw_len: the bytes between them. */
static bool scan_string(struct scan *sc, const char **raw, size_t *raw_len)
{
	if (!scan_char(sc, '"')) return false;
	size_t begin = sc->pos;
	while (sc->pos < sc->len) {
		unsigned char c = (unsigned char)sc->s[sc->pos++];
		if (c == '"') {
			if (raw != NULL) *raw = sc->s + begin;
			if (raw_len != NULL) *raw_len = sc->pos - 1 - begin;
			return true;
		}
		if (c < 0x20) return false;
		if (c != '\\') continue;
		if (sc->pos >= sc->len) return false;
		c = (unsigned char)sc->s[sc->pos++];
		if (c == 'u') {
			for (int i = 0; i < 4; i++, sc->pos++)
				if (sc->pos >= sc->len || hex_digit(sc->s[sc->pos]) < 0) return false;
		} else if (strchr("\"\\/bfnrt", c) == NULL || c == '\0') {
			return false;
		}
	}
	return false;
}

/* A number by JSON's grammar.  *integer: whether it is written as an
 * integer (no fraction, no exponent) within ±2^53, and then *value. */
static bool scan_number(struct scan *sc, bool *integer, int64_t *value)
{
	scan_blanks(sc);
	size_t p = sc->pos;
	const char *s = sc->s;
	bool negative = p < sc->len && s[p] == '-';
	int64_t v = 0;
	bool fits = true;
	if (negative) p++;
	if (p < sc->len && s[p] == '0') {
		p++;
	} else if (p < sc->len && s[p] >= '1' && s[p] <= '9') {
		for (; p < sc->len && is_digit(s[p]); p++) {
			if (v > ((int64_t)1 << 53) / 10) fits = false;
			if (fits) v = v * 10 + (s[p] - '0');
		}
	} else {
		return false;
	}
	bool plain = true;
	if (p < sc->len && s[p] == '.') {
		plain = false;
		if (++p >= sc->len || !is_digit(s[p])) return false;
		while (p < sc->len && is_digit(s[p])) p++;
	}
	if (p < sc->len && (s[p] == 'e' || s[p] == 'E')) {
		plain = false;
		p++;
		if (p < sc->len && (s[p] == '+' || s[p] == '-')) p++;
		if (p >= sc->len || !is_digit(s[p])) return false;
		while (p < sc->len && is_digit(s[p])) p++;
	}
	sc->pos = p;
	if (integer != NULL) *integer = plain && fits;
	if (value != NULL) *value = negative ? -v : v;
	return true;
}

static bool scan_literal(struct scan *sc, const char *word)
{
	scan_blanks(sc);
	size_t n = strlen(word);
	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0) return false;
	sc->pos += n;
	return true;
}

static bool scan_value(struct scan *sc);

/* An array; last_begin and last_end: where its last element lies (both 0 when
 * it is empty). */
static bool scan_array(struct scan *sc, size_t *last_begin, size_t *last_end)
{
	if (last_begin != NULL) *last_begin = *last_end = 0;
	if (!scan_char(sc, '[') || ++sc->depth > SCAN_DEPTH_MAX) return false;
	if (scan_char(sc, ']')) {
		sc->depth--;
		return true;
	}
	do {
		scan_blanks(sc);
		size_t begin = sc->pos;
		if (!scan_value(sc)) return false;
		if (last_begin != NULL) {
			*last_begin = begin;
			*last_end = sc->pos;
		}
	} while (scan_char(sc, ','));
	sc->depth--;
	return scan_char(sc, ']');
}

static bool scan_object(struct scan *sc)
{
	if (!scan_char(sc, '{') || ++sc->depth > SCAN_DEPTH_MAX) return false;
	if (scan_char(sc, '}')) {
		sc->depth--;
		return true;
	}
	do {
		if (!scan_string(sc, NULL, NULL) || !scan_char(sc, ':') || !scan_value(sc)) return false;
	} while (scan_char(sc, ','));
	sc->depth--;
	return scan_char(sc, '}');
}

static bool scan_value(struct scan *sc)
{
	scan_blanks(sc);
	if (sc->pos >= sc->len) return false;
	switch (sc->s[sc->pos]) {
	case '{': return scan_object(sc);
	case '[': return scan_array(sc, NULL, NULL);
	case '"': return scan_string(sc, NULL, NULL);
	case 't': return scan_literal(sc, "true");
	case 'f': return scan_literal(sc, "false");
	case 'n': return scan_literal(sc, "null");
	default: return scan_number(sc, NULL, NULL);
	}
}

static bool key_is(const char *raw, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(raw, name, len) == 0;
}

/* The point object at s[begin..end) (already scanned as valid JSON): its
 * three phases (required) and time (optional).  0, or -1 with err set. */
static int read_point(const char *s, size_t begin, size_t end, const char *series, int32_t watts[3], int64_t *time_ms,
                      struct ecu_web_error *err)
{
	static const char *const phase[3] = { "powerA", "powerB", "powerC" };
	struct scan sc = { .s = s, .len = end, .pos = begin };
	bool seen[3] = { false, false, false };
	*time_ms = 0;
	if (!scan_char(&sc, '{'))
		return fail(err, ECU_WEB_E_GARBAGE, "the last point of \"%s\" is not an object", series);
	if (scan_char(&sc, '}')) goto check;
	do {
		const char *key;
		size_t key_len;
		scan_string(&sc, &key, &key_len);
		scan_char(&sc, ':');
		scan_blanks(&sc);
		int which = -1;
		for (int i = 0; i < 3; i++)
			if (key_is(key, key_len, phase[i])) which = i;
		bool is_time = key_is(key, key_len, "time");
		int64_t v = 0;
		bool integer = false;
		bool number = (which >= 0 || is_time) && sc.pos < sc.len &&
		              (sc.s[sc.pos] == '-' || is_digit(sc.s[sc.pos])) && scan_number(&sc, &integer, &v);
		if (which >= 0 && !seen[which]) {
			if (!number || !integer || v < -ECU_METER_WATTS_LIMIT || v > ECU_METER_WATTS_LIMIT)
				return fail(err, ECU_WEB_E_GARBAGE, "\"%s\" of the last point of \"%s\" is not a whole number of W within 1 MW",
				            phase[which], series);
			watts[which] = (int32_t)v;
			seen[which] = true;
		} else if (is_time) {
			if (!number || !integer)
				return fail(err, ECU_WEB_E_GARBAGE, "\"time\" of the last point of \"%s\" is not a whole number", series);
			*time_ms = (int64_t)v;
		} else if (!number) {
			scan_value(&sc);
		}
	} while (scan_char(&sc, ','));
check:
	for (int i = 0; i < 3; i++)
		if (!seen[i]) return fail(err, ECU_WEB_E_GARBAGE, "\"%s\" of the last point of \"%s\" is missing", phase[i], series);
	return 0;
}

int ecu_web_parse_meter_graph(const char *body, size_t len, struct ecu_meter_reading *out,
                              struct ecu_web_error *err)
{
	memset(out, 0, sizeof(*out));
	if (body == NULL || len == 0) return fail(err, ECU_WEB_E_GARBAGE, "empty body");
	struct scan sc = { .s = body, .len = len };
	/* Where each series' last point lies: [begin, end), 0/0 when none. */
	size_t last[2][2] = { { 0, 0 }, { 0, 0 } };
	bool seen[2] = { false, false };
	if (!scan_char(&sc, '{') || ++sc.depth > SCAN_DEPTH_MAX) goto not_json;
	if (!scan_char(&sc, '}')) {
		do {
			const char *key;
			size_t key_len;
			if (!scan_string(&sc, &key, &key_len) || !scan_char(&sc, ':')) goto not_json;
			int which = key_is(key, key_len, "power1") ? 0 : key_is(key, key_len, "power2") ? 1 : -1;
			scan_blanks(&sc);
			if (which < 0 || seen[which]) {
				if (!scan_value(&sc)) goto not_json;
				continue;
			}
			seen[which] = true;
			if (sc.pos < sc.len && sc.s[sc.pos] == '[') {
				if (!scan_array(&sc, &last[which][0], &last[which][1])) goto not_json;
			} else if (scan_literal(&sc, "null")) {
				/* no series: like an empty one */
			} else {
				if (!scan_value(&sc)) goto not_json;
				return fail(err, ECU_WEB_E_GARBAGE, "\"power%d\" is not an array", which + 1);
			}
		} while (scan_char(&sc, ','));
		if (!scan_char(&sc, '}')) goto not_json;
	}
	scan_blanks(&sc);
	if (sc.pos != len) goto not_json;

	for (int i = 0; i < 2; i++) {
		if (last[i][1] == 0) continue;
		int32_t *watts = i == 0 ? out->production_w : out->grid_w;
		int64_t *time_ms = i == 0 ? &out->production_time_ms : &out->grid_time_ms;
		if (read_point(body, last[i][0], last[i][1], i == 0 ? "power1" : "power2", watts, time_ms, err) != 0) {
			memset(out, 0, sizeof(*out));
			return -1;
		}
	}
	out->has_production = last[0][1] != 0;
	out->has_grid = last[1][1] != 0;
	if (!out->has_production && !out->has_grid)
		return fail(err, ECU_WEB_E_NO_DATA, "the meter graph has no point yet");
	out->has_consumption = out->has_production && out->has_grid;
	for (int i = 0; out->has_consumption && i < 3; i++)
		out->consumption_w[i] = out->production_w[i] + out->grid_w[i]; /* each within ±1 MW: no overflow */
	return ok(err);
not_json:
	if (memchr(body, '\0', len) != NULL) return fail(err, ECU_WEB_E_GARBAGE, "a NUL byte in the body (%zu bytes)", len);
	return fail(err, ECU_WEB_E_GARBAGE, "not a JSON object (%zu bytes; stopped at byte %zu)", len, sc.pos);
}


/* URL-decodes s[0..len) into out (cap bytes with the NUL): its length, or
 * -2 when malformed or too long. */
static int form_decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3) return -2;
			int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0) return -2;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0' || n + 1 >= cap) return -2;
		out[n++] = c;
	}
	out[n] = '\0';
	return (int)n;
}

int ecu_web_form_field(const char *form, size_t len, const char *name, char *out, size_t cap)
{
	if (form == NULL || name == NULL || out == NULL || cap == 0 || cap > INT_MAX) return -2;
	out[0] = '\0';
	size_t name_len = strlen(name);
	size_t pos = 0;
	while (pos < len) {
		const char *amp = memchr(form + pos, '&', len - pos);
		size_t end = amp != NULL ? (size_t)(amp - form) : len;
		const char *eq = memchr(form + pos, '=', end - pos);
		size_t key_end = eq != NULL ? (size_t)(eq - form) : end;
		/* The key is compared decoded: "ids%5B%5D" is "ids[]". */
		char key[64];
		int key_len = form_decode(form + pos, key_end - pos, key, sizeof(key));
		if (key_len >= 0 && (size_t)key_len == name_len && memcmp(key, name, name_len) == 0) {
			if (eq == NULL) return 0; /* "name" alone: empty */
			return form_decode(eq + 1, end - key_end - 1, out, cap);
		}
		pos = end + 1;
	}
	return -1;
}

const char *ecu_web_code_name(enum ecu_web_code code)
{
	switch (code) {
	case ECU_WEB_OK: return "ok";
	case ECU_WEB_E_ARGUMENT: return "bad argument";
	case ECU_WEB_E_SPACE: return "no space";
	case ECU_WEB_E_REFUSED: return "refused";
	case ECU_WEB_E_GARBAGE: return "garbage";
	case ECU_WEB_E_NO_DATA: return "no data";
	}
	return "?";
}
