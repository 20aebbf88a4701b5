// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/* json_flat.c - see json_flat.h; tests/payload/test_json_flat.c holds it to
 * cJSON's text. */
#include "json_flat.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_NUMBER_MAX 32

/* Digits of v (< 1e15), with a '.' before the last `decimals` of them. */
static size_t put_decimal(char *out, bool negative, uint64_t v, unsigned decimals)
{
	char rev[24];
	size_t n = 0, len = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n <= decimals);
	if (negative) out[len++] = '-';
	while (n > 0) {
		if (n == decimals) out[len++] = '.';
		out[len++] = rev[--n];
	}
	return len;
}

/* What cJSON prints for d: "%1.15g", or "%1.17g" when that does not read
 * back as d.  A double that is exactly the nearest one to m / 10^k, with m
 * below 10^15, is printed by "%1.15g" as that decimal: no sprintf needed. */
static size_t format_number(char *out, double d)
{
	static const double scale[] = { 1, 10, 100, 1000 };
	if (!isfinite(d)) {
		memcpy(out, "null", 4);
		return 4;
	}
	for (unsigned k = 0; k < sizeof(scale) / sizeof(scale[0]) && fabs(d) < 1e15; k++) {
		double m = nearbyint(fabs(d) * scale[k]);
		if (m >= 1e15) break;
		if (m / scale[k] == fabs(d)) return put_decimal(out, signbit(d), (uint64_t)m, k);
	}
	int n = snprintf(out, JSON_NUMBER_MAX, "%1.15g", d);
	double back = strtod(out, NULL);
	if (!(fabs(back - d) <= fmax(fabs(back), fabs(d)) * DBL_EPSILON))
		n = snprintf(out, JSON_NUMBER_MAX, "%1.17g", d);
	return n > 0 && n < JSON_NUMBER_MAX ? (size_t)n : 0;
}

struct json_out {
	char *buf;
	size_t len, cap;
};

static bool put(struct json_out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len) return false;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return true;
}

/* cJSON's escape for c, or NULL when c goes out as it is. */
static const char *escape_of(unsigned char c, char esc[8])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	}
	if (c >= 32) return NULL;
	snprintf(esc, 8, "\\u%04x", c);
	return esc;
}

static bool put_string(struct json_out *o, const char *s)
{
	const char *run = s ? s : "";
	if (!put(o, "\"", 1)) return false;
	for (const char *c = run;; c++) {
		char buf[8];
		const char *esc = *c ? escape_of((unsigned char)*c, buf) : NULL;
		if (*c && !esc) continue;
		/* The bytes up to here go out as they are, in one copy. */
		if (!put(o, run, (size_t)(c - run))) return false;
		if (!*c) break;
		if (!put(o, esc, strlen(esc))) return false;
		run = c + 1;
	}
	return put(o, "\"", 1);
}

bool json_print_flat(const cJSON *obj, char *buf, size_t cap, size_t *len)
{
	struct json_out o = { buf, 0, cap };
	if (!cJSON_IsObject(obj) || !put(&o, "{", 1)) return false;
	for (const cJSON *item = obj->child; item; item = item->next) {
		if ((item != obj->child && !put(&o, ",", 1)) || !put_string(&o, item->string) || !put(&o, ":", 1))
			return false;
		char num[JSON_NUMBER_MAX];
		size_t n;
		switch (item->type & 0xff) {
		case cJSON_False: if (!put(&o, "false", 5)) return false; break;
		case cJSON_True: if (!put(&o, "true", 4)) return false; break;
		case cJSON_NULL: if (!put(&o, "null", 4)) return false; break;
		case cJSON_String: if (!put_string(&o, item->valuestring)) return false; break;
		case cJSON_Number:
			n = format_number(num, item->valuedouble);
			if (n == 0 || !put(&o, num, n)) return false;
			break;
		default:
			return false;
		}
	}
	if (!put(&o, "}", 1)) return false;
	*len = o.len;
	return true;
}
