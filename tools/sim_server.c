// SPDX-License-Identifier: MIT
/* sim_server.c - the single-threaded poll() loop of `aps-ecu simulate`.
 *
 * Each connection carries one request, as with a real ECU: read up to "END\n",
 * answer (or misbehave, per the fault in force), close.  Sockets never block;
 * every wait has a deadline, so a stuck client costs one slot, not the loop. */
#define _GNU_SOURCE /* accept4, ppoll */
#include "sim_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAX 64
#define IDLE_TIMEOUT_MS 30000   /* connected but no whole request yet */
#define STALL_TIMEOUT_MS 30000  /* reply not accepted by the client */
#define LISTEN_RETRY_MS 100
#define ACCEPT_PAUSE_MS 100     /* after EMFILE, so a full table cannot spin the loop */
#define CONN_CAP_MAX 4000
#define FD_RESERVE 16

enum conn_state { CONN_READING, CONN_WRITING, CONN_HANGING, CONN_CLOSED };

struct conn {
	int fd;
	enum conn_state state;
	char peer[64];
	uint8_t in[REQUEST_MAX];
	size_t in_len;
	struct sim_plan plan;
	size_t sent;
	int64_t deadline_ms;   /* < 0: none */
	int64_t next_drip_ms;
};

struct server {
	const struct sim_config *cfg;
	int listen_fd;         /* -1 while a fault refuses connections */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int64_t listen_retry_ms;
	int64_t accept_pause_ms;
	struct conn *conns;
	size_t conn_count, conn_cap;
	struct pollfd *pfds;
	struct sim_fault_clock faults;
	struct sim_fault fault;
	struct sim_web web;    /* the web pages, when cfg->web */
	bool has_web;
};

static volatile sig_atomic_t stop_requested;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* ---- Listener ---- */

static int open_listener(struct server *s)
{
	int fd = socket(s->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	int one = 1;
	/* Reopening after refuse/reboot must get the same port back at once. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&s->addr, s->addr_len) != 0 || listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)&s->addr, &s->addr_len) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	s->listen_fd = fd;
	return 0;
}

static unsigned bound_port(const struct server *s)
{
	if (s->addr.ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)&s->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&s->addr)->sin_port);
}

static void update_listener(struct server *s, int64_t now)
{
	bool wanted = !sim_fault_refuses(&s->fault);
	if (!wanted && s->listen_fd >= 0) {
		close(s->listen_fd);
		s->listen_fd = -1;
		sim_log("listener closed: connections are refused");
	} else if (wanted && s->listen_fd < 0 && now >= s->listen_retry_ms) {
		if (open_listener(s) == 0) {
			sim_log("listening again on port %u", bound_port(s));
		} else {
			sim_warn("cannot listen on port %u again: %s (retrying)", bound_port(s), strerror(errno));
			s->listen_retry_ms = now + LISTEN_RETRY_MS;
		}
	}
}

static int resolve_bind(struct server *s, const char *addr, unsigned port)
{
	memset(&s->addr, 0, sizeof s->addr);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&s->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&s->addr;
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		s->addr_len = sizeof *v4;
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		s->addr_len = sizeof *v6;
	} else {
		return -1;
	}
	return 0;
}

/* Written under a temporary name and renamed, so readers see all or nothing. */
static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) return -1;
	FILE *f = fopen(tmp, "w");
	if (!f) return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- Connections ---- */

static void conn_close(struct conn *c, bool abort_with_rst)
{
	if (abort_with_rst) {
		struct linger lg = {1, 0};
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	} else {
		/* Unread input would turn close() into a RST that can destroy the reply. */
		uint8_t scratch[1024];
		for (int i = 0; i < 64 && recv(c->fd, scratch, sizeof scratch, 0) > 0; i++) {}
	}
	close(c->fd);
	free(c->plan.bytes);
	c->plan.bytes = NULL;
	c->fd = -1;
	c->state = CONN_CLOSED;
}

static void format_peer(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
		port = ntohs(a->sin_port);
		snprintf(buf, cap, "%s:%u", host, port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
		port = ntohs(a->sin6_port);
		snprintf(buf, cap, "[%s]:%u", host, port);
	}
}

static void accept_all(struct server *s, int64_t now)
{
	while (s->listen_fd >= 0 && s->conn_count < s->conn_cap) {
		struct sockaddr_storage peer;
		memset(&peer, 0, sizeof peer); /* accept4 fills it; the analyzer cannot tell */
		socklen_t peer_len = sizeof peer;
		int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &peer_len,
		                 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				sim_warn("accept: %s", strerror(errno));
				s->accept_pause_ms = now + ACCEPT_PAUSE_MS;
				return;
			}
			if (errno == EINTR || errno == ECONNABORTED) continue;
			return; /* EAGAIN: backlog empty */
		}
		struct conn *c = &s->conns[s->conn_count++];
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->state = CONN_READING;
		c->deadline_ms = now + IDLE_TIMEOUT_MS;
		format_peer(&peer, c->peer, sizeof c->peer);
	}
}

static const uint8_t *find_end(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (memcmp(buf + i, "END\n", 4) == 0) return buf + i;
	return NULL;
}

static bool parse_command(const uint8_t *req, size_t len, enum aps_command *cmd)
{
	/* "APS11" + 4-digit length + command + "END\n" at the least */
	if (len < 17 || memcmp(req, "APS11", 5) != 0) return false;
	if (memcmp(req + 9, "0001", 4) == 0) *cmd = APS_CMD_ECU_INFO;
	else if (memcmp(req + 9, "0002", 4) == 0) *cmd = APS_CMD_INVERTERS;
	else if (memcmp(req + 9, "0030", 4) == 0) *cmd = APS_CMD_SIGNAL;
	else return false;
	return true;
}

static void conn_write(struct conn *c, int64_t now);

/* The synthetic installation's replies brought to the sim time of now (they
 * change once per refresh slot), with what follows a new slot. */
static void refresh(struct server *s, int64_t now)
{
	struct sim_install *si = s->cfg->install;
	if (!si) return;
	time_t speed = s->cfg->speed ? (time_t)s->cfg->speed : 1;
	time_t sim_now = s->cfg->sim_start + (time_t)(now * speed / 1000);
	time_t slot = si->slot;
	sim_install_refresh(si, sim_now, s->fault.mode == SIM_FAULT_NIGHT);
	if (s->cfg->truth_path && si->slot != slot && sim_install_write_truth(si, s->cfg->truth_path) != 0)
		sim_warn("cannot write %s", s->cfg->truth_path);
	if (s->has_web) sim_web_note_refresh(&s->web);
}

static void answer(struct server *s, struct conn *c, size_t request_len, int64_t now)
{
	enum aps_command cmd;
	if (!parse_command(c->in, request_len, &cmd)) {
		sim_log("%s: not a request, closing", c->peer);
		conn_close(c, false);
		return;
	}

	const uint8_t *reply = NULL;
	size_t reply_len = 0;
	if (s->cfg->replay) {
		const struct sim_blob *b = sim_replay_reply(s->cfg->replay, cmd);
		if (b) {
			reply = b->data;
			reply_len = b->len;
		}
	} else {
		struct sim_install *si = s->cfg->install;
		refresh(s, now);
		reply = cmd == APS_CMD_ECU_INFO ? si->ecu_reply
		        : cmd == APS_CMD_INVERTERS ? si->inverters_reply : si->signal_reply;
		reply_len = cmd == APS_CMD_ECU_INFO ? si->ecu_len
		            : cmd == APS_CMD_INVERTERS ? si->inverters_len : si->signal_len;
		if (reply_len == 0) reply = NULL;
	}

	if (sim_fault_plan(&s->fault, reply, reply_len, (const char *)c->in + 9, &c->plan) != 0) {
		sim_warn("%s: out of memory, closing", c->peer);
		conn_close(c, false);
		return;
	}
	char fault[48] = "";
	if (s->fault.mode != SIM_FAULT_NONE) {
		char name[32];
		sim_fault_describe(&s->fault, name, sizeof name);
		snprintf(fault, sizeof fault, " (fault %s)", name);
	}
	switch (c->plan.delivery) {
	case SIM_DELIVER_CLOSE:
		sim_log("%s %.4s: no reply, closing%s", c->peer, (const char *)c->in + 9, fault);
		conn_close(c, false);
		return;
	case SIM_DELIVER_HANG:
		sim_log("%s %.4s: hanging%s", c->peer, (const char *)c->in + 9, fault);
		c->state = CONN_HANGING;
		c->deadline_ms = -1;
		return;
	case SIM_DELIVER_DRIP:
		c->next_drip_ms = now + c->plan.drip_ms;
		c->deadline_ms = c->next_drip_ms + STALL_TIMEOUT_MS;
		break;
	case SIM_DELIVER_SEND:
	case SIM_DELIVER_RESET:
		c->deadline_ms = now + STALL_TIMEOUT_MS;
		break;
	}
	sim_log("%s %.4s -> %zu bytes%s", c->peer, (const char *)c->in + 9, c->plan.len, fault);
	c->state = CONN_WRITING;
	conn_write(c, now);
}

static void conn_read(struct server *s, struct conn *c, int64_t now)
{
	for (;;) {
		uint8_t scratch[256];
		bool hanging = c->state == CONN_HANGING;
		uint8_t *dst = hanging ? scratch : c->in + c->in_len;
		size_t room = hanging ? sizeof scratch : sizeof c->in - c->in_len;
		ssize_t n = recv(c->fd, dst, room, 0);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
		if (n <= 0) {
			if (!hanging) sim_log("%s: closed before a whole request", c->peer);
			conn_close(c, false);
			return;
		}
		if (hanging) continue;
		c->in_len += (size_t)n;
		const uint8_t *end = find_end(c->in, c->in_len);
		if (end) {
			answer(s, c, (size_t)(end - c->in) + 4, now);
			return;
		}
		if (c->in_len == sizeof c->in) {
			sim_log("%s: no END within %d bytes, closing", c->peer, REQUEST_MAX);
			conn_close(c, false);
			return;
		}
	}
}

static void conn_write(struct conn *c, int64_t now)
{
	struct sim_plan *p = &c->plan;
	bool drip = p->delivery == SIM_DELIVER_DRIP;
	while (c->sent < p->len) {
		if (drip && now < c->next_drip_ms) return;
		size_t chunk = drip ? 1 : p->len - c->sent;
		ssize_t n = send(c->fd, p->bytes + c->sent, chunk, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
		if (n < 0) {
			sim_log("%s: send: %s", c->peer, strerror(errno));
			conn_close(c, true);
			return;
		}
		c->sent += (size_t)n;
		if (drip) c->next_drip_ms = now + p->drip_ms;
		c->deadline_ms = (drip ? c->next_drip_ms : now) + STALL_TIMEOUT_MS;
	}
	conn_close(c, p->delivery == SIM_DELIVER_RESET);
}

static void conn_timeout(struct conn *c)
{
	sim_log("%s: %s for %d s, closing", c->peer,
	        c->state == CONN_READING ? "no request" : "reply not taken", IDLE_TIMEOUT_MS / 1000);
	conn_close(c, false);
}

/* ---- The loop ---- */

static void earliest(int64_t *best, int64_t t)
{
	if (t >= 0 && (*best < 0 || t < *best)) *best = t;
}

static int wait_ms(const struct server *s, int64_t now)
{
	int64_t next = sim_fault_next_event(&s->faults, now);
	if (s->listen_fd < 0 && !sim_fault_refuses(&s->fault)) earliest(&next, s->listen_retry_ms);
	if (s->accept_pause_ms > now) earliest(&next, s->accept_pause_ms);
	if (s->has_web) earliest(&next, sim_web_next_event(&s->web, now));
	for (size_t i = 0; i < s->conn_count; i++) {
		const struct conn *c = &s->conns[i];
		earliest(&next, c->deadline_ms);
		if (c->state == CONN_WRITING && c->plan.delivery == SIM_DELIVER_DRIP)
			earliest(&next, c->next_drip_ms);
	}
	if (next < 0) return 60000;
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

/* One turn: wait for sockets or a deadline, then serve what is ready. */
static void serve_once(struct server *s, const sigset_t *wait_mask, int64_t t0)
{
	int64_t now = mono_ms() - t0;
	s->fault = sim_fault_now(&s->faults, now);
	update_listener(s, now);

	size_t nfds = 0;
	bool poll_listener = s->listen_fd >= 0 && s->conn_count < s->conn_cap && now >= s->accept_pause_ms;
	if (poll_listener) s->pfds[nfds++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
	size_t first_conn = nfds;
	for (size_t i = 0; i < s->conn_count; i++) {
		const struct conn *c = &s->conns[i];
		short events = POLLIN;
		if (c->state == CONN_WRITING)
			events = c->plan.delivery != SIM_DELIVER_DRIP || now >= c->next_drip_ms ? POLLOUT : 0;
		s->pfds[nfds++] = (struct pollfd){.fd = c->fd, .events = events};
	}
	size_t first_web = nfds, web_n = s->has_web ? sim_web_fill(&s->web, s->pfds + nfds, now) : 0;
	nfds += web_n;

	int timeout = wait_ms(s, now);
	struct timespec ts = {timeout / 1000, (long)(timeout % 1000) * 1000000};
	int ready = ppoll(s->pfds, nfds, &ts, wait_mask);
	if (ready < 0 && errno != EINTR) {
		sim_warn("poll: %s", strerror(errno));
		return;
	}
	now = mono_ms() - t0;
	s->fault = sim_fault_now(&s->faults, now);

	size_t polled = s->conn_count; /* accept_all appends; new ones wait a turn */
	for (size_t i = 0; i < polled; i++) {
		struct conn *c = &s->conns[i];
		short rev = ready > 0 ? s->pfds[first_conn + i].revents : 0;
		if (rev & (POLLIN | POLLHUP | POLLERR)) {
			if (c->state == CONN_READING || c->state == CONN_HANGING) conn_read(s, c, now);
			else if (c->state == CONN_WRITING && (rev & (POLLHUP | POLLERR))) conn_close(c, true);
		}
		if (c->state == CONN_WRITING && (rev & POLLOUT)) conn_write(c, now);
		if (c->state != CONN_CLOSED && c->deadline_ms >= 0 && now >= c->deadline_ms) conn_timeout(c);
	}
	if (poll_listener && ready > 0 && (s->pfds[0].revents & POLLIN)) accept_all(s, now);
	if (s->has_web) {
		if (ready <= 0)
			for (size_t i = 0; i < web_n; i++) s->pfds[first_web + i].revents = 0;
		refresh(s, now); /* the meter graph is of now */
		sim_web_serve(&s->web, s->pfds + first_web, web_n, now);
	}

	size_t kept = 0;
	for (size_t i = 0; i < s->conn_count; i++)
		if (s->conns[i].state != CONN_CLOSED) s->conns[kept++] = s->conns[i];
	s->conn_count = kept;
}

/* As many connections as the descriptor limit allows, raising it if we may. */
static size_t connection_cap(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 64;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < CONN_CAP_MAX + FD_RESERVE) {
		rlim_t want = CONN_CAP_MAX + FD_RESERVE;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) want = rl.rlim_max;
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= CONN_CAP_MAX + FD_RESERVE) return CONN_CAP_MAX;
	return rl.rlim_cur > FD_RESERVE + 8 ? (size_t)rl.rlim_cur - FD_RESERVE : 8;
}

int sim_server_run(const struct sim_config *cfg)
{
	int64_t t0 = mono_ms();

	struct server s = {.cfg = cfg, .listen_fd = -1};
	if (resolve_bind(&s, cfg->bind_addr, cfg->port) != 0) {
		sim_warn("--bind %s: not a numeric IPv4 or IPv6 address", cfg->bind_addr);
		return 1;
	}
	if (open_listener(&s) != 0) {
		sim_warn("cannot listen on %s port %u: %s", cfg->bind_addr, cfg->port, strerror(errno));
		return 1;
	}
	s.conn_cap = connection_cap();
	if (cfg->web) {
		char why[256];
		if (!cfg->install || sim_web_open(&s.web, cfg->web, cfg->install, why, sizeof why) != 0) {
			sim_warn("%s", cfg->install ? why : "--http-port needs --inverters");
			close(s.listen_fd);
			return 1;
		}
		s.has_web = true;
		/* The web side's descriptors come out of the same budget. */
		if (s.conn_cap > 8 + sim_web_pollfd_max(&s.web)) s.conn_cap -= sim_web_pollfd_max(&s.web);
	}
	s.conns = calloc(s.conn_cap, sizeof *s.conns);
	s.pfds = calloc(s.conn_cap + 1 + (s.has_web ? sim_web_pollfd_max(&s.web) : 0), sizeof *s.pfds);
	if (!s.conns || !s.pfds) {
		sim_warn("out of memory");
		free(s.conns);
		free(s.pfds);
		close(s.listen_fd);
		if (s.has_web) sim_web_close(&s.web);
		return 1;
	}
	sim_fault_clock_init(&s.faults, &cfg->fault, cfg->fault_after_ms, cfg->fault_for_ms,
	                     cfg->control_path);
	/* Apply a fault from the start before anyone learns the port. */
	s.fault = sim_fault_now(&s.faults, 0);
	update_listener(&s, 0);

	/* SIGINT/SIGTERM are let through only inside ppoll(), so none is missed. */
	sigset_t block, wait_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 0;
	if (cfg->port_file && write_port_file(cfg->port_file, bound_port(&s)) != 0) {
		sim_warn("cannot write port file %s: %s", cfg->port_file, strerror(errno));
		rc = 1;
		stop_requested = 1;
	}
	sim_log("listening on %s port %u (%zu connections at most)", cfg->bind_addr, bound_port(&s),
	        s.conn_cap);

	while (!stop_requested) serve_once(&s, &wait_mask, t0);

	sim_log("stopping");
	for (size_t i = 0; i < s.conn_count; i++) conn_close(&s.conns[i], false);
	if (s.listen_fd >= 0) close(s.listen_fd);
	if (s.has_web) sim_web_close(&s.web);
	free(s.conns);
	free(s.pfds);
	return rc;
}
