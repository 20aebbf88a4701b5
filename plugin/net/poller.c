// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "poller.h"

#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

/* Per-step bound on state changes, so one tick never loops for long. */
#define STEP_LIMIT 8

static const char *phase_name(enum aps_command cmd)
{
	switch (cmd) {
	case APS_CMD_ECU_INFO: return "ECU info";
	case APS_CMD_INVERTERS: return "inverter data";
	case APS_CMD_SIGNAL: return "signal";
	}
	return "request";
}

void poller_init(struct ecu_poller *p, const char *host, uint16_t port, uint64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->port = port;
	if (strchr(host, ':'))
		snprintf(p->label, sizeof(p->label), "[%s]:%u", host, (unsigned)port);
	else
		snprintf(p->label, sizeof(p->label), "%s:%u", host, (unsigned)port);
	conn_init(&p->conn);
	p->state = POLLER_IDLE;
	p->next_poll_ms = now_ms;
}

void poller_free(struct ecu_poller *p)
{
	conn_release(&p->conn);
	resolver_stop(&p->resolver);
	aps_free(p->inverters);
	aps_free(p->signals);
	p->inverters = NULL;
	p->signals = NULL;
}

void poller_schedule(struct ecu_poller *p, uint64_t at_ms)
{
	p->next_poll_ms = at_ms;
}

int poller_fd(const struct ecu_poller *p, short *events)
{
	*events = p->state == POLLER_EXCHANGE ? conn_events(&p->conn) : 0;
	return *events ? p->conn.fd : -1;
}

static enum poller_event fail(struct ecu_poller *p, uint64_t now_ms, enum aps_err code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum poller_event fail(struct ecu_poller *p, uint64_t now_ms, enum aps_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	p->error_code = code;
	conn_release(&p->conn);
	p->state = POLLER_IDLE;
	p->cycle_duration_ms = now_ms - p->cycle_start_ms;
	return POLLER_CYCLE_FAILED;
}

static void set_note(struct ecu_poller *p, enum aps_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_note(struct ecu_poller *p, enum aps_err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->note, sizeof(p->note), fmt, ap);
	va_end(ap);
	p->note_code = code;
}

static void start_request(struct ecu_poller *p, const struct poller_settings *s, uint64_t now_ms)
{
	char request[APS_REQUEST_MAX];
	int len = aps_build_request(p->phase, p->info.ecu_id, request, sizeof(request));

	p->state = POLLER_EXCHANGE;
	p->deadline_ms = now_ms + s->timeout_ms;
	if (len < 0) {
		conn_fail(&p->conn, "cannot build the request");
		return;
	}
	conn_start(&p->conn, (const struct sockaddr *)&p->resolver.addr, p->resolver.addrlen, p->phase, request,
	           (size_t)len);
}

/* Grows arr (of elem-sized items) to hold at least need items. */
static int reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) return 0;
	void *grown = aps_realloc(*arr, need * elem);
	if (!grown) return -1;
	*arr = grown;
	*cap = need;
	return 0;
}

/* Parses the reply of the current phase; returns false when the cycle fails. */
static bool take_reply(struct ecu_poller *p)
{
	const uint8_t *buf = p->conn.buf;
	size_t len = p->conn.frame_len;
	struct aps_error err;
	int rc = 0;

	switch (p->phase) {
	case APS_CMD_ECU_INFO:
		rc = aps_parse_ecu_info(buf, len, &p->info, &err);
		break;
	case APS_CMD_INVERTERS:
		/* No reply of len bytes holds more than this many 9-byte records. */
		if (reserve((void **)&p->inverters, &p->inverters_cap, len / 9 + 1, sizeof(*p->inverters)) < 0) {
			snprintf(err.reason, sizeof(err.reason), "out of memory");
			err.code = APS_E_CAPACITY;
			rc = -1;
			break;
		}
		rc = aps_parse_inverters(buf, len, &p->inv, p->inverters, p->inverters_cap, &err);
		p->have_inverters = rc == 0;
		if (rc == -APS_E_NO_DATA) {
			set_note(p, APS_E_NO_DATA, "inverter data: %s", err.reason);
			return true;
		}
		if (rc == 0 && err.code == APS_E_UNKNOWN_TYPE)
			set_note(p, APS_E_UNKNOWN_TYPE, "inverter data: %s", err.reason);
		break;
	case APS_CMD_SIGNAL:
		if (reserve((void **)&p->signals, &p->signals_cap, len / 7 + 1, sizeof(*p->signals)) < 0) {
			set_note(p, APS_E_CAPACITY, "signal: out of memory");
			return true;
		}
		rc = aps_parse_signal(buf, len, p->signals, p->signals_cap, &p->signal_count, &err);
		p->have_signal = rc == 0;
		if (rc != 0) set_note(p, err.code, "signal: %s", err.reason);
		return true;
	}
	if (rc != 0) {
		p->error_code = err.code;
		snprintf(p->error, sizeof(p->error), "%s: %s", phase_name(p->phase), err.reason);
		return false;
	}
	return true;
}

/* A lookup without an answer in time, whether it is still running or not. */
static enum poller_event lookup_timed_out(struct ecu_poller *p, uint64_t now_ms)
{
	return fail(p, now_ms, APS_OK, "name lookup of %s timed out", p->host);
}

static enum poller_event start_cycle(struct ecu_poller *p, uint64_t now_ms)
{
	p->cycle_start_ms = now_ms;
	p->phase = APS_CMD_ECU_INFO;
	p->have_inverters = false;
	p->have_signal = false;
	p->signal_count = 0;
	p->note[0] = '\0';
	p->note_code = APS_OK;
	p->error[0] = '\0';
	p->error_code = APS_OK;

	/* A lookup from an earlier cycle that timed out may still be running:
	 * never wait for it here.  It is the same trouble as its time-out, in
	 * the same words, so the log says it once (issue 16: "timed out" and
	 * "still under way" took turns, two lines per retry). */
	if (p->resolver.thread_running && !resolver_poll(&p->resolver)) return lookup_timed_out(p, now_ms);

	int rc = resolver_start(&p->resolver, p->host, p->port);
	if (rc < 0) return fail(p, now_ms, APS_OK, "cannot start the name lookup of %s", p->host);
	p->state = POLLER_RESOLVING;
	return POLLER_NOTHING;
}

/* One state transition at most; *progress tells whether anything moved. */
static enum poller_event advance(struct ecu_poller *p, const struct poller_settings *s, uint64_t now_ms,
                                 short revents, bool *progress)
{
	*progress = false;
	switch (p->state) {
	case POLLER_IDLE:
		if (now_ms < p->next_poll_ms) return POLLER_NOTHING;
		*progress = true;
		return start_cycle(p, now_ms);

	case POLLER_RESOLVING:
		if (!resolver_poll(&p->resolver)) {
			if (now_ms - p->cycle_start_ms >= s->timeout_ms) return lookup_timed_out(p, now_ms);
			return POLLER_NOTHING;
		}
		if (p->resolver.gai_error != 0)
			return fail(p, now_ms, APS_OK, "cannot resolve %s: %s", p->host,
			            gai_strerror(p->resolver.gai_error));
		*progress = true;
		start_request(p, s, now_ms);
		return POLLER_NOTHING;

	case POLLER_GAP:
		if (now_ms < p->deadline_ms) return POLLER_NOTHING;
		*progress = true;
		start_request(p, s, now_ms);
		return POLLER_NOTHING;

	case POLLER_EXCHANGE:
		if (revents) {
			enum conn_state before = p->conn.state;
			conn_step(&p->conn, revents);
			*progress = p->conn.state != before;
		}
		if (p->conn.state == CONN_FAILED) {
			/* The signal request is optional: an ECU that does not answer it
			 * still gave us everything that matters. */
			if (p->phase == APS_CMD_SIGNAL) {
				set_note(p, APS_OK, "signal: %s", p->conn.error);
				break;
			}
			return fail(p, now_ms, APS_OK, "%s: %s", phase_name(p->phase), p->conn.error);
		}
		if (p->conn.state != CONN_DONE) {
			if (now_ms >= p->deadline_ms) {
				conn_fail(&p->conn, "timed out after %u ms (%zu bytes received)", s->timeout_ms,
				          p->conn.received);
				*progress = true;
			}
			return POLLER_NOTHING;
		}
		if (!take_reply(p)) {
			/* fail() formats into p->error: never hand it p->error itself. */
			char why[sizeof(p->error)];
			memcpy(why, p->error, sizeof(why));
			return fail(p, now_ms, p->error_code, "%s", why);
		}
		if (p->phase == APS_CMD_ECU_INFO) {
			p->phase = APS_CMD_INVERTERS;
		} else if (p->phase == APS_CMD_INVERTERS) {
			p->phase = APS_CMD_SIGNAL;
		} else {
			break;
		}
		p->state = POLLER_GAP;
		p->deadline_ms = now_ms + s->request_gap_ms;
		*progress = true;
		return POLLER_NOTHING;
	}

	/* The signal phase ended, answered or not: the cycle is complete. */
	conn_release(&p->conn);
	p->conn.state = CONN_IDLE;
	p->state = POLLER_IDLE;
	p->cycle_duration_ms = now_ms - p->cycle_start_ms;
	*progress = true;
	return POLLER_CYCLE_OK;
}

enum poller_event poller_step(struct ecu_poller *p, const struct poller_settings *s, uint64_t now_ms,
                              short revents)
{
	for (int i = 0; i < STEP_LIMIT; i++) {
		bool progress;
		enum poller_event ev = advance(p, s, now_ms, revents, &progress);
		if (ev != POLLER_NOTHING) return ev;
		if (!progress) break;
		/* A new socket has had no poll() yet: let it try at once, since a
		 * loopback connect or a reply already queued needs no wait. */
		revents = POLLIN | POLLOUT;
	}
	return POLLER_NOTHING;
}

bool poller_due(const struct ecu_poller *p, uint64_t now_ms)
{
	switch (p->state) {
	case POLLER_IDLE:
		return now_ms >= p->next_poll_ms;
	case POLLER_GAP:
	case POLLER_EXCHANGE:
		/* An exchange moves on its socket's events, else at its deadline. */
		return now_ms >= p->deadline_ms;
	case POLLER_RESOLVING:
	default:
		return true;
	}
}

uint64_t poller_wait_ms(const struct ecu_poller *p, uint64_t now_ms)
{
	switch (p->state) {
	case POLLER_IDLE:
	case POLLER_GAP: {
		uint64_t due = p->state == POLLER_IDLE ? p->next_poll_ms : p->deadline_ms;
		return due > now_ms ? due - now_ms : 0;
	}
	default:
		return 10;
	}
}
