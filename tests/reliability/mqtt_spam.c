// SPDX-License-Identifier: MIT
/*
 * mqtt_spam - one client publishing the same message as fast as asked: the
 * careless or hostile client of tests/reliability/test_load.py (Home
 * Assistant's birth message, a hundred times a second).  mosquitto_pub in a
 * loop manages a few a second; this keeps one connection.
 *
 * usage: mqtt_spam PORT TOPIC PAYLOAD RATE_HZ SECONDS
 *
 * QoS 0, not retained.  Prints "ready" once connected and "sent N" at the
 * end; exits 0 unless it could not connect.
 */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: mqtt_spam PORT TOPIC PAYLOAD RATE_HZ SECONDS\n");
		return 2;
	}
	int port = atoi(argv[1]);
	const char *topic = argv[2], *payload = argv[3];
	double rate = atof(argv[4]), seconds = atof(argv[5]);
	if (rate <= 0 || seconds <= 0) return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	mosquitto_lib_init();
	struct mosquitto *mosq = mosquitto_new(NULL, true, NULL);
	if (!mosq || mosquitto_connect(mosq, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS ||
	    mosquitto_loop_start(mosq) != MOSQ_ERR_SUCCESS) {
		fprintf(stderr, "mqtt_spam: cannot connect to 127.0.0.1:%d\n", port);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	unsigned long sent = 0;
	double start = now_s();
	while (!stop_requested) {
		double t = now_s() - start;
		if (t >= seconds) break;
		/* Catch up to the rate, then sleep a little: steady, not bursty. */
		while ((double)sent < t * rate) {
			if (mosquitto_publish(mosq, NULL, topic, (int)strlen(payload), payload, 0, false) ==
			    MOSQ_ERR_SUCCESS)
				sent++;
			else
				break;
		}
		struct timespec pause = { 0, 2000000 };
		nanosleep(&pause, NULL);
	}
	mosquitto_disconnect(mosq);
	mosquitto_loop_stop(mosq, false);
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	printf("sent %lu\n", sent);
	return 0;
}
