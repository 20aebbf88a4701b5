// SPDX-License-Identifier: MIT
/* test_sim.c - `aps-ecu simulate` answers like an ECU, and misbehaves on demand.
 * usage: test_sim PATH-TO-aps-ecu FIXTURES-DIR */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aps_protocol.h"
#include "harness.h"
#include "hexfile.h"

#define BUF_CAP 70000
#define SYNTH_ID "216200000001"

static const char *fixtures;
static uint8_t got[BUF_CAP], want[BUF_CAP];
static struct aps_inverter inverters[APS_MAX_RECORDS];
static struct aps_signal signals[APS_MAX_RECORDS];

static char req_ecu[APS_REQUEST_MAX], req_inv[APS_REQUEST_MAX], req_sig[APS_REQUEST_MAX];

static void build_requests(const char *ecu_id)
{
	CHECKF(aps_build_request(APS_CMD_ECU_INFO, NULL, req_ecu, sizeof req_ecu) > 0, "request 0001");
	CHECKF(aps_build_request(APS_CMD_INVERTERS, ecu_id, req_inv, sizeof req_inv) > 0, "request 0002");
	CHECKF(aps_build_request(APS_CMD_SIGNAL, ecu_id, req_sig, sizeof req_sig) > 0, "request 0030");
}

/* 0: loaded; -1: no such file. */
static int load_fixture(const char *dir, const char *name, uint8_t *buf, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/%s", fixtures, dir, name);
	if (access(path, F_OK) != 0) return -1;
	CHECKF(hexfile_read(path, buf, BUF_CAP, len) == 0, "cannot read %s", path);
	return 0;
}

static void expect_bytes(const char *what, const uint8_t *w, size_t wlen, size_t glen, int end)
{
	CHECKF(end == 0, "%s: ended with %s, not EOF", what, strerror(end));
	CHECKF(glen == wlen && memcmp(got, w, wlen) == 0, "%s: %zu bytes back, want the %zu of the fixture",
	       what, glen, wlen);
}

/* ---- Replay ---- */

static void expect_synthesized_ecu(const char *dir, const uint8_t *ecu, size_t len)
{
	size_t inv_len = 0;
	uint16_t count = 0, online = 0;
	uint32_t power = 0;
	struct aps_inverter_data data;
	if (load_fixture(dir, "inverters.hex", want, &inv_len) == 0 &&
	    aps_parse_inverters(want, inv_len, &data, inverters, APS_MAX_RECORDS, NULL) == 0) {
		count = data.count_declared;
		for (size_t i = 0; i < data.count; i++) {
			online += inverters[i].online;
			for (unsigned c = 0; inverters[i].online && c < inverters[i].channels; c++)
				power += inverters[i].power_w[c];
		}
	}
	struct aps_ecu_info info;
	struct aps_error err;
	int rc = aps_parse_ecu_info(ecu, len, &info, &err);
	CHECKF(rc == 0, "%s: synthesized ECU info does not parse: %s", dir, err.reason);
	CHECKF(strcmp(info.ecu_id, "216300000001") == 0, "%s: id %s", dir, info.ecu_id);
	CHECKF(strcmp(info.version, "11") == 0 && info.layout == 1, "%s: version/layout", dir);
	CHECKF(!info.has_timestamp, "%s: synthesized ECU has a timestamp", dir);
	CHECKF(strcmp(info.firmware, "SIMULATOR") == 0 && strcmp(info.zone, "Etc/UTC") == 0,
	       "%s: firmware '%s' zone '%s'", dir, info.firmware, info.zone);
	CHECKF(info.inverters == count && info.inverters_online == online && info.current_power_w == power,
	       "%s: counts %u/%u power %u, want %u/%u %u", dir, info.inverters, info.inverters_online,
	       info.current_power_w, count, online, power);
}

static void test_replay_dir(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", fixtures, dir);
	struct sim s;
	if (sim_start(&s, (const char *[]){"--replay", path, NULL}) != 0) return;

	int end;
	size_t n, wlen;
	/* ECU info: ecu.hex, ecu.2.hex, ... in turn, and round again. */
	static uint8_t ecu_files[4][1024];
	size_t ecu_lens[4], ecu_count = 0;
	if (load_fixture(dir, "ecu.hex", ecu_files[0], &ecu_lens[0]) == 0) {
		for (ecu_count = 1; ecu_count < 4; ecu_count++) {
			char name[32];
			snprintf(name, sizeof name, "ecu.%zu.hex", ecu_count + 1);
			if (load_fixture(dir, name, ecu_files[ecu_count], &ecu_lens[ecu_count]) != 0) break;
		}
		for (size_t i = 0; i <= ecu_count; i++) {
			n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
			expect_bytes(dir, ecu_files[i % ecu_count], ecu_lens[i % ecu_count], n, end);
		}
	} else {
		n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
		memcpy(ecu_files[0], got, n < sizeof ecu_files[0] ? n : sizeof ecu_files[0]);
		expect_synthesized_ecu(dir, ecu_files[0], n);
	}
	if (load_fixture(dir, "inverters.hex", want, &wlen) == 0) {
		n = exchange(s.port, req_inv, got, BUF_CAP, &end);
		expect_bytes(dir, want, wlen, n, end);
	}
	n = exchange(s.port, req_sig, got, BUF_CAP, &end);
	if (load_fixture(dir, "signal.hex", want, &wlen) == 0)
		expect_bytes(dir, want, wlen, n, end);
	else
		CHECKF(n == 0 && end == 0, "%s: signal without signal.hex: %zu bytes, end %d", dir, n, end);
	sim_stop(&s);
}

static void test_replay_all(void)
{
	DIR *d = opendir(fixtures);
	CHECKF(d != NULL, "cannot open %s", fixtures);
	if (!d) return;
	int dirs = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", fixtures, e->d_name);
		if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
		test_replay_dir(e->d_name);
		dirs++;
	}
	closedir(d);
	CHECKF(dirs >= 7, "only %d fixture dirs", dirs);
}

/* Requests that are not ECU requests are closed unanswered. */
static void test_bad_requests(void)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/ecu-r-pro-6xqs1", fixtures);
	struct sim s;
	if (sim_start(&s, (const char *[]){"--replay", path, NULL}) != 0) return;
	static const char *const bad[] = {
		"APS1100160003END\n", "XPS1100160001END\n", "APS1200160001END\n", "APS11END\n",
		"APS1100160001APS1100160001APS1100160001APS1100160001APS1100160001APS11001600",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int end;
		size_t n = exchange(s.port, bad[i], got, BUF_CAP, &end);
		CHECKF(n == 0 && (end == 0 || end == ECONNRESET), "bad request %zu: %zu bytes, end %s", i, n,
		       strerror(end));
	}
	/* And a good one still works afterwards. */
	int end;
	size_t n = exchange(s.port, req_ecu, got, BUF_CAP, &end);
	CHECKF(n == 112 && end == 0, "good request after bad ones: %zu bytes", n);
	sim_stop(&s);
}

/* ---- Synthetic installation ---- */

struct synth_expect {
	const char *ecu_id;
	size_t seen, unseen;
	bool day;
	struct aps_time ts;
};

static void check_synthetic(const struct sim *s, const struct synth_expect *x)
{
	size_t total = x->seen + x->unseen;
	int end;
	struct aps_error err;

	size_t n = exchange(s->port, req_ecu, got, BUF_CAP, &end);
	struct aps_ecu_info info;
	CHECKF(aps_parse_ecu_info(got, n, &info, &err) == 0, "synthetic ECU info: %s", err.reason);
	CHECKF(strcmp(info.ecu_id, x->ecu_id) == 0, "ECU id %s, want %s", info.ecu_id, x->ecu_id);
	CHECKF(strcmp(info.version, "11") == 0 && info.layout == 1, "version %s layout %u", info.version,
	       info.layout);
	CHECKF(strcmp(info.firmware, "SIMULATOR_1.0") == 0 && strcmp(info.zone, "Etc/UTC") == 0,
	       "firmware '%s' zone '%s'", info.firmware, info.zone);
	CHECKF(info.has_timestamp && memcmp(&info.timestamp, &x->ts, sizeof x->ts) == 0,
	       "ECU timestamp %04u-%02u-%02u %02u:%02u:%02u", info.timestamp.year, info.timestamp.month,
	       info.timestamp.day, info.timestamp.hour, info.timestamp.minute, info.timestamp.second);
	CHECKF(info.inverters == total && info.inverters_online == (x->day ? x->seen : 0),
	       "ECU counts %u/%u", info.inverters, info.inverters_online);
	CHECKF(info.lifetime_energy_raw > 0 && !info.lifetime_glitch, "lifetime %u", info.lifetime_energy_raw);
	CHECKF(x->day ? info.current_power_w > 0 : info.current_power_w == 0, "ECU power %u",
	       info.current_power_w);

	n = exchange(s->port, req_inv, got, BUF_CAP, &end);
	struct aps_inverter_data data;
	int rc = aps_parse_inverters(got, n, &data, inverters, APS_MAX_RECORDS, &err);
	CHECKF(rc == 0, "synthetic inverters: %s", err.reason);
	if (total >= 50) CHECKF(n > 1024, "inverter reply only %zu bytes", n);
	CHECKF(data.count == total && data.count_declared == total && !data.truncated, "%zu records", data.count);
	CHECKF(memcmp(&data.timestamp, &x->ts, sizeof x->ts) == 0, "inverter timestamp differs");
	uint32_t power = 0;
	size_t online = 0, unseen = 0;
	for (size_t i = 0; i < data.count; i++) {
		const struct aps_inverter *v = &inverters[i];
		if (strcmp(v->type, "00") == 0) {
			unseen++;
			CHECKF(!v->online, "unseen inverter %s online", v->uid);
			continue;
		}
		const char *prefix = strcmp(v->type, "01") == 0 ? "7040" : strcmp(v->type, "03") == 0 ? "8040"
		                   : strcmp(v->type, "02") == 0 ? "9010" : "?";
		CHECKF(strncmp(v->uid, prefix, 4) == 0, "uid %s for type %s", v->uid, v->type);
		CHECKF(v->online == x->day, "inverter %s online %d", v->uid, v->online);
		if (!v->online) {
			CHECKF(v->temperature_c == 0, "offline %s temperature %d", v->uid, v->temperature_c);
			for (unsigned c = 0; c < v->channels; c++) CHECKF(v->power_w[c] == 0, "offline power");
			continue;
		}
		online++;
		bool qt2 = strcmp(v->type, "02") == 0;
		CHECKF(v->frequency_raw >= 495 && v->frequency_raw <= 505, "frequency %u", v->frequency_raw);
		CHECKF(v->temperature_c >= 20 && v->temperature_c <= 45, "temperature %d", v->temperature_c);
		for (unsigned c = 0; c < v->channels; c++) {
			CHECKF(v->power_w[c] <= 300, "power %u", v->power_w[c]);
			power += v->power_w[c];
		}
		for (unsigned c = 0; c < v->voltages; c++)
			CHECKF(v->voltage_v[c] >= (qt2 ? 380 : 225) && v->voltage_v[c] <= (qt2 ? 400 : 245),
			       "voltage %u (type %s)", v->voltage_v[c], v->type);
	}
	CHECKF(unseen == x->unseen && online == (x->day ? x->seen : 0), "%zu unseen %zu online", unseen, online);
	CHECKF(power == info.current_power_w, "channel powers sum to %u, ECU says %u", power,
	       info.current_power_w);

	n = exchange(s->port, req_sig, got, BUF_CAP, &end);
	size_t count = 0;
	CHECKF(aps_parse_signal(got, n, signals, APS_MAX_RECORDS, &count, &err) == 0, "signal: %s", err.reason);
	CHECKF(count == total, "%zu signal records", count);
	for (size_t i = 0; i < count && i < data.count; i++) {
		bool never = strcmp(inverters[i].type, "00") == 0;
		CHECKF(strcmp(signals[i].uid, inverters[i].uid) == 0, "signal uid %s", signals[i].uid);
		CHECKF(never ? signals[i].strength == 0 : signals[i].strength >= 150,
		       "strength %u for %s", signals[i].strength, signals[i].uid);
	}
}

static void test_synthetic(void)
{
	struct sim s;
	const struct aps_time noon = {2024, 6, 21, 12, 0, 0};
	if (sim_start(&s, (const char *[]){"--inverters", "80", "--start", "2024-06-21T12:02", NULL}) == 0) {
		check_synthetic(&s, &(struct synth_expect){SYNTH_ID, 80, 0, true, noon});
		/* Same 5-minute slot: the same bytes. */
		int end;
		size_t n1 = exchange(s.port, req_inv, want, BUF_CAP, &end);
		size_t n2 = exchange(s.port, req_inv, got, BUF_CAP, &end);
		CHECKF(n1 == n2 && memcmp(got, want, n1) == 0, "inverter reply changed within a slot");
		sim_stop(&s);
	}
	if (sim_start(&s, (const char *[]){"--inverters", "80", "--unseen", "4", "--ecu-id", "216000000042",
	                                   "--start", "2024-06-21T12:04", NULL}) == 0) {
		check_synthetic(&s, &(struct synth_expect){"216000000042", 80, 4, true, noon});
		sim_stop(&s);
	}
	const struct aps_time late = {2024, 12, 31, 23, 55, 0};
	if (sim_start(&s, (const char *[]){"--inverters", "7", "--unseen", "2", "--start", "2024-12-31T23:59",
	                                   NULL}) == 0) {
		check_synthetic(&s, &(struct synth_expect){SYNTH_ID, 7, 2, false, late});
		sim_stop(&s);
	}
	const struct aps_time morning = {2024, 6, 21, 9, 30, 0};
	if (sim_start(&s, (const char *[]){"--inverters", "7", "--start", "2024-06-21T09:30", "--fault", "night",
	                                   NULL}) == 0) {
		check_synthetic(&s, &(struct synth_expect){SYNTH_ID, 7, 0, false, morning});
		sim_stop(&s);
	}
	/* The largest installation whose inverter reply fits 10000 bytes: 9991. */
	if (sim_start(&s, (const char *[]){"--inverters", "421", "--start", "2024-06-21T15:00", NULL}) == 0) {
		const struct aps_time three = {2024, 6, 21, 15, 0, 0};
		check_synthetic(&s, &(struct synth_expect){SYNTH_ID, 421, 0, true, three});
		sim_stop(&s);
	}
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--inverters", "422", NULL}) == 2,
	       "422 inverters (10014 bytes) accepted");
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--inverters", "400", "--unseen", "60", NULL}) == 2,
	       "400 + 60 unseen accepted");
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--inverters", "0", NULL}) == 2, "0 inverters");
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--inverters", "5", "--ecu-id", "12345", NULL}) == 2,
	       "short ECU id accepted");
	CHECKF(sim_run_to_exit((const char *[]){"--port", "0", "--inverters", "5", "--fault", "melt", NULL}) == 2,
	       "unknown fault accepted");
	CHECKF(sim_run_to_exit((const char *[]){"--help", NULL}) == 0, "--help");
}

/* Many clients at once: some idle, the rest all served. */
static void test_concurrency(void)
{
	enum { IDLE = 20, BUSY = 100 };
	struct sim s;
	if (sim_start(&s, (const char *[]){"--inverters", "80", "--start", "2024-06-21T12:00", NULL}) != 0)
		return;
	int end;
	size_t wlen = exchange(s.port, req_inv, want, BUF_CAP, &end);
	int idle[IDLE], busy[BUSY];
	for (int i = 0; i < IDLE; i++) idle[i] = tcp_connect(s.port);
	for (int i = 0; i < BUSY; i++) busy[i] = tcp_connect(s.port);
	for (int i = 0; i < BUSY; i++)
		if (busy[i] >= 0) CHECKF(send(busy[i], req_inv, strlen(req_inv), 0) > 0, "send %d", i);
	int good = 0;
	for (int i = 0; i < BUSY; i++) {
		if (busy[i] < 0) continue;
		size_t n = read_until_end(busy[i], got, BUF_CAP, 3000, &end);
		good += end == 0 && n == wlen && memcmp(got, want, n) == 0;
		close(busy[i]);
	}
	CHECKF(good == BUSY, "%d of %d concurrent clients got the whole reply", good, BUSY);
	for (int i = 0; i < IDLE; i++) {
		CHECKF(idle[i] >= 0, "idle connect %d", i);
		if (idle[i] >= 0) close(idle[i]);
	}
	sim_stop(&s);
}

void test_faults(const char *replay_dir); /* test_faults.c */

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s PATH-TO-aps-ecu FIXTURES-DIR\n", argv[0]);
		return 2;
	}
	harness_init(argv[1]);
	fixtures = argv[2];
	build_requests(SYNTH_ID);

	int64_t t0 = now_ms();
	test_replay_all();
	test_bad_requests();
	test_synthetic();
	test_concurrency();
	char replay[1024];
	snprintf(replay, sizeof replay, "%s/ecu-r-pro-6xqs1", fixtures);
	test_faults(replay);

	printf("test_sim: %.1f s\n", (double)(now_ms() - t0) / 1000);
	return aps_check_report("test_sim");
}
