// SPDX-License-Identifier: MIT
/* The ECU's web pages as data (common/ecu_web.c): the forms, the checks of
 * each page's answer, the meter graph; garbage, truncated, huge and
 * wrong-type answers are errors with a reason, never a reading. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aps_check.h"
#include "aps_random.h"
#include "ecu_web.h"

static const char UID[] = "703000030246";

static void test_forms(void)
{
	char out[ECU_WEB_FORM_MAX];
	struct ecu_web_error err;
	aps_check_case("forms");
	CHECK(ecu_web_switch_form(out, sizeof(out), UID, true, &err) > 0);
	CHECK_STR(out, "ids%5B%5D=7030000302461");
	CHECK(ecu_web_switch_form(out, sizeof(out), UID, false, &err) > 0);
	CHECK_STR(out, "ids%5B%5D=7030000302462");
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 300, &err) > 0);
	CHECK_STR(out, "id=703000030246&maxpower=300");
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 0, &err) > 0);
	CHECK_STR(out, "id=703000030246&maxpower=0");
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 20, &err) > 0);
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 500, &err) > 0);
	CHECK(ecu_web_meter_funcs_form(out, sizeof(out), true, 0, &err) > 0);
	CHECK_STR(out, "meter_func=1&this_func=1&power_limit=0");
	CHECK(ecu_web_meter_funcs_form(out, sizeof(out), false, 1500, &err) > 0);
	CHECK_STR(out, "meter_func=0&this_func=1&power_limit=1500");
	CHECK(ecu_web_reboot_form(out, sizeof(out), "My Net", "pa&ss=wo%rd", &err) > 0);
	CHECK_STR(out, "SSID=My+Net&channel=0&method=2&psk_wep=&psk_wpa=pa%26ss%3Dwo%25rd");

	/* Bad values: an error, a reason, nothing written past a NUL. */
	static const char *const bad_uids[] = { "", "70300003024", "7030000302467", "70300003024a", "70300003024 ",
		                                "-70300003024", "703000030246\n" };
	for (size_t i = 0; i < sizeof(bad_uids) / sizeof(bad_uids[0]); i++) {
		CHECK(ecu_web_switch_form(out, sizeof(out), bad_uids[i], true, &err) == -1);
		CHECK(err.code == ECU_WEB_E_ARGUMENT && err.reason[0] != '\0');
		CHECK(ecu_web_maxpower_form(out, sizeof(out), bad_uids[i], 300, &err) == -1);
	}
	CHECK(ecu_web_switch_form(out, sizeof(out), NULL, true, &err) == -1);
	CHECK(!ecu_web_uid_ok(NULL) && ecu_web_uid_ok(UID));
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 19, &err) == -1 && err.code == ECU_WEB_E_ARGUMENT);
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 501, &err) == -1);
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 1, &err) == -1);
	CHECK(ecu_web_maxpower_form(out, sizeof(out), UID, 4294967295u, &err) == -1);
	CHECK(ecu_web_meter_funcs_form(out, sizeof(out), true, ECU_WEB_POWER_LIMIT_MAX + 1, &err) == -1);
	CHECK(ecu_web_meter_funcs_form(out, sizeof(out), true, ECU_WEB_POWER_LIMIT_MAX, &err) > 0);
	CHECK(ecu_web_reboot_form(out, sizeof(out), "", "password", &err) == -1);
	CHECK(ecu_web_reboot_form(out, sizeof(out), "s", "short", &err) == -1);
	CHECK(strstr(err.reason, "short") == NULL); /* never the secret */
	CHECK(ecu_web_reboot_form(out, sizeof(out), NULL, NULL, &err) == -1);

	/* The longest reboot form fits ECU_WEB_FORM_MAX; one byte less does not. */
	char ssid[ECU_WEB_SSID_MAX + 1], pw[ECU_WEB_PASSWD_MAX + 1];
	memset(ssid, '&', ECU_WEB_SSID_MAX);
	ssid[ECU_WEB_SSID_MAX] = '\0';
	memset(pw, '%', ECU_WEB_PASSWD_MAX);
	pw[ECU_WEB_PASSWD_MAX] = '\0';
	int n = ecu_web_reboot_form(out, sizeof(out), ssid, pw, &err);
	CHECK(n > 0 && (size_t)n < sizeof(out));
	CHECK(n > 0 && ecu_web_reboot_form(out, (size_t)n, ssid, pw, &err) == -1 && err.code == ECU_WEB_E_SPACE);
	CHECK(out[0] == '\0');
	CHECK(ecu_web_switch_form(out, 5, UID, true, &err) == -1 && err.code == ECU_WEB_E_SPACE);
	CHECK(ecu_web_switch_form(NULL, 0, UID, true, &err) == -1);

	/* A form read back, as the simulator does. */
	char v[64];
	CHECK(ecu_web_reboot_form(out, sizeof(out), "My Net", "pa&ss=wo%rd", &err) > 0);
	CHECK(ecu_web_form_field(out, strlen(out), "SSID", v, sizeof(v)) == 6);
	CHECK_STR(v, "My Net");
	CHECK(ecu_web_form_field(out, strlen(out), "psk_wpa", v, sizeof(v)) == 11);
	CHECK_STR(v, "pa&ss=wo%rd");
	CHECK(ecu_web_form_field(out, strlen(out), "psk_wep", v, sizeof(v)) == 0);
	CHECK(ecu_web_form_field(out, strlen(out), "nope", v, sizeof(v)) == -1);
	CHECK(ecu_web_form_field(out, strlen(out), "psk_wpa", v, 5) == -2);
	CHECK(ecu_web_switch_form(out, sizeof(out), UID, false, &err) > 0);
	CHECK(ecu_web_form_field(out, strlen(out), "ids[]", v, sizeof(v)) == 13);
	CHECK_STR(v, "7030000302462");
	CHECK(ecu_web_form_field("ids[]=1", 7, "ids[]", v, sizeof(v)) == 1); /* unencoded brackets too */
	CHECK(ecu_web_form_field("a=%4", 4, "a", v, sizeof(v)) == -2);
	CHECK(ecu_web_form_field("a=%zz", 5, "a", v, sizeof(v)) == -2);
	CHECK(ecu_web_form_field("a=%00", 5, "a", v, sizeof(v)) == -2);
	CHECK(ecu_web_form_field("a=1&a=2", 7, "a", v, sizeof(v)) == 1 && v[0] == '1');
	CHECK(ecu_web_form_field("&&=&a", 5, "a", v, sizeof(v)) == 0);
	CHECK(ecu_web_form_field("a=12", 3, "a", v, sizeof(v)) == 1 && v[0] == '1'); /* len bounds it */
}

struct answer {
	const char *body;
	int rc;
	enum ecu_web_code code;
};

static void test_message_pages(void)
{
	char msg[ECU_WEB_MESSAGE_MAX];
	struct ecu_web_error err;
	static const struct answer sw[] = {
		{ "{\"message\":\"See the results 5 minutes later !\"}", 0, ECU_WEB_OK },
		{ " {\"code\":1, \"message\" : \"See the results 5 minutes later !\"}\r\n", 0, ECU_WEB_OK },
		{ "{\"message\":\"Failed\"}", -1, ECU_WEB_E_REFUSED },
		{ "{\"message\":\"see the results 5 minutes later !\"}", -1, ECU_WEB_E_REFUSED },
		{ "{\"message\":1}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"message\":null}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"Message\":\"See the results 5 minutes later !\"}", -1, ECU_WEB_E_GARBAGE },
		{ "[\"message\"]", -1, ECU_WEB_E_GARBAGE },
		{ "\"message\"", -1, ECU_WEB_E_GARBAGE },
		{ "{\"message\":\"See the results 5 minutes later !\"", -1, ECU_WEB_E_GARBAGE },
		{ "{\"message\":\"See the results 5 minutes later !\"}x", -1, ECU_WEB_E_GARBAGE },
		{ "{\"message\":\"See the results 5 minutes later !\"}{}", -1, ECU_WEB_E_GARBAGE },
		{ "<html><body>404</body></html>", -1, ECU_WEB_E_GARBAGE },
		{ "0", -1, ECU_WEB_E_GARBAGE },
		{ "", -1, ECU_WEB_E_GARBAGE },
	};
	for (size_t i = 0; i < sizeof(sw) / sizeof(sw[0]); i++) {
		aps_check_case("set_switch_state answer %zu", i);
		CHECK_INT(ecu_web_check_switch(sw[i].body, strlen(sw[i].body), msg, sizeof(msg), &err), sw[i].rc);
		CHECK_INT(err.code, sw[i].code);
		CHECK(sw[i].rc == 0 || err.reason[0] != '\0');
		CHECK(strstr(err.reason, "Failed") == NULL); /* never the answer's bytes */
	}
	aps_check_case("messages");
	CHECK(ecu_web_check_switch(sw[0].body, strlen(sw[0].body), msg, sizeof(msg), &err) == 0);
	CHECK_STR(msg, ECU_WEB_SWITCH_ACCEPTED);
	CHECK(ecu_web_check_switch(sw[2].body, strlen(sw[2].body), msg, sizeof(msg), &err) == -1);
	CHECK_STR(msg, "Failed"); /* the caller may log it, cleaned */
	const char ctl[] = "{\"message\":\"a\\nb\\u0007c\"}";
	CHECK(ecu_web_check_maxpower(ctl, strlen(ctl), msg, sizeof(msg), &err) == 0);
	CHECK_STR(msg, "a?b?c");
	char small[4];
	CHECK(ecu_web_check_maxpower(ctl, strlen(ctl), small, sizeof(small), &err) == 0);
	CHECK_STR(small, "a?b");
	CHECK(ecu_web_check_maxpower(ctl, strlen(ctl), NULL, 0, &err) == 0);
	/* A NUL inside the body: cJSON would stop there; we refuse. */
	const char nul[] = "{\"message\":\"x\"}\0{";
	CHECK(ecu_web_check_maxpower(nul, sizeof(nul) - 1, msg, sizeof(msg), &err) == -1);
	/* Bounded by len, not by a NUL: a prefix of a valid answer is garbage. */
	CHECK(ecu_web_check_maxpower(sw[0].body, 20, msg, sizeof(msg), &err) == -1);
	CHECK(ecu_web_check_maxpower(NULL, 0, msg, sizeof(msg), &err) == -1 && err.code == ECU_WEB_E_GARBAGE);

	static const struct answer meter[] = {
		{ "0", 0, ECU_WEB_OK },
		{ " 0\r\n", 0, ECU_WEB_OK },
		{ "1", -1, ECU_WEB_E_REFUSED },
		{ "-1", -1, ECU_WEB_E_REFUSED },
		{ "{\"message\":\"Success\"}", 0, ECU_WEB_OK },
		{ "00x", -1, ECU_WEB_E_GARBAGE },
		{ "1234567890", -1, ECU_WEB_E_GARBAGE },
		{ "-", -1, ECU_WEB_E_GARBAGE },
		{ "", -1, ECU_WEB_E_GARBAGE },
		{ "{}", -1, ECU_WEB_E_GARBAGE },
		{ "true", -1, ECU_WEB_E_GARBAGE },
	};
	for (size_t i = 0; i < sizeof(meter) / sizeof(meter[0]); i++) {
		aps_check_case("set_meter_display_funcs answer %zu", i);
		CHECK_INT(ecu_web_check_meter_funcs(meter[i].body, strlen(meter[i].body), msg, sizeof(msg), &err),
		          meter[i].rc);
		CHECK_INT(err.code, meter[i].code);
	}

	static const struct answer reboot[] = {
		{ "{\"value\":0}", 0, ECU_WEB_OK },
		{ " { \"value\" : 0 } \r\n", 0, ECU_WEB_OK },
		{ "{\"value\":1}", -1, ECU_WEB_E_REFUSED },
		{ "{\"value\":-1}", -1, ECU_WEB_E_REFUSED },
		{ "{\"value\":\"0\"}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"value\":0,\"x\":1}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"value\":0}}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"Value\":0}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"value\":}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"value\":0", -1, ECU_WEB_E_GARBAGE },
		{ "{\"value\":12345678901234567890}", -1, ECU_WEB_E_GARBAGE },
		{ "", -1, ECU_WEB_E_GARBAGE },
	};
	for (size_t i = 0; i < sizeof(reboot) / sizeof(reboot[0]); i++) {
		long value = 99;
		aps_check_case("set_wlan_ap answer %zu", i);
		CHECK_INT(ecu_web_check_reboot(reboot[i].body, strlen(reboot[i].body), &value, &err), reboot[i].rc);
		CHECK_INT(err.code, reboot[i].code);
	}
}

/* A meter graph of n points per series, like the ECU's: 5-minute steps. */
static char *graph(int n, int a1, int a2)
{
	size_t cap = 128 + (size_t)n * 2 * 96;
	char *s = malloc(cap), *p = s;
	p += sprintf(p, "{\"power1\":[");
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s{\"time\":%lld,\"powerA\":%d,\"powerB\":%d,\"powerC\":0}", i ? "," : "",
		             1745618573000LL + i * 300000LL, i == n - 1 ? a1 : 7, i);
	p += sprintf(p, "],\"power2\":[");
	for (int i = 0; i < n; i++)
		p += sprintf(p, "%s{\"time\":%lld,\"powerA\":%d,\"powerB\":%d,\"powerC\":-3}", i ? "," : "",
		             1745618573000LL + i * 300000LL, i == n - 1 ? a2 : 9, -i);
	sprintf(p, "]}");
	return s;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_meter(void)
{
	struct ecu_meter_reading m;
	struct ecu_web_error err;
	aps_check_case("meter graph");
	char *g = graph(3, 1200, -800);
	CHECK(ecu_web_parse_meter_graph(g, strlen(g), &m, &err) == 0);
	CHECK(m.has_production && m.has_grid && m.has_consumption);
	CHECK_INT(m.production_w[0], 1200);
	CHECK_INT(m.production_w[1], 2);
	CHECK_INT(m.grid_w[0], -800);
	CHECK_INT(m.grid_w[1], -2);
	CHECK_INT(m.grid_w[2], -3);
	CHECK_INT(m.consumption_w[0], 400);
	CHECK_INT(m.consumption_w[1], 0);
	CHECK_INT(m.consumption_w[2], -3);
	CHECK(m.production_time_ms == 1745618573000LL + 600000LL);
	/* Every prefix is garbage (or, for none, a reading): never a crash. */
	for (size_t len = 0; len < strlen(g); len++) {
		int rc = ecu_web_parse_meter_graph(g, len, &m, &err);
		CHECK(rc == -1 && err.code == ECU_WEB_E_GARBAGE);
		CHECK(!m.has_production && !m.has_grid);
	}
	free(g);

	/* A day of points (288 per series, ~40 KB): parsed, and how long it takes. */
	g = graph(288, 5, 282);
	size_t len = strlen(g);
	CHECK(len < ECU_WEB_METER_ANSWER_MAX);
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 20; i++) {
		uint64_t t0 = mono_ns();
		CHECK(ecu_web_parse_meter_graph(g, len, &m, &err) == 0);
		uint64_t took = mono_ns() - t0;
		if (took < best) best = took;
	}
	CHECK_INT(m.consumption_w[0], 287);
	printf("meter graph of %zu bytes (288 points per series) parsed in %llu us (best of 20)\n", len,
	       (unsigned long long)(best / 1000));
	free(g);

	static const struct answer cases[] = {
		{ "{\"power1\":[],\"power2\":[]}", -1, ECU_WEB_E_NO_DATA },
		{ "{}", -1, ECU_WEB_E_NO_DATA },
		{ "{\"power1\":null}", -1, ECU_WEB_E_NO_DATA },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]}", 0, ECU_WEB_OK },
		{ "{\"power2\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]}", 0, ECU_WEB_OK },
		{ "{\"power1\":{},\"power2\":[]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[1]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":\"1\",\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1.5,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1e300,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1000001,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":-1000000,\"powerB\":2,\"powerC\":3}]}", 0, ECU_WEB_OK },
		{ "{\"power1\":[{\"time\":\"x\",\"powerA\":1,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}],\"power2\":7}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1.0,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1e2,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":01,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":-,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":99999999999999999999,\"powerB\":2,\"powerC\":3}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3,\"x\":[{\"y\":\"\\u00e9\\n\"},true,false,null,-0.5e+3]}]}", 0, ECU_WEB_OK },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3,\"x\":\"\\q\"}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3,\"x\":\"\\u12g4\"}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3,\"x\":\"\t\"}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3},]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}],}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]}}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]} \r\n", 0, ECU_WEB_OK },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}],\"power1\":7}", 0, ECU_WEB_OK },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}],\"power1\":[}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]\"power2\":[]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3} {}]}", -1, ECU_WEB_E_GARBAGE },
		{ "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}],\"power2\":tru}", -1, ECU_WEB_E_GARBAGE },
		{ "{power1:[]}", -1, ECU_WEB_E_GARBAGE },
		{ "[]", -1, ECU_WEB_E_GARBAGE },
		{ "null", -1, ECU_WEB_E_GARBAGE },
		{ "nonsense", -1, ECU_WEB_E_GARBAGE },
		{ "", -1, ECU_WEB_E_GARBAGE },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aps_check_case("meter graph case %zu", i);
		CHECK_INT(ecu_web_parse_meter_graph(cases[i].body, strlen(cases[i].body), &m, &err), cases[i].rc);
		CHECK_INT(err.code, cases[i].code);
	}
	aps_check_case("meter graph, NUL inside");
	const char nul[] = "{\"power1\":[{\"powerA\":1,\"powerB\":2,\"powerC\":3}]}\0";
	CHECK(ecu_web_parse_meter_graph(nul, sizeof(nul) - 1, &m, &err) == -1 && strstr(err.reason, "NUL") != NULL);
	aps_check_case("meter graph, one series");
	CHECK(ecu_web_parse_meter_graph(cases[3].body, strlen(cases[3].body), &m, &err) == 0);
	CHECK(m.has_production && !m.has_grid && !m.has_consumption && m.consumption_w[0] == 0);

	/* A huge graph (20000 points per series, ~2.3 MB): read whole, bounded in time. */
	aps_check_case("meter graph, huge");
	g = graph(20000, 1, 2);
	len = strlen(g);
	uint64_t t0 = mono_ns();
	CHECK(ecu_web_parse_meter_graph(g, len, &m, &err) == 0);
	printf("meter graph of %zu bytes parsed in %llu us\n", len, (unsigned long long)((mono_ns() - t0) / 1000));
	CHECK_INT(m.production_w[0], 1);
	CHECK_INT(m.grid_w[0], 2);
	g[len - 2] = 'x'; /* one bad byte at the very end spoils all of it */
	CHECK(ecu_web_parse_meter_graph(g, len, &m, &err) == -1 && err.code == ECU_WEB_E_GARBAGE);
	free(g);

	/* Deep nesting and a huge body: garbage, bounded. */
	aps_check_case("meter graph, deep and huge");
	size_t deep = 100000;
	char *d = malloc(2 * deep + 1);
	memset(d, '[', deep);
	memset(d + deep, ']', deep);
	d[2 * deep] = '\0';
	CHECK(ecu_web_parse_meter_graph(d, 2 * deep, &m, &err) == -1 && err.code == ECU_WEB_E_GARBAGE);
	free(d);

	/* Random bytes and random mutations of a real graph: never a crash. */
	uint64_t rng = 14;
	g = graph(4, 10, 20);
	len = strlen(g);
	char *mut = malloc(len + 1);
	for (int round = 0; round < 20000; round++) {
		memcpy(mut, g, len + 1);
		for (int k = 0; k < 1 + (int)(aps_xorshift64star(&rng) % 4); k++)
			mut[aps_xorshift64star(&rng) % len] = (char)(aps_xorshift64star(&rng) & 0xff);
		size_t cut = aps_xorshift64star(&rng) % (len + 1);
		int rc = ecu_web_parse_meter_graph(mut, cut, &m, &err);
		if (rc == 0) CHECK(m.has_production || m.has_grid);
		rc = ecu_web_check_switch(mut, cut, NULL, 0, &err);
		rc = ecu_web_check_meter_funcs(mut, cut, NULL, 0, &err);
		rc = ecu_web_check_reboot(mut, cut, NULL, &err);
		(void)rc;
	}
	free(mut);
	free(g);
}

int main(void)
{
	test_forms();
	test_message_pages();
	test_meter();
	return aps_check_report("test_ecu_web");
}
