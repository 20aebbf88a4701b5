// SPDX-License-Identifier: MIT
/*
 * bench_energy - how close per-inverter energy comes to the truth, and what
 * keeping it costs.  A simulated day of the simulator's own installation
 * (tools/sim_reply.c: the same daylight curve and replies `aps-ecu simulate`
 * serves), one sample per 5-minute refresh as a real ECU gives, through the
 * plugin's parser and integrator (plugin/policy/energy_split.c).  Prints,
 * per inverter, the day total's error against the curve's exact integral
 * before reconciliation (the integral alone) and after (scaled to the ECU's
 * today figure), the sum against the ECU's figure, then the cost of a
 * cycle's integration and of a state file save.  Prints; asserts nothing.
 *
 * usage: bench_energy [--inverters N] [--dir DIR]
 */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "energy_image.h"
#include "energy_split.h"
#include "sim_reply.h"
#include "state_file.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	unsigned inverters = 12;
	const char *dir = "/tmp";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--inverters") == 0) inverters = (unsigned)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
	}
	static struct sim_install si;
	char why[256];
	if (sim_install_init(&si, NULL, inverters, 0, why, sizeof(why)) != 0) {
		fprintf(stderr, "bench_energy: %s\n", why);
		return 1;
	}
	si.slot = -1;
	struct esplit s;
	esplit_init(&s, "216200000001");
	static struct aps_inverter recs[SIM_INVERTERS_MAX];
	struct aps_inverter_data data;
	struct aps_ecu_info info;
	struct aps_error err;
	double feed_max = 0, feed_sum = 0;
	int feeds = 0;
	const time_t day = 1751328000; /* 2025-07-01T00:00Z */
	double ecu_wh = 0;
	for (time_t t = day + 5 * 3600; t <= day + 21 * 3600; t += SIM_REFRESH_S) {
		sim_install_refresh(&si, t, false);
		if (aps_parse_ecu_info(si.ecu_reply, si.ecu_len, &info, &err) != 0 ||
		    aps_parse_inverters(si.inverters_reply, si.inverters_len, &data, recs, SIM_INVERTERS_MAX, &err) != 0) {
			fprintf(stderr, "bench_energy: the simulator's replies do not parse\n");
			return 1;
		}
		ecu_wh = info.today_energy_raw * 10.0;
		struct esplit_sample in = { .time = data.timestamp, .inv = recs, .count = data.count,
		                            .ecu_today_ok = true, .ecu_time = info.timestamp, .ecu_today_wh = ecu_wh };
		double t0 = now_us();
		esplit_feed(&s, &in, ESPLIT_GAP_CAP_S);
		double dt = now_us() - t0;
		feed_sum += dt;
		feed_max = fmax(feed_max, dt);
		feeds++;
	}
	/* The truth: the curve's integral up to the last sample (20:00 and after: the whole day). */
	double worst_raw = 0, worst_rec = 0, sum_today = 0, sum_truth = 0;
	printf("inverter       truth_kWh  integral_kWh  err_before  reconciled_kWh  err_after\n");
	for (size_t i = 0; i < si.count; i++) {
		char uid[13];
		const uint8_t *u = si.inv[i].uid;
		snprintf(uid, sizeof(uid), "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5]);
		const struct esplit_inverter *v = esplit_find(&s, uid);
		if (!v) continue;
		double truth = 0;
		for (unsigned c = 0; c < v->channels; c++) truth += sim_channel_truth_wh(&si, i, c);
		double raw = esplit_raw_wh(v), rec = esplit_today_wh(v);
		double eb = (raw - truth) / truth * 100, ea = (rec - truth) / truth * 100;
		worst_raw = fmax(worst_raw, fabs(eb));
		worst_rec = fmax(worst_rec, fabs(ea));
		sum_today += rec;
		sum_truth += truth;
		printf("%s  %9.4f  %12.4f  %+9.4f%%  %14.4f  %+8.4f%%\n", uid, truth / 1000, raw / 1000, eb, rec / 1000, ea);
	}
	printf("worst_error_before_pct=%.4f worst_error_after_pct=%.4f\n", worst_raw, worst_rec);
	printf("sum_kWh=%.6f ecu_today_kWh=%.6f sum_minus_ecu_Wh=%.9f truth_kWh=%.6f\n", sum_today / 1000, ecu_wh / 1000,
	       sum_today - ecu_wh, sum_truth / 1000);
	printf("feed_us_mean=%.2f feed_us_max=%.2f (%d samples, %u inverters)\n", feed_sum / feeds, feed_max, feeds,
	       inverters);

	/* The save: encoding happens on the broker's thread, the write on a helper. */
	const struct esplit *list[1] = { &s };
	char path[512];
	snprintf(path, sizeof(path), "%s/bench_energy.state", dir);
	double enc_max = 0, w[20];
	for (int k = 0; k < 20; k++) {
		double t0 = now_us();
		size_t payload = energy_image_size(list, 1), size;
		uint8_t *buf = state_file_buffer(payload, &size);
		energy_image_encode(list, 1, buf + STATE_FILE_HEADER);
		enc_max = fmax(enc_max, now_us() - t0);
		t0 = now_us();
		char e[256];
		if (state_file_write(path, (uint64_t)k + 1, buf, size, e, sizeof(e)) != 0) fprintf(stderr, "%s\n", e);
		w[k] = now_us() - t0;
		aps_free(buf);
		if (k == 0) printf("state_file_bytes=%zu\n", size);
	}
	qsort(w, 20, sizeof(w[0]), cmp_double);
	printf("encode_us_max=%.2f write_fsync_rename_us_median=%.1f write_us_max=%.1f (in %s)\n", enc_max, w[10], w[19],
	       dir);
	char other[530];
	remove(path);
	snprintf(other, sizeof(other), "%s.1", path);
	remove(other);
	esplit_free(&s);
	sim_install_free(&si);
	return 0;
}
