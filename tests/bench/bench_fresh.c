// SPDX-License-Identifier: MIT
/*
 * bench_fresh - how fresh the published data is.
 *
 * Sits between the plugin and a simulated ECU as a TCP relay, so it knows when
 * each poll cycle's first connection came and when the last reply byte went
 * to the plugin; and subscribes to the ECU's topics, so it knows when the
 * data arrived at a client.  Both clocks are this process's CLOCK_MONOTONIC.
 *
 * usage: bench_fresh --upstream PORT --broker PORT --ecu-id ID --listen PORT
 *                    [--cycles N] [--timeout S]
 * The plugin must be told to poll 127.0.0.1:<listen PORT>; its polls are
 * refused until this program is connected to the broker and listening.
 * Prints one "fresh" line per cycle and a summary:
 *   fresh cycles=N cycle_ms_p50=X cycle_ms_max=X publish_ms_p50=X publish_ms_max=X ...
 * cycle: first connection accepted .. last reply byte sent (the plugin's poll);
 * publish: last reply byte .. the ECU topic's message at this subscriber;
 * diag: last reply byte .. the diagnostics message (the cycle's last one).
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "bench_stats.h"

#define MAX_CYCLES 1000
#define MAX_PAIRS 8

struct pair {
	int client;    /* the plugin's connection */
	int upstream;  /* ours to the simulator */
};

struct fresh {
	char ecu_topic[64];
	char diag_topic[80];
	uint64_t cycle_start;      /* first accept since the last publication; 0 = none */
	uint64_t last_reply_byte;  /* last write to the plugin */
	uint64_t reply_at_publish; /* last_reply_byte when the ECU topic arrived */
	bool awaiting_diag;
	size_t cycles;
	double cycle_ms[MAX_CYCLES], publish_ms[MAX_CYCLES], diag_ms[MAX_CYCLES], plugin_ms[MAX_CYCLES];
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_fresh: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_loopback(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0) die("listen");
	return fd;
}

static int connect_loopback(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) die("socket");
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void on_message(struct mosquitto *mosq, void *arg, const struct mosquitto_message *msg)
{
	(void)mosq;
	struct fresh *f = arg;
	uint64_t t = now_ns();
	if (msg->retain || f->cycle_start == 0 || f->cycles >= MAX_CYCLES) return;
	if (strcmp(msg->topic, f->ecu_topic) == 0) {
		f->reply_at_publish = f->last_reply_byte;
		f->cycle_ms[f->cycles] = (double)(f->last_reply_byte - f->cycle_start) / 1e6;
		f->publish_ms[f->cycles] = (double)(t - f->last_reply_byte) / 1e6;
		f->awaiting_diag = true;
	} else if (f->awaiting_diag && strcmp(msg->topic, f->diag_topic) == 0) {
		f->diag_ms[f->cycles] = (double)(t - f->reply_at_publish) / 1e6;
		const char *key = strstr(msg->payload ? (const char *)msg->payload : "", "\"poll_duration_ms\":");
		f->plugin_ms[f->cycles] = key ? atof(key + strlen("\"poll_duration_ms\":")) : -1;
		printf("fresh cycle=%zu cycle_ms=%.1f publish_ms=%.2f diag_ms=%.2f plugin_poll_duration_ms=%.0f\n",
		       f->cycles, f->cycle_ms[f->cycles], f->publish_ms[f->cycles], f->diag_ms[f->cycles],
		       f->plugin_ms[f->cycles]);
		fflush(stdout);
		f->cycles++;
		f->awaiting_diag = false;
		f->cycle_start = 0;
	}
}

/* Moves what is readable from one side to the other; false when from closed. */
static bool relay(int from, int to, struct fresh *f, bool to_plugin)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0) return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR) continue;
			return false;
		}
		off += w;
	}
	if (to_plugin) f->last_reply_byte = now_ns();
	return true;
}

int main(int argc, char **argv)
{
	int upstream_port = 0, broker_port = 0;
	const char *ecu_id = NULL;
	int listen_port = 0;
	size_t want_cycles = 5;
	double timeout_s = 60;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--upstream") == 0) upstream_port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--broker") == 0) broker_port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--ecu-id") == 0) ecu_id = argv[i + 1];
		else if (strcmp(argv[i], "--listen") == 0) listen_port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--cycles") == 0) want_cycles = (size_t)atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--timeout") == 0) timeout_s = atof(argv[i + 1]);
	}
	if (!upstream_port || !broker_port || !ecu_id || listen_port <= 0 || want_cycles == 0 || want_cycles > MAX_CYCLES) {
		fputs("usage: bench_fresh --upstream PORT --broker PORT --ecu-id ID --listen PORT [--cycles N]"
		      " [--timeout S]\n", stderr);
		return 2;
	}

	static struct fresh f;
	snprintf(f.ecu_topic, sizeof(f.ecu_topic), "aps/%s", ecu_id);
	snprintf(f.diag_topic, sizeof(f.diag_topic), "aps/%s/diagnostics", ecu_id);

	mosquitto_lib_init();
	struct mosquitto *mosq = mosquitto_new(NULL, true, &f);
	if (!mosq) return 1;
	mosquitto_message_callback_set(mosq, on_message);
	if (mosquitto_connect(mosq, "127.0.0.1", broker_port, 60) != MOSQ_ERR_SUCCESS) die("mqtt connect");
	mosquitto_subscribe(mosq, NULL, f.ecu_topic, 0);
	mosquitto_subscribe(mosq, NULL, f.diag_topic, 0);

	/* Only now may the plugin find its ECU: no cycle goes unobserved. */
	int lfd = listen_loopback(listen_port);

	struct pair pairs[MAX_PAIRS];
	size_t npairs = 0;
	uint64_t give_up = now_ns() + (uint64_t)(timeout_s * 1e9);
	while (f.cycles < want_cycles && now_ns() < give_up) {
		struct pollfd pfd[2 + 2 * MAX_PAIRS];
		size_t n = 0;
		pfd[n++] = (struct pollfd){ .fd = mosquitto_socket(mosq),
		                            .events = (short)(POLLIN | (mosquitto_want_write(mosq) ? POLLOUT : 0)) };
		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (size_t i = 0; i < npairs; i++) {
			pfd[n++] = (struct pollfd){ .fd = pairs[i].client, .events = POLLIN };
			pfd[n++] = (struct pollfd){ .fd = pairs[i].upstream, .events = POLLIN };
		}
		if (poll(pfd, (nfds_t)n, 100) < 0 && errno != EINTR) die("poll");
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) mosquitto_loop_read(mosq, 1);
		if (mosquitto_want_write(mosq)) mosquitto_loop_write(mosq, 1);
		mosquitto_loop_misc(mosq);

		/* Pairs first (their slots match this poll), then new connections. */
		for (size_t i = npairs; i-- > 0;) {
			short from_plugin = pfd[2 + 2 * i].revents, from_sim = pfd[3 + 2 * i].revents;
			bool open = true;
			if (from_plugin & (POLLIN | POLLHUP | POLLERR)) open = relay(pairs[i].client, pairs[i].upstream, &f, false);
			if (open && (from_sim & (POLLIN | POLLHUP | POLLERR))) open = relay(pairs[i].upstream, pairs[i].client, &f, true);
			if (!open) {
				close(pairs[i].client);
				close(pairs[i].upstream);
				pairs[i] = pairs[--npairs];
			}
		}
		if (pfd[1].revents & POLLIN) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				int u = connect_loopback(upstream_port);
				if (u < 0 || npairs == MAX_PAIRS) {
					close(c);
					if (u >= 0) close(u);
				} else {
					if (f.cycle_start == 0) f.cycle_start = now_ns();
					pairs[npairs++] = (struct pair){ .client = c, .upstream = u };
				}
			}
		}
	}

	struct bench_summary cyc, pub, diag, plug;
	size_t n = f.cycles;
	bench_summarize(f.cycle_ms, n, &cyc);
	bench_summarize(f.publish_ms, n, &pub);
	bench_summarize(f.diag_ms, n, &diag);
	bench_summarize(f.plugin_ms, n, &plug);
	printf("fresh cycles=%zu cycle_ms_p50=%.1f cycle_ms_max=%.1f plugin_poll_duration_ms_p50=%.0f "
	       "plugin_poll_duration_ms_max=%.0f publish_ms_p50=%.2f publish_ms_max=%.2f diag_ms_p50=%.2f "
	       "diag_ms_max=%.2f\n",
	       n, cyc.p50, cyc.max, plug.p50, plug.max, pub.p50, pub.max, diag.p50, diag.max);
	mosquitto_destroy(mosq);
	mosquitto_lib_cleanup();
	return n == want_cycles ? 0 : 1;
}
