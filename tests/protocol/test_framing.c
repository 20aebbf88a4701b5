// SPDX-License-Identifier: MIT
/*
 * test_framing.c - aps_frame_check, fed the way a socket feeds it.
 *
 * For every capture under the directory given: every prefix is "need more",
 * the whole is its own length, extra bytes do not change that.  Then the same
 * captures with one header field or the trailer broken: the error must come
 * as soon as the broken field is complete (never earlier than the broken
 * byte), and every input sits flush against a guard page.
 *
 * Usage: test_framing <fixtures dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static uint8_t frame[APS_REPLY_MAX + 16];
static uint8_t work[APS_REPLY_MAX + 16];

static long frame_check(const uint8_t *buf, size_t len, enum aps_command cmd, struct aps_error *err)
{
	memset(err, 0xa5, sizeof *err);
	return aps_frame_check(t_guard(buf, len), len, cmd, err);
}

static void check_error(long rc, const struct aps_error *err, enum aps_err want)
{
	CHECK_INT(rc, -(long)want);
	if (rc < 0) {
		CHECK_INT(err->code, -rc);
		CHECKF(memchr(err->reason, 0, sizeof err->reason) && err->reason[0], "err.reason empty");
	}
}

/* The status-02 reply has no END, and framing must still let it through. */
static bool has_trailer(enum t_kind kind, const uint8_t *buf, size_t len)
{
	return kind != T_INVERTERS || (len > 14 && buf[13] == '0' && buf[14] == '0');
}

static size_t min_length(enum t_kind kind)
{
	return kind == T_ECU ? 43 : kind == T_INVERTERS ? 16 : 19;
}

/* Every prefix of a good frame needs more; the whole is n; more stays n. */
static void feed_prefixes(const uint8_t *buf, size_t n, enum aps_command cmd)
{
	struct aps_error err;

	for (size_t len = 0; len < n; len++) {
		long rc = frame_check(buf, len, cmd, &err);
		if (!CHECKF(rc == 0, "prefix of %zu/%zu bytes gives %ld, want 0", len, n, rc)) break;
	}
	CHECK_INT(frame_check(buf, n, cmd, &err), (long)n);

	memcpy(work, buf, n);
	memcpy(work + n, "APS1100", 7);
	for (size_t extra = 1; extra <= 7; extra++)
		CHECK_INT(frame_check(work, n + extra, cmd, &err), (long)n);
}

/* buf is a frame of n bytes broken at byte bad, inside a field that ends
 * at field_end: prefixes up to bad need more, from field_end on it is want. */
static void feed_broken(const uint8_t *buf, size_t n, enum aps_command cmd, size_t bad, size_t field_end,
                        enum aps_err want)
{
	struct aps_error err;

	for (size_t len = 0; len <= n; len++) {
		long rc = frame_check(buf, len, cmd, &err);
		if (len <= bad && !CHECKF(rc == 0, "%zu bytes (break at %zu) give %ld, want 0", len, bad, rc)) return;
		if (len >= field_end) {
			if (!CHECKF(rc == -(long)want, "%zu bytes (break at %zu) give %ld, want -%d (%s)", len, bad, rc,
			            (int)want, aps_strerror((int)want)))
				return;
			CHECK_INT(err.code, want);
		} else if (len > bad) {
			if (!CHECKF(rc == 0 || rc == -(long)want, "%zu bytes give %ld, want 0 or -%d", len, rc, (int)want))
				return;
		}
	}
}

/* Replaces byte at with c and feeds the result. */
static void break_byte(const uint8_t *buf, size_t n, enum aps_command cmd, size_t at, uint8_t c,
                       size_t field_end, enum aps_err want)
{
	memcpy(work, buf, n);
	work[at] = c;
	feed_broken(work, n, cmd, at, field_end, want);
}

static void test_header_fields(const uint8_t *buf, size_t n, enum t_kind kind, const char *name)
{
	enum aps_command cmd = t_command_of(kind);
	static const uint8_t bad_length[] = {'x', ' ', '+', '-', 0, '/', ':'};
	static const char *const codes[] = {"0001", "0002", "0030", "0003", "0020", "1001", "000x"};

	aps_check_case("%s: signature", name);
	break_byte(buf, n, cmd, 0, 'X', 3, APS_E_SIGNATURE);
	break_byte(buf, n, cmd, 1, 'p', 3, APS_E_SIGNATURE);
	break_byte(buf, n, cmd, 2, 's', 3, APS_E_SIGNATURE);
	break_byte(buf, n, cmd, 0, 0, 3, APS_E_SIGNATURE);

	aps_check_case("%s: version", name);
	break_byte(buf, n, cmd, 3, 'x', 5, APS_E_VERSION);
	break_byte(buf, n, cmd, 4, 'a', 5, APS_E_VERSION);
	break_byte(buf, n, cmd, 4, 0, 5, APS_E_VERSION);
	break_byte(buf, n, cmd, 3, ' ', 5, APS_E_VERSION);

	for (size_t at = 5; at < 9; at++) {
		for (size_t b = 0; b < sizeof bad_length; b++) {
			aps_check_case("%s: length field byte %zu = 0x%02x", name, at, bad_length[b]);
			break_byte(buf, n, cmd, at, bad_length[b], 9, APS_E_LENGTH_FIELD);
		}
	}

	for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++) {
		if (strcmp(codes[c], t_command_code(kind)) == 0) continue;
		aps_check_case("%s: command %s", name, codes[c]);
		memcpy(work, buf, n);
		memcpy(work + 9, codes[c], 4);
		size_t bad = 9;
		while (work[bad] == buf[bad]) bad++;
		feed_broken(work, n, cmd, bad, 13, APS_E_COMMAND);
	}
}

static void test_trailer(const uint8_t *buf, size_t n, enum t_kind kind, const char *name)
{
	enum aps_command cmd = t_command_of(kind);
	struct aps_error err;

	if (has_trailer(kind, buf, n)) {
		for (size_t at = n - 4; at < n; at++) {
			aps_check_case("%s: END byte %zu replaced", name, at - (n - 4));
			break_byte(buf, n, cmd, at, 'X', n, APS_E_NO_END);
			break_byte(buf, n, cmd, at, 0, n, APS_E_NO_END);
		}
	}

	/* Length field one too high: n bytes are not enough, n + 1 end wrong. */
	aps_check_case("%s: length field + 1", name);
	memcpy(work, buf, n);
	t_set_length(work, n + 1);
	for (size_t len = 0; len <= n; len++)
		if (!CHECK_INT(frame_check(work, len, cmd, &err), 0)) break;
	work[n] = '\n';
	if (has_trailer(kind, work, n + 1)) check_error(frame_check(work, n + 1, cmd, &err), &err, APS_E_NO_END);
	else CHECK_INT(frame_check(work, n + 1, cmd, &err), (long)n + 1);

	/* One too low: the frame is complete a byte early, and ends wrong. */
	aps_check_case("%s: length field - 1", name);
	memcpy(work, buf, n);
	t_set_length(work, n - 1);
	if (n - 1 < min_length(kind)) {
		feed_broken(work, n, cmd, 5, 13, APS_E_TOO_SHORT);
	} else if (!has_trailer(kind, work, n)) {
		CHECK_INT(frame_check(work, n - 1, cmd, &err), (long)n - 1);
	} else {
		for (size_t len = 0; len < n - 1; len++)
			if (!CHECK_INT(frame_check(work, len, cmd, &err), 0)) break;
		check_error(frame_check(work, n - 1, cmd, &err), &err, APS_E_NO_END);
		check_error(frame_check(work, n, cmd, &err), &err, APS_E_NO_END);
	}

	/* Declared shorter than the command's smallest reply. */
	aps_check_case("%s: length field below the minimum", name);
	memcpy(work, buf, n);
	t_set_length(work, min_length(kind) - 1);
	feed_broken(work, n, cmd, 5, 13, APS_E_TOO_SHORT);
	t_set_length(work, 1);
	feed_broken(work, n, cmd, 5, 13, APS_E_TOO_SHORT);
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
	feed_prefixes(frame, n, t_command_of(kind));
	test_header_fields(frame, n, kind, path);
	test_trailer(frame, n, kind, path);
}

/* The smallest and largest frames each command may declare. */
static void test_bounds(void)
{
	struct aps_error err;
	uint8_t body[APS_REPLY_MAX];
	size_t n;

	memset(body, '0', sizeof body);
	aps_check_case("ECU info of exactly 43 bytes");
	n = t_frame(frame, sizeof frame, "11", "0001", body, 26);
	CHECK_INT(frame_check(frame, n, APS_CMD_ECU_INFO, &err), 43);
	aps_check_case("ECU info of 42 bytes");
	n = t_frame(frame, sizeof frame, "11", "0001", body, 25);
	check_error(frame_check(frame, n, APS_CMD_ECU_INFO, &err), &err, APS_E_TOO_SHORT);

	aps_check_case("signal of exactly 19 bytes");
	n = t_frame(frame, sizeof frame, "11", "0030", body, 2);
	CHECK_INT(frame_check(frame, n, APS_CMD_SIGNAL, &err), 19);
	aps_check_case("signal of 18 bytes");
	n = t_frame(frame, sizeof frame, "11", "0030", body, 1);
	check_error(frame_check(frame, n, APS_CMD_SIGNAL, &err), &err, APS_E_TOO_SHORT);

	aps_check_case("inverters status reply of 16 and 15 bytes");
	memcpy(frame, "APS110015000202\n", 16);
	CHECK_INT(frame_check(frame, 16, APS_CMD_INVERTERS, &err), 16);
	memcpy(frame, "APS11001400020\n", 15);
	check_error(frame_check(frame, 15, APS_CMD_INVERTERS, &err), &err, APS_E_TOO_SHORT);
	aps_check_case("inverters reply without records (30 bytes)");
	n = t_frame(frame, sizeof frame, "11", "0002", (const uint8_t *)"0001\0\0\x20\x24\x01\x01\0\0\0", 13);
	CHECK_INT(frame_check(frame, n, APS_CMD_INVERTERS, &err), 30);

	/* 4 length digits cannot declare more than APS_REPLY_MAX. */
	aps_check_case("frame of APS_REPLY_MAX bytes");
	n = t_frame(frame, sizeof frame, "11", "0030", body, APS_REPLY_MAX - 17);
	CHECK_INT(n, APS_REPLY_MAX);
	CHECK_INT(frame_check(frame, n, APS_CMD_SIGNAL, &err), APS_REPLY_MAX);
	CHECK_INT(frame_check(frame, n - 1, APS_CMD_SIGNAL, &err), 0);
}

int main(int argc, char **argv)
{
	if (t_each_capture(argc, argv, each_capture) != 0) return 2;
	test_bounds();
	return aps_check_report("test_framing");
}
