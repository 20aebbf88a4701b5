// SPDX-License-Identifier: MIT
/*
 * mqtt_stream - a steady stream of numbered QoS 1 messages through a broker,
 * timed end to end: the witness that the broker keeps serving its clients
 * while the plugin inside it meets a misbehaving ECU.
 *
 * usage: mqtt_stream PORT TOPIC RATE_HZ OUT_FILE
 *
 * One client subscribes to TOPIC, another publishes "<seq>" to it RATE_HZ
 * times a second.  "ready" goes to stdout once both are connected and the
 * subscription is acknowledged.  On SIGTERM or SIGINT publishing stops, late
 * messages get up to 2 s, and OUT_FILE gets one line per message:
 *   seq sent_ms puback_ms received_ms copies
 * (CLOCK_MONOTONIC milliseconds, as Python's time.monotonic() * 1000; 0 when
 * it never happened), plus "# disconnect <client> <ms> <rc>" lines.  A summary
 * goes to stdout.  Exits 0 unless it could not start.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#define MAX_MESSAGES 262144u
#define MID_SLOTS 65536u
#define MAX_DISCONNECTS 64
#define LATE_WAIT_MS 2000

static volatile sig_atomic_t stop_requested;

/* Written by the main thread (sent, seq_by_mid) or by one client's network
 * thread (the rest); read only after both threads are joined. */
static double sent_ms[MAX_MESSAGES], received_ms[MAX_MESSAGES];
static unsigned copies[MAX_MESSAGES];
static double puback_by_mid[MID_SLOTS];
static unsigned seq_by_mid[MID_SLOTS];
static atomic_uint received_count, acked_count;
static atomic_bool pub_connected, sub_ready;
static unsigned bad_payloads;

struct disconnect {
	char who;
	double at_ms;
	int rc;
};
static struct disconnect disconnects[MAX_DISCONNECTS];
static atomic_uint disconnect_count;

static const char *topic;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* rc 0 is our own disconnect at the end: only the broker's count. */
static void note_disconnect(char who, int rc)
{
	if (rc == 0) return;
	unsigned n = atomic_fetch_add(&disconnect_count, 1);
	if (n < MAX_DISCONNECTS) disconnects[n] = (struct disconnect){ who, now_ms(), rc };
}

static void on_sub_connect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)obj;
	if (rc == 0) mosquitto_subscribe(mosq, NULL, topic, 1);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
	(void)mosq;
	(void)obj;
	(void)mid;
	if (count == 1 && granted[0] == 1) atomic_store(&sub_ready, true);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	(void)mosq;
	(void)obj;
	char text[16];
	if (msg->payloadlen <= 0 || (size_t)msg->payloadlen >= sizeof(text)) {
		bad_payloads++;
		return;
	}
	memcpy(text, msg->payload, (size_t)msg->payloadlen);
	text[msg->payloadlen] = '\0';
	char *end;
	unsigned long seq = strtoul(text, &end, 10);
	if (*end != '\0' || seq >= MAX_MESSAGES) {
		bad_payloads++;
		return;
	}
	if (copies[seq]++ == 0) received_ms[seq] = now_ms();
	atomic_fetch_add(&received_count, 1);
}

static void on_sub_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)obj;
	note_disconnect('s', rc);
}

static void on_pub_connect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)obj;
	if (rc == 0) atomic_store(&pub_connected, true);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	(void)mosq;
	(void)obj;
	puback_by_mid[(unsigned)mid % MID_SLOTS] = now_ms();
	atomic_fetch_add(&acked_count, 1);
}

static void on_pub_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	(void)obj;
	note_disconnect('p', rc);
}

static void sleep_until(double when_ms)
{
	struct timespec ts = { .tv_sec = (time_t)(when_ms / 1e3),
		                   .tv_nsec = (long)((when_ms - (double)(time_t)(when_ms / 1e3) * 1e3) * 1e6) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_requested) {
	}
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: mqtt_stream PORT TOPIC RATE_HZ OUT_FILE\n");
		return 2;
	}
	int port = atoi(argv[1]);
	topic = argv[2];
	double rate = atof(argv[3]);
	const char *out_path = argv[4];
	if (port <= 0 || port > 65535 || !(rate > 0 && rate <= 1000)) {
		fprintf(stderr, "mqtt_stream: bad port or rate\n");
		return 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	mosquitto_lib_init();
	char sub_id[64], pub_id[64];
	snprintf(sub_id, sizeof(sub_id), "stream-sub-%ld", (long)getpid());
	snprintf(pub_id, sizeof(pub_id), "stream-pub-%ld", (long)getpid());

	struct mosquitto *sub = mosquitto_new(sub_id, true, NULL);
	struct mosquitto *pub = mosquitto_new(pub_id, true, NULL);
	if (!sub || !pub) return 1;
	mosquitto_connect_callback_set(sub, on_sub_connect);
	mosquitto_subscribe_callback_set(sub, on_subscribe);
	mosquitto_message_callback_set(sub, on_message);
	mosquitto_disconnect_callback_set(sub, on_sub_disconnect);
	mosquitto_connect_callback_set(pub, on_pub_connect);
	mosquitto_publish_callback_set(pub, on_publish);
	mosquitto_disconnect_callback_set(pub, on_pub_disconnect);
	mosquitto_max_inflight_messages_set(pub, 0); /* no client-side queueing hides a slow broker */
	for (int i = 0; i < 2; i++) {
		struct mosquitto *m = i ? pub : sub;
		if (mosquitto_connect_async(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS ||
		    mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "mqtt_stream: cannot connect to 127.0.0.1:%d\n", port);
			return 1;
		}
	}
	double give_up = now_ms() + 10000;
	while (!(atomic_load(&sub_ready) && atomic_load(&pub_connected))) {
		if (now_ms() > give_up || stop_requested) {
			fprintf(stderr, "mqtt_stream: not connected and subscribed within 10 s\n");
			return 1;
		}
		sleep_until(now_ms() + 10);
	}
	printf("ready\n");
	fflush(stdout);

	double period = 1000.0 / rate, next = now_ms();
	unsigned sent = 0;
	while (!stop_requested && sent < MAX_MESSAGES) {
		char payload[16];
		int len = snprintf(payload, sizeof(payload), "%u", sent);
		int mid = 0;
		sent_ms[sent] = now_ms();
		int rc = mosquitto_publish(pub, &mid, topic, len, payload, 1, false);
		if (rc == MOSQ_ERR_SUCCESS) seq_by_mid[(unsigned)mid % MID_SLOTS] = sent + 1;
		sent++;
		next += period;
		sleep_until(next);
	}

	double late = now_ms() + LATE_WAIT_MS;
	while ((atomic_load(&received_count) < sent || atomic_load(&acked_count) < sent) && now_ms() < late)
		sleep_until(now_ms() + 10);

	mosquitto_disconnect(pub);
	mosquitto_disconnect(sub);
	mosquitto_loop_stop(pub, false);
	mosquitto_loop_stop(sub, false);

	static double puback_ms[MAX_MESSAGES];
	for (unsigned mid = 0; mid < MID_SLOTS; mid++)
		if (seq_by_mid[mid] && puback_by_mid[mid] > 0) puback_ms[seq_by_mid[mid] - 1] = puback_by_mid[mid];

	FILE *out = fopen(out_path, "w");
	if (!out) {
		perror(out_path);
		return 1;
	}
	unsigned lost = 0, dups = 0;
	double worst = 0;
	for (unsigned i = 0; i < sent; i++) {
		fprintf(out, "%u %.3f %.3f %.3f %u\n", i, sent_ms[i], puback_ms[i], received_ms[i], copies[i]);
		if (!copies[i]) lost++;
		else if (received_ms[i] - sent_ms[i] > worst) worst = received_ms[i] - sent_ms[i];
		if (copies[i] > 1) dups++;
	}
	unsigned nd = atomic_load(&disconnect_count);
	for (unsigned i = 0; i < nd && i < MAX_DISCONNECTS; i++)
		fprintf(out, "# disconnect %c %.3f %d\n", disconnects[i].who, disconnects[i].at_ms, disconnects[i].rc);
	fclose(out);
	printf("sent %u, lost %u, duplicated %u, bad %u, disconnects %u, worst latency %.1f ms\n", sent, lost, dups,
	       bad_payloads, nd, worst);

	mosquitto_destroy(pub);
	mosquitto_destroy(sub);
	mosquitto_lib_cleanup();
	return 0;
}
