// SPDX-License-Identifier: MIT
/*
 * test_poller.c - one ECU's poll cycle against a loopback listener that
 * answers with a real capture: the cycle parses all three replies, and the
 * 10,000-byte reply buffer is held only while a cycle is under way (an idle
 * ECU costs the broker no buffer), after a good cycle and after a failed one.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aps_check.h"
#include "hexfile.h"
#include "poller.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The three replies of the capture, answered in order, one per connection. */
struct ecu_sim {
	int listener;
	uint16_t port;
	uint8_t reply[3][APS_REPLY_MAX];
	size_t len[3];
	unsigned served;
};

static bool sim_start(struct ecu_sim *sim)
{
	static const char *const files[3] = {"ecu.hex", "inverters.hex", "signal.hex"};
	for (int i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/ecu-r-pro-6xqs1/%s", APS_FIXTURES, files[i]);
		if (hexfile_read(path, sim->reply[i], APS_REPLY_MAX, &sim->len[i]) != 0) return false;
	}
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	sim->listener = socket(AF_INET, SOCK_STREAM, 0);
	if (sim->listener < 0 || bind(sim->listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(sim->listener, 4) != 0 || getsockname(sim->listener, (struct sockaddr *)&a, &alen) != 0)
		return false;
	fcntl(sim->listener, F_SETFL, O_NONBLOCK);
	sim->port = ntohs(a.sin_port);
	sim->served = 0;
	return true;
}

/* Answers a waiting connection, if any: reads the request, writes the reply. */
static void sim_serve(struct ecu_sim *sim)
{
	int fd = accept(sim->listener, NULL, NULL);
	if (fd < 0) return;
	char request[128];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 1000) == 1 && read(fd, request, sizeof(request)) > 0) {
		unsigned i = sim->served++ % 3;
		if (write(fd, sim->reply[i], sim->len[i]) != (ssize_t)sim->len[i]) aps_check_failed++;
	}
	close(fd);
}

/* Steps the poller until its cycle ends (or 5 s pass); notes whether the
 * reply buffer was held during the exchanges. */
static enum poller_event run_cycle(struct ecu_poller *p, struct ecu_sim *sim, bool *held)
{
	const struct poller_settings s = { .timeout_ms = 2000, .request_gap_ms = 0 };
	uint64_t end = now_ms() + 5000;
	short revents = 0;
	*held = false;
	while (now_ms() < end) {
		enum poller_event ev = poller_step(p, &s, now_ms(), revents);
		if (ev != POLLER_NOTHING) return ev;
		if (p->state == POLLER_EXCHANGE && p->conn.buf != NULL) *held = true;
		if (sim != NULL) sim_serve(sim);
		short events;
		int fd = poller_fd(p, &events);
		struct pollfd pfd = { .fd = fd, .events = events };
		revents = fd >= 0 && poll(&pfd, 1, 10) == 1 ? pfd.revents : 0;
	}
	return POLLER_NOTHING;
}

int main(void)
{
	struct ecu_sim sim;
	struct ecu_poller p;
	bool held;

	CHECK(sim_start(&sim));
	poller_init(&p, "127.0.0.1", sim.port, now_ms());
	CHECK(p.conn.buf == NULL); /* an idle ECU holds no reply buffer */

	CHECK(run_cycle(&p, &sim, &held) == POLLER_CYCLE_OK);
	CHECK(held);
	CHECK(sim.served == 3);
	CHECK(strcmp(p.info.ecu_id, "216200033510") == 0);
	CHECK(p.have_inverters && p.inv.count == 6);
	CHECK(p.have_signal && p.signal_count == 6);
	CHECK(p.conn.buf == NULL); /* released with the cycle */

	/* A second cycle allocates it again, and releases it again. */
	p.next_poll_ms = now_ms();
	CHECK(run_cycle(&p, &sim, &held) == POLLER_CYCLE_OK);
	CHECK(held && p.conn.buf == NULL);

	/* What the tick relies on to skip an ECU (poller_due): an idle poller
	 * has nothing to do before its time, and an exchange whose peer keeps
	 * silent nothing before its deadline, when it fails without any event. */
	const struct poller_settings quick = { .timeout_ms = 300, .request_gap_ms = 0 };
	uint64_t t = now_ms();
	poller_schedule(&p, t + 1000);
	CHECK(!poller_due(&p, t));
	CHECK(poller_due(&p, t + 1000));
	poller_schedule(&p, t);
	CHECK(poller_due(&p, t));
	CHECK(poller_step(&p, &quick, t, 0) == POLLER_NOTHING); /* connected (the backlog), request sent */
	CHECK(p.state == POLLER_EXCHANGE);
	CHECK(!poller_due(&p, t));
	CHECK(!poller_due(&p, p.deadline_ms - 1));
	CHECK(poller_due(&p, p.deadline_ms));
	CHECK(poller_step(&p, &quick, p.deadline_ms, 0) == POLLER_CYCLE_FAILED);
	CHECK(strstr(p.error, "timed out") != NULL);
	CHECK(p.state == POLLER_IDLE);
	sim_serve(&sim);                       /* the request left in the backlog */

	/* Nobody listening: the cycle fails, and nothing is held either. */
	close(sim.listener);
	p.next_poll_ms = now_ms();
	CHECK(run_cycle(&p, NULL, &held) == POLLER_CYCLE_FAILED);
	CHECK(strstr(p.error, "connect") != NULL || strstr(p.error, "refused") != NULL);
	CHECK(p.conn.buf == NULL);

	poller_free(&p);
	return aps_check_report("test_poller");
}
