// SPDX-License-Identifier: MIT
/*
 * bench_rtt - publish round-trip latency through a broker.
 *
 * One MQTT client subscribes to its own topic and publishes to it at a fixed
 * rate; each message carries its sequence number and send time, so the time
 * until it comes back is how long the broker kept it.  A plugin that holds
 * the broker's thread (in its tick, or by handing it a burst of messages)
 * shows up as a longer round trip for whatever was in flight.
 *
 * usage: bench_rtt --port P [--rate HZ] [--seconds S] [--samples FILE] [--label L]
 * prints: rtt label=L sent=N received=N skipped=N lost=N p50_us=X p99_us=X max_us=X
 * (skipped: sends that fell due while a message was still away; lost: never
 * came back within 2 s.)  --samples writes every round trip, in microseconds.
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench_stats.h"

struct rtt {
	char topic[64];
	bool connected;
	bool subscribed;
	uint64_t sent;
	uint64_t received;
	bool in_flight;     /* the last message has not come back yet */
	double *lat_us;     /* one per message received, in arrival order */
	size_t lat_cap;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct rtt *r = arg;
	if (rc != 0) {
		fprintf(stderr, "bench_rtt: connection refused: %s\n", mosquitto_connack_string(rc));
		return;
	}
	r->connected = true;
	mosquitto_subscribe(mosq, NULL, r->topic, 0);
}

static void on_subscribe(struct mosquitto *mosq, void *arg, int mid, int count, const int *granted)
{
	(void)mosq;
	(void)mid;
	(void)count;
	(void)granted;
	((struct rtt *)arg)->subscribed = true;
}

static void on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *msg)
{
	(void)mosq;
	struct rtt *r = arg;
	uint64_t t = now_ns(), seq, sent_at;
	if (msg->payloadlen != 16) return;
	memcpy(&seq, msg->payload, 8);
	memcpy(&sent_at, (const char *)msg->payload + 8, 8);
	r->in_flight = false;
	if (r->received >= r->lat_cap || t < sent_at) return;
	r->lat_us[r->received++] = (double)(t - sent_at) / 1000.0;
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fputs("usage: bench_rtt --port P [--host 127.0.0.1] [--rate HZ] [--seconds S] [--samples FILE]\n"
	      "                 [--label L]\n", stderr);
	exit(2);
}

/* Waits for the socket, or until deadline_ns, whichever is first; then lets
 * libmosquitto read, write and keep the connection alive. */
static int service(struct mosquitto *mosq, uint64_t deadline_ns)
{
	int fd = mosquitto_socket(mosq);
	if (fd < 0) return -1;
	struct pollfd pfd = { .fd = fd, .events = POLLIN, .revents = 0 };
	if (mosquitto_want_write(mosq)) pfd.events |= POLLOUT;
	uint64_t now = now_ns();
	uint64_t wait = deadline_ns > now ? deadline_ns - now : 0;
	struct timespec ts = { .tv_sec = (time_t)(wait / 1000000000u), .tv_nsec = (long)(wait % 1000000000u) };
	int n = ppoll(&pfd, 1, &ts, NULL);
	if (n < 0 && errno != EINTR) return -1;
	int rc = MOSQ_ERR_SUCCESS;
	if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) rc = mosquitto_loop_read(mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(mosq)) rc = mosquitto_loop_write(mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_loop_misc(mosq);
	return rc == MOSQ_ERR_SUCCESS ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *samples_path = NULL, *label = "run";
	int port = 0;
	double rate = 200, seconds = 10;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
		else if (strcmp(argv[i], "--rate") == 0) rate = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0) seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--samples") == 0) samples_path = argv[i + 1];
		else if (strcmp(argv[i], "--label") == 0) label = argv[i + 1];
		else usage();
	}
	if (argc % 2 == 0 || port <= 0 || rate < 1 || rate > 100000 || seconds <= 0) usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct rtt r = { 0 };
	snprintf(r.topic, sizeof(r.topic), "bench/rtt/%ld", (long)getpid());
	r.lat_cap = (size_t)(rate * seconds) + 16;
	r.lat_us = calloc(r.lat_cap, sizeof(*r.lat_us));
	if (!r.lat_us) return 1;

	mosquitto_lib_init();
	struct mosquitto *mosq = mosquitto_new(NULL, true, &r);
	if (!mosq) return 1;
	mosquitto_connect_callback_set(mosq, on_connect);
	mosquitto_subscribe_callback_set(mosq, on_subscribe);
	mosquitto_message_callback_set(mosq, on_message);
	/* No PINGREQ during a run: it could sit unread behind a message (see below). */
	if (mosquitto_connect(mosq, host, port, 3600) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "bench_rtt: cannot connect to %s:%d\n", host, port);
		return 1;
	}
	uint64_t give_up = now_ns() + 5000000000u;
	while (!r.subscribed && !stop && now_ns() < give_up)
		if (service(mosq, now_ns() + 10000000u) != 0) break;
	if (!r.subscribed) {
		fprintf(stderr, "bench_rtt: no subscription\n");
		return 1;
	}

	/* Sends on a fixed schedule, one message in flight at most: a send falls
	 * due while the last message is still away is skipped.  Mosquitto 2.0
	 * reads one packet per wake-up of a client's socket, so two packets queued
	 * behind a stall would leave every later message one period late for the
	 * rest of the run, and the run would measure the rate, not the broker. */
	uint64_t period = (uint64_t)(1e9 / rate);
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), next = start;
	uint64_t skipped = 0, lost = 0, last_sent = 0;
	while (!stop && now_ns() < end) {
		uint64_t now = now_ns();
		if (r.in_flight && now - last_sent > 2000000000u) {
			lost++; /* never back after 2 s: stop waiting for it */
			r.in_flight = false;
		}
		if (now >= next && r.in_flight) {
			skipped++;
			while (next <= now) next += period;
		} else if (now >= next) {
			uint8_t payload[16];
			uint64_t seq = r.sent;
			memcpy(payload, &seq, 8);
			memcpy(payload + 8, &now, 8);
			if (mosquitto_publish(mosq, NULL, r.topic, sizeof(payload), payload, 0, false) == MOSQ_ERR_SUCCESS) {
				r.sent++;
				r.in_flight = true;
				last_sent = now;
			}
			while (next <= now) next += period;
		}
		if (service(mosq, next) != 0) {
			fprintf(stderr, "bench_rtt: connection lost\n");
			break;
		}
	}
	/* The last messages may still be on their way back. */
	uint64_t drain = now_ns() + 500000000u;
	while (r.received < r.sent && now_ns() < drain)
		if (service(mosq, drain) != 0) break;
	mosquitto_disconnect(mosq);
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();

	if (samples_path) {
		FILE *f = fopen(samples_path, "w");
		if (!f) {
			perror(samples_path);
			return 1;
		}
		for (size_t i = 0; i < r.received; i++) fprintf(f, "%.1f\n", r.lat_us[i]);
		fclose(f);
	}
	struct bench_summary s;
	bench_summarize(r.lat_us, r.received, &s);
	printf("rtt label=%s sent=%" PRIu64 " received=%" PRIu64 " skipped=%" PRIu64
	       " lost=%" PRIu64 " p50_us=%.1f p99_us=%.1f max_us=%.1f\n", label, r.sent, r.received, skipped, lost,
	       s.p50, s.p99, s.max);
	free(r.lat_us);
	return r.received > 0 ? 0 : 1;
}
