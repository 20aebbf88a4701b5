// SPDX-License-Identifier: MIT
/*
 * test_json_flat.c - plugin/mqtt/json_flat.c writes the same bytes as
 * cJSON_PrintUnformatted(), over its whole input domain: numbers (every
 * small integer, tenth, hundredth and thousandth the payloads hold, the
 * edges of double, and random bit patterns and decimals) and strings (every
 * byte alone, every escape, random byte strings).  Anything it cannot write
 * (a nested value, no room) it must refuse, never write differently.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aps_check.h"
#include "aps_random.h"
#include "json_flat.h"

static unsigned long compared;

/* obj through both writers: the same text, or json_print_flat refuses. */
static void same_text(cJSON *obj, const char *what)
{
	char flat[4096];
	size_t len = 0;
	char *want = cJSON_PrintUnformatted(obj);
	bool ok = json_print_flat(obj, flat, sizeof(flat), &len);
	compared++;
	if (!ok || want == NULL || len != strlen(want) || memcmp(flat, want, len) != 0)
		CHECKF(false, "%s: flat \"%.*s\", cJSON \"%s\"", what, ok ? (int)len : 0, ok ? flat : "(refused)",
		       want ? want : "(null)");
	cJSON_free(want);
	cJSON_Delete(obj);
}

static void number(double d)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "n", d);
	char what[64];
	snprintf(what, sizeof(what), "%.17g", d);
	same_text(obj, what);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t next_random(void) { return aps_xorshift64star(&rng_state); }

static void test_numbers(void)
{
	static const double edges[] = { 0.0, -0.0, 1, -1, 0.1, 0.2, 0.3, 1e-5, 1e-7, 123456789.123, 1e15 - 1, 1e15,
		                        1e15 + 1, 1e16, 1e17, 1e21, 1e22, 9007199254740991.0, 9007199254740993.0,
		                        DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, DBL_EPSILON, 5e-324, -5e-324,
		                        0.1 + 0.2, 1.0 / 3, 2.0 / 3, 299.99999999999994, 999.9995, 0.0005, 0.0015 };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		number(edges[i]);
		number(-edges[i]);
	}
	number(NAN);
	number(INFINITY);
	number(-INFINITY);
	/* What payloads hold: counts, watts, volts, 0.1 Hz, 0.01 kWh, 0.1 kWh. */
	static const double scale[] = { 1, 10, 100, 1000 };
	for (int k = 0; k < 4; k++)
		for (long m = -2000; m <= 200000; m++) number((double)m / scale[k]);
	/* Decimals anywhere below 1e15, and every bit pattern of a double. */
	for (int i = 0; i < 200000; i++) {
		uint64_t r = next_random();
		number((double)(r % 1000000000000000u) / scale[r >> 62]);
		double d;
		uint64_t bits = next_random();
		memcpy(&d, &bits, sizeof(d));
		number(d);
	}
}

static void string(const char *s, const char *what)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddStringToObject(obj, "s", s);
	cJSON_AddStringToObject(obj, s, "key");
	same_text(obj, what);
}

static void test_strings(void)
{
	char s[8];
	for (int c = 1; c < 256; c++) {
		snprintf(s, sizeof(s), "a%cb", c);
		char what[32];
		snprintf(what, sizeof(what), "byte 0x%02x", c);
		string(s, what);
	}
	string("", "empty");
	string("\"\\\b\f\n\r\t\x01\x1f/\x7f\xc3\xa9\xe2\x82\xac", "every escape");
	char r[64];
	for (int i = 0; i < 20000; i++) {
		size_t n = next_random() % (sizeof(r) - 1);
		for (size_t k = 0; k < n; k++) r[k] = (char)(1 + next_random() % 255);
		r[n] = '\0';
		string(r, "random bytes");
	}
}

static void test_refusals(void)
{
	char buf[16];
	size_t len;
	cJSON *nested = cJSON_CreateObject();
	cJSON_AddItemToObject(nested, "o", cJSON_CreateObject());
	CHECKF(!json_print_flat(nested, buf, sizeof(buf), &len), "a nested object is left to cJSON");
	cJSON_Delete(nested);
	cJSON *arr = cJSON_CreateArray();
	CHECKF(!json_print_flat(arr, buf, sizeof(buf), &len), "an array is left to cJSON");
	cJSON_Delete(arr);
	cJSON *big = cJSON_CreateObject();
	cJSON_AddStringToObject(big, "s", "more than sixteen bytes of text");
	CHECKF(!json_print_flat(big, buf, sizeof(buf), &len), "no room: refused, not cut");
	cJSON_Delete(big);
	/* Mixed members, the way a payload has them. */
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddTrueToObject(obj, "online");
	cJSON_AddFalseToObject(obj, "f");
	cJSON_AddNullToObject(obj, "last_success");
	cJSON_AddNumberToObject(obj, "power", 222.5);
	cJSON_AddStringToObject(obj, "model", "DS3");
	same_text(obj, "mixed members");
}

int main(void)
{
	test_numbers();
	test_strings();
	test_refusals();
	printf("test_json_flat: %lu objects compared with cJSON\n", compared);
	return aps_check_report("test_json_flat");
}
