// SPDX-License-Identifier: MIT
/*
 * test_glob.c - every *.hex under a directory (recursively), framed and parsed
 * by the parser its name implies: ecu*.hex, inverters*.hex, signal*.hex.
 * Captures dropped in later are picked up without touching this file.
 *
 * Each must frame at exactly its own length, fed one prefix at a time, and
 * parse; the one allowed failure is an inverter reply whose status (bytes
 * 13..14) is not "00", which must say APS_E_NO_DATA.
 *
 * Usage: test_glob <dir>
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static uint8_t frame[APS_REPLY_MAX + 1];
static struct t_parsed got;

static void each_capture(const char *path, void *ctx)
{
	enum t_kind kind = t_kind_of(path);
	enum aps_command cmd = t_command_of(kind);
	struct aps_error err;
	size_t n;
	long rc;

	(void)ctx;
	aps_check_case("%s", path);
	if (!CHECKF(kind != T_UNKNOWN, "name does not say which reply it is (ecu*, inverters*, signal*)")) return;
	if (!t_load(path, NULL, frame, sizeof frame, &n)) return;

	for (size_t len = 0; len < n; len++) {
		rc = aps_frame_check(t_guard(frame, len), len, cmd, &err);
		if (!CHECKF(rc == 0, "prefix of %zu/%zu bytes gives %ld (%s)", len, n, rc, aps_strerror((int)-rc))) return;
	}
	rc = aps_frame_check(t_guard(frame, n), n, cmd, &err);
	if (!CHECKF(rc == (long)n, "frame check gives %ld (%s) for %zu bytes: %s", rc, aps_strerror((int)-rc), n,
	            rc < 0 ? err.reason : "need more"))
		return;

	bool no_data = kind == T_INVERTERS && n > 14 && !(frame[13] == '0' && frame[14] == '0');
	int want = no_data ? -APS_E_NO_DATA : 0;
	int prc = t_parse(kind, frame, n, T_CAP_ALL, &got);
	if (CHECKF(prc == want, "parse gives %d (%s: %s), want %d", prc, aps_strerror(-prc), got.err.reason, want))
		printf("# %s: %zu bytes, %s\n", path, n, no_data ? "no data (as expected)" : "ok");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir of .hex captures>\n", argv[0]);
		return 2;
	}
	long files = t_walk_hex(argv[1], each_capture, NULL);
	aps_check_case("%s", argv[1]);
	CHECKF(files > 0, "no .hex files under %s (%s)", argv[1], files < 0 ? "cannot read it" : "empty");
	return aps_check_report("test_glob");
}
