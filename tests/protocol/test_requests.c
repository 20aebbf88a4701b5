// SPDX-License-Identifier: MIT
/*
 * test_requests.c - the small pure helpers: request bytes, model names,
 * signal percentages, error names.  No fixtures needed.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void check_request(enum aps_command cmd, const char *id, const char *want)
{
	char buf[64];
	size_t len = strlen(want);

	aps_check_case("request %d for %s", (int)cmd, id ? id : "(null)");
	memset(buf, 'Z', sizeof buf);
	int rc = aps_build_request(cmd, id, buf, sizeof buf);
	if (!CHECK_INT(rc, (long long)len)) return;
	CHECKF(memcmp(buf, want, len) == 0 && buf[len] == '\0', "request is \"%.*s\"", (int)len, buf);

	/* Room for the bytes and the NUL is enough; one less is not. */
	memset(buf, 'Z', sizeof buf);
	CHECK_INT(aps_build_request(cmd, id, buf, len + 1), (long long)len);
	CHECKF(memcmp(buf, want, len) == 0 && buf[len] == '\0', "request with exact room differs");
	CHECKF(buf[len + 1] == 'Z', "wrote past the capacity given");
	for (size_t cap = 0; cap <= len; cap++) {
		memset(buf, 'Z', sizeof buf);
		CHECK_INT(aps_build_request(cmd, id, buf, cap), -APS_E_ARG);
		CHECKF(buf[cap] == 'Z', "cap %zu: wrote past the capacity given", cap);
	}
}

static void test_requests(void)
{
	static const char *const bad_ids[] = {
		NULL, "", "21620003351", "2162000335100", "21620003351a", "21620003351/", "21620003351:",
		" 21620003351", "+21620003351", "-21620003351", "2162 0033510", "21620003351#",
	};
	char buf[APS_REQUEST_MAX];

	check_request(APS_CMD_ECU_INFO, NULL, "APS1100160001END\n");
	check_request(APS_CMD_ECU_INFO, "not an id", "APS1100160001END\n");
	check_request(APS_CMD_INVERTERS, "216200033510", "APS1100280002216200033510END\n");
	check_request(APS_CMD_SIGNAL, "216200033510", "APS1100280030216200033510END\n");
	check_request(APS_CMD_INVERTERS, "000000000000", "APS1100280002000000000000END\n");
	check_request(APS_CMD_SIGNAL, "999999999999", "APS1100280030999999999999END\n");

	aps_check_case("request buffer bound");
	CHECKF(APS_REQUEST_MAX >= 30, "APS_REQUEST_MAX %d cannot hold a 29-byte request and its NUL", APS_REQUEST_MAX);
	CHECK_INT(aps_build_request(APS_CMD_SIGNAL, "216000120830", buf, sizeof buf), 29);

	for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		aps_check_case("request with ECU id \"%s\"", bad_ids[i] ? bad_ids[i] : "(null)");
		CHECK_INT(aps_build_request(APS_CMD_INVERTERS, bad_ids[i], buf, sizeof buf), -APS_E_ARG);
		CHECK_INT(aps_build_request(APS_CMD_SIGNAL, bad_ids[i], buf, sizeof buf), -APS_E_ARG);
	}

	aps_check_case("request with an id of 12 digits and a NUL inside");
	CHECK_INT(aps_build_request(APS_CMD_INVERTERS, "216200\0" "33510", buf, sizeof buf), -APS_E_ARG);
	aps_check_case("request for no known command");
	CHECK_INT(aps_build_request((enum aps_command)3, "216200033510", buf, sizeof buf), -APS_E_ARG);
	CHECK_INT(aps_build_request((enum aps_command)0, NULL, buf, sizeof buf), -APS_E_ARG);
	aps_check_case("request into a NULL buffer");
	CHECK_INT(aps_build_request(APS_CMD_ECU_INFO, NULL, NULL, 64), -APS_E_ARG);
}

static void test_ecu_models(void)
{
	static const struct {
		const char *id, *model;
	} cases[] = {
		{"216000120830", "ECU-R"},   {"216200033510", "ECU-R-PRO"}, {"216200069349", "ECU-R-PRO"},
		{"216300036646", "ECU-B"},   {"215000001234", "ECU-C"},     {"215912345678", "ECU-C"},
		{"203012345678", "ECU-3"},   {"216100000000", "ECU"},       {"216400000000", "ECU"},
		{"214900000000", "ECU"},     {"999999999999", "ECU"},       {"2160", "ECU-R"},
		{"216", "ECU"},              {"", "ECU"},                   {"ABCDEFGHIJKL", "ECU"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		aps_check_case("ECU model of \"%s\"", cases[i].id);
		CHECK_STR(aps_ecu_model(cases[i].id), cases[i].model);
	}
	aps_check_case("ECU model of NULL");
	CHECK_STR(aps_ecu_model(NULL), "ECU");
}

static void test_inverter_models(void)
{
	static const struct {
		const char *uid, *type, *model;
	} by_uid[] = {
		{"408000012345", "01", "YC600"}, {"501000012345", "02", "YC1000"}, {"704000037390", "01", "DS3"},
		{"804000070564", "03", "QS1"},   {"901000007352", "02", "QT2"},    {"100000000001", "01", "YC500"},
		/* The UID wins over the type code. */
		{"802000142216", "01", "QS1"},   {"702000016318", "00", "DS3"},    {"901000004208", "05", "QT2"},
	};
	struct aps_inverter inv;

	for (size_t i = 0; i < sizeof by_uid / sizeof by_uid[0]; i++) {
		aps_check_case("inverter model of %s type %s", by_uid[i].uid, by_uid[i].type);
		memset(&inv, 0, sizeof inv);
		snprintf(inv.uid, sizeof inv.uid, "%s", by_uid[i].uid);
		snprintf(inv.type, sizeof inv.type, "%s", by_uid[i].type);
		CHECK_STR(aps_inverter_model(&inv), by_uid[i].model);
	}

	/* Unknown prefix: the type decides; the header names these two. */
	static const char *const types[] = {"00", "01", "02", "03", "04", "05", "99", ""};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		aps_check_case("inverter model of unknown UID, type \"%s\"", types[i]);
		memset(&inv, 0, sizeof inv);
		snprintf(inv.uid, sizeof inv.uid, "%s", "300000000001");
		snprintf(inv.type, sizeof inv.type, "%s", types[i]);
		const char *m = aps_inverter_model(&inv);
		if (!CHECKF(m && m[0], "no model name")) continue;
		if (strcmp(types[i], "02") == 0) CHECK_STR(m, "YC1000/QT2");
		if (strcmp(types[i], "03") == 0) CHECK_STR(m, "QS1");
	}
	aps_check_case("inverter model of NULL");
	CHECKF(aps_inverter_model(NULL) != NULL, "NULL model name");
}

static void test_percent(void)
{
	static const int spot[][2] = {{0, 0}, {1, 0}, {2, 0}, {3, 1}, {171, 67}, {204, 80}, {216, 84},
	                              {225, 88}, {227, 89}, {254, 99}, {255, 100}};

	for (size_t i = 0; i < sizeof spot / sizeof spot[0]; i++) {
		aps_check_case("signal percent of %d", spot[i][0]);
		CHECK_INT(aps_signal_percent((uint8_t)spot[i][0]), spot[i][1]);
	}
	aps_check_case("signal percent of every strength");
	for (int s = 0; s < 256; s++) CHECK_INT(aps_signal_percent((uint8_t)s), s * 100 / 255);
}

static void test_strerror(void)
{
	const char *names[APS_E_COUNT] = {0};

	for (int c = -APS_E_COUNT - 3; c <= APS_E_COUNT + 3; c++) {
		aps_check_case("aps_strerror(%d)", c);
		const char *s = aps_strerror(c);
		CHECKF(s != NULL && s[0] != '\0', "no name");
		if (c >= 0 && c < APS_E_COUNT) names[c] = s;
	}
	aps_check_case("aps_strerror names");
	for (int a = 0; a < APS_E_COUNT; a++)
		for (int b = a + 1; b < APS_E_COUNT; b++)
			if (names[a] && names[b]) CHECKF(strcmp(names[a], names[b]) != 0, "%d and %d share \"%s\"", a, b, names[a]);
	CHECKF(aps_strerror(-2147483647 - 1) != NULL && aps_strerror(2147483647) != NULL, "extreme codes");
}

int main(void)
{
	test_requests();
	test_ecu_models();
	test_inverter_models();
	test_percent();
	test_strerror();
	return aps_check_report("test_requests");
}
