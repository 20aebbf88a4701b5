// SPDX-License-Identifier: MIT
/*
 * test_corrupt.c - every capture under the directory given, damaged at the
 * frame level and handed to its parser: truncated at every length, extended,
 * with a wrong length field, signature, version, command or trailer, with
 * its body cut short, and with every byte overwritten in turn.  The parser
 * must fail with the right code (or, for the blind overwrites, at least stay
 * consistent), never read past the input, and leave its output zeroed.
 *
 * Usage: test_corrupt <fixtures dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static uint8_t frame[APS_REPLY_MAX + 16];
static uint8_t work[APS_REPLY_MAX + 16];
static struct t_parsed got;

static bool is_no_data(enum t_kind kind, const uint8_t *buf)
{
	return kind == T_INVERTERS && !(buf[13] == '0' && buf[14] == '0');
}

static void expect(enum t_kind kind, const uint8_t *buf, size_t len, enum aps_err want)
{
	int rc = t_parse(kind, buf, len, T_CAP_ALL, &got);
	CHECKF(rc == -(int)want, "rc %d (%s), want -%d (%s)", rc, aps_strerror(-rc), (int)want, aps_strerror((int)want));
}

static void expect_either(enum t_kind kind, const uint8_t *buf, size_t len, enum aps_err a, enum aps_err b)
{
	int rc = t_parse(kind, buf, len, T_CAP_ALL, &got);
	CHECKF(rc == -(int)a || rc == -(int)b, "rc %d (%s), want -%d or -%d", rc, aps_strerror(-rc), (int)a, (int)b);
}

static void test_lengths(enum t_kind kind, const char *name, size_t n)
{
	for (size_t len = 0; len < n; len++) {
		aps_check_case("%s truncated to %zu bytes", name, len);
		expect(kind, frame, len, APS_E_TOO_SHORT);
	}

	memcpy(work, frame, n);
	memcpy(work + n, "END\nAPS", 7);
	for (size_t extra = 1; extra <= 7; extra++) {
		aps_check_case("%s with %zu bytes more", name, extra);
		expect(kind, work, n + extra, APS_E_TOO_LONG);
	}

	aps_check_case("%s, length field + 1", name);
	memcpy(work, frame, n);
	t_set_length(work, n + 1);
	expect(kind, work, n, APS_E_TOO_SHORT);
	work[n] = '\n';
	expect(kind, work, n + 1, is_no_data(kind, frame) ? APS_E_NO_DATA : APS_E_NO_END);

	/* A frame declared one byte shorter is complete early and ends badly;
	 * given all n bytes, "too long" is as true as "no END". */
	aps_check_case("%s, length field - 1", name);
	t_set_length(work, n - 1);
	if (is_no_data(kind, frame)) {
		expect(kind, work, n - 1, APS_E_TOO_SHORT);
		expect_either(kind, work, n, APS_E_TOO_SHORT, APS_E_TOO_LONG);
	} else {
		expect(kind, work, n - 1, APS_E_NO_END);
		expect_either(kind, work, n, APS_E_NO_END, APS_E_TOO_LONG);
	}

	static const uint8_t not_digits[] = {'x', ' ', '+', '-', 0};
	for (size_t at = 5; at < 9; at++) {
		for (size_t b = 0; b < sizeof not_digits; b++) {
			aps_check_case("%s, length byte %zu = 0x%02x", name, at, not_digits[b]);
			memcpy(work, frame, n);
			work[at] = not_digits[b];
			expect(kind, work, n, APS_E_LENGTH_FIELD);
		}
	}
}

static void test_header(enum t_kind kind, const char *name, size_t n)
{
	static const char *const signatures[] = {"XPS", "APs", "aps", "AP\n"};
	static const char *const codes[] = {"0001", "0002", "0030", "0000", "0031", "00x1"};

	for (size_t i = 0; i < sizeof signatures / sizeof signatures[0]; i++) {
		aps_check_case("%s, signature %.2s", name, signatures[i]);
		memcpy(work, frame, n);
		memcpy(work, signatures[i], 3);
		expect(kind, work, n, APS_E_SIGNATURE);
	}

	aps_check_case("%s, version 1x", name);
	memcpy(work, frame, n);
	work[4] = 'x';
	expect(kind, work, n, APS_E_VERSION);

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		if (strcmp(codes[i], t_command_code(kind)) == 0) continue;
		aps_check_case("%s, command %s", name, codes[i]);
		memcpy(work, frame, n);
		memcpy(work + 9, codes[i], 4);
		expect(kind, work, n, APS_E_COMMAND);
	}

	/* Each reply offered to the two parsers it does not belong to. */
	for (enum t_kind other = T_ECU; other <= T_SIGNAL; other++) {
		if (other == kind) continue;
		aps_check_case("%s given to the %s parser", name, t_command_code(other));
		expect_either(other, frame, n, APS_E_COMMAND, APS_E_TOO_SHORT);
	}

	if (is_no_data(kind, frame)) return;
	for (size_t at = n - 4; at < n; at++) {
		aps_check_case("%s, END byte %zu replaced", name, at - (n - 4));
		memcpy(work, frame, n);
		work[at] = at == n - 1 ? 'X' : '\n';
		expect(kind, work, n, APS_E_NO_END);
	}
	aps_check_case("%s, END moved one byte early", name);
	memcpy(work, frame, n);
	memcpy(work + n - 5, "END\n\n", 5);
	expect(kind, work, n, APS_E_NO_END);
}

/* Bytes removed from the body, the length field kept right: the frame is
 * valid, its content is not. */
static void test_body_cut(enum t_kind kind, const char *name, size_t n)
{
	if (is_no_data(kind, frame)) return;
	for (size_t keep = 13; keep < n - 4; keep++) {
		size_t m = keep + 4;

		aps_check_case("%s, body cut to %zu bytes", name, m);
		memcpy(work, frame, keep);
		memcpy(work + keep, "END\n", 4);
		t_set_length(work, m);
		int rc = t_parse(kind, work, m, T_CAP_ALL, &got);
		if (kind == T_INVERTERS) {
			CHECKF(rc < 0, "an inverter reply missing %zu bytes parsed", n - m);
		} else if (kind == T_SIGNAL) {
			if (m < 19) CHECK_INT(rc, -APS_E_TOO_SHORT);
			else if ((m - 19) % 7 != 0) CHECK_INT(rc, -APS_E_RECORDS);
			else if (CHECK_INT(rc, 0)) CHECK_INT(got.sig_count, (m - 19) / 7);
		}
	}
}

/* Blind damage: whatever the parser makes of it must be consistent, and it
 * must never fail to fail when the damage is in the frame's own header. */
static void test_overwrite(enum t_kind kind, const char *name, size_t n)
{
	static const uint8_t values[] = {0x00, 0xff, 0x7f, 0x80, '0', '9', 'A', ' ', '\n', 0xd0};

	for (size_t at = 0; at < n; at++) {
		for (size_t v = 0; v < sizeof values; v++) {
			if (frame[at] == values[v]) continue;
			aps_check_case("%s, byte %zu = 0x%02x", name, at, values[v]);
			memcpy(work, frame, n);
			work[at] = values[v];
			int rc = t_parse(kind, work, n, T_CAP_ALL, &got);
			bool version_digit = (at == 3 || at == 4) && values[v] >= '0' && values[v] <= '9';
			if (at < 13 && !version_digit) CHECKF(rc < 0, "header byte %zu changed, yet parsed", at);
			if (at >= n - 4 && !is_no_data(kind, frame)) CHECK_INT(rc, -APS_E_NO_END);
		}
	}
}

static void each_capture(const char *path, void *ctx)
{
	enum t_kind kind = t_kind_of(path);
	size_t n;

	(void)ctx;
	aps_check_case("%s", path);
	if (!CHECKF(kind != T_UNKNOWN, "no parser for %s", path)) return;
	if (!t_load(path, NULL, frame, sizeof frame, &n)) return;
	if (!CHECKF(n >= 16, "%s has only %zu bytes", path, n)) return;
	aps_check_case("%s as captured", path);
	if (is_no_data(kind, frame)) CHECK_INT(t_parse(kind, frame, n, T_CAP_ALL, &got), -APS_E_NO_DATA);
	else CHECK_INT(t_parse(kind, frame, n, T_CAP_ALL, &got), 0);

	test_lengths(kind, path, n);
	test_header(kind, path, n);
	test_body_cut(kind, path, n);
	test_overwrite(kind, path, n);
}

/* NULL buffers are a caller's mistake; they must be refused, not read. */
static void test_null_buffers(void)
{
	struct aps_ecu_info ecu;
	struct aps_inverter_data data;
	struct aps_inverter inv[1];
	struct aps_signal sig[1];
	struct aps_error err;
	size_t count = 7;

	aps_check_case("NULL buffers");
	CHECKF(aps_parse_ecu_info(NULL, 95, &ecu, &err) < 0, "NULL ECU info buffer parsed");
	CHECKF(aps_parse_inverters(NULL, 51, &data, inv, 1, &err) < 0, "NULL inverters buffer parsed");
	CHECKF(aps_parse_signal(NULL, 61, sig, 1, &count, &err) < 0, "NULL signal buffer parsed");
	CHECK_INT(count, 0);
}

int main(int argc, char **argv)
{
	if (t_each_capture(argc, argv, each_capture) != 0) return 2;
	test_null_buffers();
	return aps_check_report("test_corrupt");
}
