// SPDX-License-Identifier: MIT
/* test_faults.c - each --fault mode of `aps-ecu simulate` does what it says,
 * on time, and --control switches them while it runs. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aps_protocol.h"
#include "harness.h"
#include "hexfile.h"

#define BUF_CAP 70000

static uint8_t got[BUF_CAP], ecu_reply[1024], inv_reply[1024];
static size_t ecu_len, inv_len;
static const char *replay;
static char req_ecu[APS_REQUEST_MAX], req_inv[APS_REQUEST_MAX];

static int start_with(struct sim *s, const char *const *fault_args)
{
	const char *args[16] = {"--replay", replay};
	int n = 2;
	for (int i = 0; fault_args[i] && n < 15; i++) args[n++] = fault_args[i];
	args[n] = NULL;
	return sim_start(s, args);
}

static bool refused(unsigned port)
{
	int fd = tcp_connect(port);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == ECONNREFUSED;
}

static bool healthy(unsigned port)
{
	int end;
	size_t n = exchange(port, req_ecu, got, BUF_CAP, &end);
	return end == 0 && n == ecu_len && memcmp(got, ecu_reply, n) == 0;
}

static void test_refuse(void)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "refuse", NULL}) != 0) return;
	CHECKF(refused(s.port), "refuse: connection not refused");
	sim_stop(&s);
}

static void test_hang(void)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "hang", NULL}) != 0) return;
	int fd = tcp_connect(s.port);
	CHECKF(fd >= 0, "hang: connect: %s", strerror(errno));
	if (fd >= 0) {
		CHECKF(send(fd, req_ecu, strlen(req_ecu), 0) > 0, "hang: send");
		int end;
		size_t n = read_until_end(fd, got, BUF_CAP, 1000, &end);
		CHECKF(n == 0 && end == ETIMEDOUT, "hang: %zu bytes, end %s within 1 s", n, strerror(end));
		close(fd);
	}
	/* Hanging connections do not stop the loop: a second one hangs too. */
	fd = tcp_connect(s.port);
	CHECKF(fd >= 0, "hang: second connect");
	if (fd >= 0) close(fd);
	sim_stop(&s);
}

static void test_drip(void)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "drip:20", NULL}) != 0) return;
	int fd = tcp_connect(s.port);
	CHECKF(fd >= 0, "drip: connect");
	if (fd < 0) goto out;
	int64_t t0 = now_ms();
	CHECKF(send(fd, req_ecu, strlen(req_ecu), 0) > 0, "drip: send");
	int end;
	size_t first = read_until_end(fd, got, BUF_CAP, 500, &end);
	/* 25 bytes due in 500 ms at one per 20 ms; allow for a slow machine. */
	CHECKF(end == ETIMEDOUT && first >= 8 && first <= 30, "drip: %zu bytes in 500 ms", first);
	size_t rest = read_until_end(fd, got + first, BUF_CAP - first, 5000, &end);
	int64_t took = now_ms() - t0;
	CHECKF(end == 0 && first + rest == ecu_len && memcmp(got, ecu_reply, ecu_len) == 0,
	       "drip: %zu bytes in all, end %s", first + rest, strerror(end));
	CHECKF(took >= 112 * 20 - 100, "drip: whole reply in %lld ms, want >= %d", (long long)took, 112 * 20);
	close(fd);
out:
	sim_stop(&s);
}

/* Half the reply then FIN (truncate) or RST (reset). */
static void test_cut(const char *mode)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", mode, NULL}) != 0) return;
	int end;
	size_t n = exchange(s.port, req_inv, got, BUF_CAP, &end);
	bool reset = strcmp(mode, "reset") == 0;
	CHECKF(n < inv_len && memcmp(got, inv_reply, n) == 0, "%s: %zu of %zu bytes", mode, n, inv_len);
	if (reset)
		CHECKF(end == ECONNRESET || end == 0, "reset: ended with %s", strerror(end));
	else
		CHECKF(end == 0 && n == inv_len / 2, "truncate: %zu bytes, end %s", n, strerror(end));
	struct aps_error err;
	CHECKF(aps_frame_check(got, n, APS_CMD_INVERTERS, &err) == 0, "%s: framer should want more", mode);
	sim_stop(&s);
}

/* The bytes reach the client, and the protocol library rejects them as expected. */
static void test_rejected(const char *mode, enum aps_command cmd, int want_code)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", mode, NULL}) != 0) return;
	int end;
	size_t n = exchange(s.port, cmd == APS_CMD_ECU_INFO ? req_ecu : req_inv, got, BUF_CAP, &end);
	CHECKF(end == 0 && n > 0, "%s: %zu bytes, end %s", mode, n, strerror(end));
	struct aps_error err;
	struct aps_ecu_info info;
	struct aps_inverter_data data;
	static struct aps_inverter inv[64];
	int rc = cmd == APS_CMD_ECU_INFO ? aps_parse_ecu_info(got, n, &info, &err)
	                                 : aps_parse_inverters(got, n, &data, inv, 64, &err);
	CHECKF(rc == -want_code, "%s: parser says %d (%s), want %d (%s)", mode, -rc, aps_strerror(-rc),
	       want_code, aps_strerror(want_code));
	/* oversize is a whole frame by its own length field: only its excess is wrong. */
	long frame = aps_frame_check(got, n, cmd, &err);
	if (strcmp(mode, "oversize") != 0) CHECKF(frame < 0, "%s: framer accepted it (%ld)", mode, frame);
	if (strcmp(mode, "garbage") == 0) {
		CHECKF(n == 65536 && memcmp(got, "APS", 3) != 0, "garbage: %zu bytes", n);
		CHECKF(frame == -APS_E_SIGNATURE, "garbage: framer says %ld", frame);
	}
	if (strcmp(mode, "oversize") == 0)
		CHECKF(n == 20000 && memcmp(got, "APS119999", 9) == 0 && memcmp(got + 9, "0002", 4) == 0,
		       "oversize: %zu bytes", n);
	sim_stop(&s);
}

static void test_reboot(void)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "reboot:2", NULL}) != 0) return;
	CHECKF(refused(s.port), "reboot: not refused at first");
	int64_t back = -1;
	while (now_ms() - s.started_ms < 5000) {
		if (!refused(s.port)) {
			back = now_ms() - s.started_ms;
			break;
		}
		sleep_ms(50);
	}
	CHECKF(back >= 1700 && back <= 3000, "reboot:2: listening again after %lld ms", (long long)back);
	CHECKF(healthy(s.port), "reboot: wrong reply after the reboot");
	sim_stop(&s);
}

/* --fault-after / --fault-for bound the fault in time. */
static void test_window(void)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "refuse", "--fault-after", "0.8", "--fault-for", "1",
	                                    NULL}) != 0)
		return;
	CHECKF(healthy(s.port), "window: refused before --fault-after");
	sleep_ms((int)(1300 - (now_ms() - s.started_ms)));
	CHECKF(refused(s.port), "window: not refused inside the window");
	sleep_ms((int)(2400 - (now_ms() - s.started_ms)));
	CHECKF(healthy(s.port), "window: still refused after --fault-for");
	sim_stop(&s);
}

static void test_control(void)
{
	char control[256];
	snprintf(control, sizeof control, "%s/control", harness_dir());
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", "badsig", "--control", control, NULL}) != 0) return;
	const int settle = 300; /* the file is re-read at most every 100 ms */
	int end;

	size_t n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
	CHECKF(n == ecu_len && got[0] == 'X', "control: no file, --fault badsig not in force");
	write_file_atomic(control, "none");
	sleep_ms(settle);
	CHECKF(healthy(s.port), "control: 'none' did not clear the fault");
	write_file_atomic(control, "refuse");
	sleep_ms(settle);
	CHECKF(refused(s.port), "control: 'refuse' did not close the listener");
	write_file_atomic(control, "no-such-mode");
	sleep_ms(settle);
	CHECKF(refused(s.port), "control: a malformed line was not ignored");
	write_file_atomic(control, "truncate");
	sleep_ms(settle);
	n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
	CHECKF(n == ecu_len / 2 && end == 0, "control: 'truncate' gave %zu bytes", n);
	write_file_atomic(control, "reboot:1");
	sleep_ms(settle);
	CHECKF(refused(s.port), "control: 'reboot:1' did not close the listener");
	sleep_ms(1000);
	CHECKF(healthy(s.port), "control: not back 1 s after 'reboot:1'");
	unlink(control);
	sleep_ms(settle);
	n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
	CHECKF(n == ecu_len && got[0] == 'X', "control: file removed, --fault badsig not back");
	sim_stop(&s);
}

/* mutate: replies damaged at random, the same ones again for the same seed. */
#define MUTATE_REPLIES 16
static uint8_t mutated[2][MUTATE_REPLIES][1024];
static size_t mutated_len[2][MUTATE_REPLIES];

static bool mutate_run(const char *fault, int slot)
{
	struct sim s;
	if (start_with(&s, (const char *[]){"--fault", fault, NULL}) != 0) return false;
	for (int i = 0; i < MUTATE_REPLIES; i++) {
		int end;
		size_t n = exchange(s.port, i % 2 ? req_inv : req_ecu, got, BUF_CAP, &end);
		CHECKF(end == 0 && n <= sizeof mutated[0][0], "%s: reply %d: %zu bytes, end %s", fault, i, n,
		       strerror(end));
		if (n > sizeof mutated[0][0]) n = sizeof mutated[0][0];
		memcpy(mutated[slot][i], got, n);
		mutated_len[slot][i] = n;
	}
	sim_stop(&s);
	return true;
}

static void test_mutate(void)
{
	if (!mutate_run("mutate:7", 0) || !mutate_run("mutate:7", 1)) return;
	int damaged = 0, intact = 0;
	for (int i = 0; i < MUTATE_REPLIES; i++) {
		CHECKF(mutated_len[0][i] == mutated_len[1][i] &&
		       memcmp(mutated[0][i], mutated[1][i], mutated_len[0][i]) == 0,
		       "mutate:7: reply %d differs between two runs", i);
		const uint8_t *real = i % 2 ? inv_reply : ecu_reply;
		size_t real_len = i % 2 ? inv_len : ecu_len;
		if (mutated_len[0][i] == real_len && memcmp(mutated[0][i], real, real_len) == 0) intact++;
		else damaged++;
	}
	/* One reply in four is meant to go out whole. */
	CHECKF(damaged >= MUTATE_REPLIES / 2 && intact >= 1, "mutate:7: %d damaged, %d intact", damaged, intact);

	if (!mutate_run("mutate:8", 1)) return;
	int same = 0;
	for (int i = 0; i < MUTATE_REPLIES; i++)
		same += mutated_len[0][i] == mutated_len[1][i] &&
		        memcmp(mutated[0][i], mutated[1][i], mutated_len[0][i]) == 0;
	CHECKF(same < MUTATE_REPLIES / 2, "mutate:8 gave %d of %d replies as mutate:7 did", same, MUTATE_REPLIES);
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--replay", replay, "--fault", "mutate:x", NULL}) == 2,
	       "mutate:x accepted");
}

void test_faults(const char *replay_dir); /* called from test_sim.c */

void test_faults(const char *replay_dir)
{
	replay = replay_dir;
	char path[1024];
	snprintf(path, sizeof path, "%s/ecu.hex", replay);
	CHECKF(hexfile_read(path, ecu_reply, sizeof ecu_reply, &ecu_len) == 0 && ecu_len == 112, "%s", path);
	snprintf(path, sizeof path, "%s/inverters.hex", replay);
	CHECKF(hexfile_read(path, inv_reply, sizeof inv_reply, &inv_len) == 0 && inv_len == 168, "%s", path);
	aps_build_request(APS_CMD_ECU_INFO, NULL, req_ecu, sizeof req_ecu);
	aps_build_request(APS_CMD_INVERTERS, "216200033510", req_inv, sizeof req_inv);

	test_refuse();
	test_hang();
	test_drip();
	test_cut("truncate");
	test_cut("reset");
	test_rejected("garbage", APS_CMD_ECU_INFO, APS_E_SIGNATURE);
	test_rejected("oversize", APS_CMD_INVERTERS, APS_E_TOO_LONG);
	test_rejected("badlength", APS_CMD_ECU_INFO, APS_E_LENGTH_FIELD);
	test_rejected("badlength", APS_CMD_INVERTERS, APS_E_LENGTH_FIELD);
	test_rejected("badsig", APS_CMD_ECU_INFO, APS_E_SIGNATURE);
	test_rejected("badcmd", APS_CMD_INVERTERS, APS_E_COMMAND);
	test_reboot();
	test_window();
	test_control();
	test_mutate();
}
