// SPDX-License-Identifier: MIT
/* sim_web.c - the simulated ECU's web pages (see sim_web.h).
 *
 * One request per connection, as the ECU's web server does with the plugin's
 * HTTP/1.0 requests: read the request line, headers and Content-Length bytes
 * of form, answer with Connection: close, close.  What the pages change (an
 * inverter off, a max power) is stored in the installation's inverters and
 * shows in their replies from the next refresh on, as a real ECU's "See the
 * results 5 minutes later !" says. */
#define _GNU_SOURCE /* accept4, strcasestr */
#include "sim_web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ecu_web.h"
#include "sim_server.h"

#define WEB_CONN_MAX 64
#define WEB_REQUEST_MAX 8192
#define WEB_IDLE_MS 10000       /* connected but no whole request */
#define WEB_STALL_MS 10000      /* answer not taken */
#define WEB_SLOW_DEFAULT_S 20
#define WEB_OVERSIZE_BYTES (1024 * 1024)
#define WEB_CONTROL_CHECK_MS 100
#define WEB_POINTS_MAX (86400 / SIM_REFRESH_S)

struct sim_web_conn {
	int fd;
	char in[WEB_REQUEST_MAX + 1];
	size_t in_len;
	char *out;            /* the whole answer, once built */
	size_t out_len, sent;
	int64_t send_at_ms;   /* slow fault: not before */
	int64_t deadline_ms;
	bool closed;
};

int sim_web_fault_parse(const char *text, struct sim_web_fault_spec *out)
{
	static const struct {
		const char *name;
		enum sim_web_fault mode;
	} names[] = { { "none", SIM_WEB_OK },         { "notfound", SIM_WEB_NOTFOUND }, { "refuse", SIM_WEB_REFUSE },
		      { "slow", SIM_WEB_SLOW },       { "garbage", SIM_WEB_GARBAGE },   { "oversize", SIM_WEB_OVERSIZE } };
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i].name) != len || strncmp(text, names[i].name, len) != 0) continue;
		out->mode = names[i].mode;
		out->arg = names[i].mode == SIM_WEB_SLOW ? WEB_SLOW_DEFAULT_S : 0;
		if (!colon) return 0;
		if (names[i].mode != SIM_WEB_SLOW) return -1;
		char *end;
		unsigned long v = strtoul(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || v > 3600) return -1;
		out->arg = (unsigned)v;
		return 0;
	}
	return -1;
}

static const char *fault_name(enum sim_web_fault mode)
{
	switch (mode) {
	case SIM_WEB_OK: return "none";
	case SIM_WEB_NOTFOUND: return "notfound";
	case SIM_WEB_REFUSE: return "refuse";
	case SIM_WEB_SLOW: return "slow";
	case SIM_WEB_GARBAGE: return "garbage";
	case SIM_WEB_OVERSIZE: return "oversize";
	}
	return "?";
}

/* ---- State ---- */

static void uid_text(const struct sim_inverter *v, char out[ECU_WEB_UID_LEN + 1])
{
	snprintf(out, ECU_WEB_UID_LEN + 1, "%02x%02x%02x%02x%02x%02x", v->uid[0], v->uid[1], v->uid[2], v->uid[3],
	         v->uid[4], v->uid[5]);
}

static struct sim_inverter *find_inverter(struct sim_web *w, const char *uid)
{
	for (size_t i = 0; i < w->install->count; i++) {
		char text[ECU_WEB_UID_LEN + 1];
		uid_text(&w->install->inv[i], text);
		if (w->install->inv[i].kind != SIM_UNSEEN && strcmp(text, uid) == 0) return &w->install->inv[i];
	}
	return NULL;
}

/* The state file: what the pages were told, for tests to read. */
static void write_state(const struct sim_web *w)
{
	if (!w->cfg.state_path) return;
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", w->cfg.state_path) >= (int)sizeof tmp) return;
	FILE *f = fopen(tmp, "w");
	if (!f) return;
	fprintf(f, "{\"zero_export\":%s,\"power_limit\":%u,\"reboots\":%u,\"commands\":%u,\"inverters\":{",
	        w->zero_export ? "true" : "false", w->power_limit_w, w->reboots, w->commands);
	bool first = true;
	for (size_t i = 0; i < w->install->count; i++) {
		const struct sim_inverter *v = &w->install->inv[i];
		if (v->kind == SIM_UNSEEN) continue;
		char uid[ECU_WEB_UID_LEN + 1];
		uid_text(v, uid);
		fprintf(f, "%s\"%s\":{\"power\":\"%s\",\"max_power\":%u}", first ? "" : ",", uid,
		        v->switched_off ? "OFF" : "ON", (unsigned)v->max_power_w);
		first = false;
	}
	fputs("}}\n", f);
	if (fclose(f) != 0 || rename(tmp, w->cfg.state_path) != 0) {
		unlink(tmp);
		sim_warn("cannot write %s", w->cfg.state_path);
	}
}

/* ---- The meter graph (ECU-C) ---- */

/* Each inverter feeds one phase (i mod 3); the house draws a steady load per
 * phase; zero export caps what goes out at the limit. */
void sim_web_note_refresh(struct sim_web *w)
{
	struct sim_install *si = w->install;
	if (!w->has_meter || si->slot < 0 || si->slot == w->last_slot) return;
	w->last_slot = si->slot;
	time_t day = si->slot / 86400;
	if (day != w->points_day) w->point_count = 0; /* the graph shows today */
	w->points_day = day;
	if (w->point_count == WEB_POINTS_MAX) {
		memmove(w->points, w->points + 1, (WEB_POINTS_MAX - 1) * sizeof *w->points);
		w->point_count--;
	}
	struct sim_web_point *p = &w->points[w->point_count++];
	memset(p, 0, sizeof *p);
	p->time_ms = (int64_t)si->slot * 1000;
	for (size_t i = 0; i < si->count; i++)
		for (unsigned c = 0; c < APS_MAX_CHANNELS; c++) p->production[i % 3] += si->inv[i].power_w[c];
	static const int32_t load[3] = { 350, 420, 280 };
	int32_t limit = (int32_t)w->power_limit_w;
	for (int ph = 0; ph < 3; ph++) {
		if (w->zero_export && p->production[ph] - load[ph] > limit) p->production[ph] = load[ph] + limit;
		p->grid[ph] = load[ph] - p->production[ph];
	}
}

static char *meter_graph(const struct sim_web *w, size_t *len)
{
	size_t cap = 64 + w->point_count * 2 * 96;
	char *s = malloc(cap);
	if (!s) return NULL;
	size_t n = 0;
	for (int series = 0; series < 2; series++) {
		n += (size_t)snprintf(s + n, cap - n, "%s\"power%d\":[", series ? "," : "{", series + 1);
		for (size_t i = 0; i < w->point_count; i++) {
			const struct sim_web_point *p = &w->points[i];
			const int32_t *v = series ? p->grid : p->production;
			n += (size_t)snprintf(s + n, cap - n, "%s{\"time\":%lld,\"powerA\":%d,\"powerB\":%d,\"powerC\":%d}",
			                      i ? "," : "", (long long)p->time_ms, v[0], v[1], v[2]);
		}
		n += (size_t)snprintf(s + n, cap - n, "]");
	}
	n += (size_t)snprintf(s + n, cap - n, "}");
	*len = n;
	return s;
}

/* ---- Answers ---- */

static char *http_answer(int status, const char *type, const char *body, size_t body_len, size_t *out_len)
{
	const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 400 ? "Bad Request"
	                                                                                            : "Method Not Allowed";
	char head[256];
	int hl = snprintf(head, sizeof head,
	                  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	                  status, reason, type, body_len);
	char *out = malloc((size_t)hl + body_len);
	if (!out) return NULL;
	memcpy(out, head, (size_t)hl);
	memcpy(out + hl, body, body_len);
	*out_len = (size_t)hl + body_len;
	return out;
}

static char *json_message(const char *msg, size_t *len)
{
	char body[160];
	int n = snprintf(body, sizeof body, "{\"message\":\"%s\"}", msg);
	return http_answer(200, "application/json", body, (size_t)n, len);
}

static char *page_switch(struct sim_web *w, const char *form, size_t form_len, size_t *len)
{
	char value[32];
	int n = ecu_web_form_field(form, form_len, "ids[]", value, sizeof value);
	if (n != ECU_WEB_UID_LEN + 1 || (value[ECU_WEB_UID_LEN] != '1' && value[ECU_WEB_UID_LEN] != '2'))
		return json_message("Failed", len);
	bool on = value[ECU_WEB_UID_LEN] == '1';
	value[ECU_WEB_UID_LEN] = '\0';
	struct sim_inverter *v = find_inverter(w, value);
	if (!v) return json_message("Failed", len);
	v->switched_off = !on;
	w->commands++;
	sim_log("web: inverter %s switched %s (from the next refresh)", value, on ? "on" : "off");
	write_state(w);
	return json_message(ECU_WEB_SWITCH_ACCEPTED, len);
}

static char *page_maxpower(struct sim_web *w, const char *form, size_t form_len, size_t *len)
{
	char uid[32], watts[16];
	if (ecu_web_form_field(form, form_len, "id", uid, sizeof uid) != ECU_WEB_UID_LEN ||
	    ecu_web_form_field(form, form_len, "maxpower", watts, sizeof watts) <= 0)
		return json_message("Failed", len);
	char *end;
	unsigned long v = strtoul(watts, &end, 10);
	struct sim_inverter *inv = find_inverter(w, uid);
	if (*end != '\0' || watts[0] < '0' || watts[0] > '9' || !inv ||
	    (v != 0 && (v < ECU_WEB_MAXPOWER_MIN || v > ECU_WEB_MAXPOWER_MAX)))
		return json_message("Failed", len);
	inv->max_power_w = (uint16_t)v;
	w->commands++;
	sim_log("web: inverter %s max power %lu W per panel (from the next refresh)", uid, v);
	write_state(w);
	return json_message("Set successfully", len);
}

static char *page_meter_funcs(struct sim_web *w, const char *form, size_t form_len, size_t *len)
{
	char func[8], this_func[8], limit[16];
	char *end = NULL;
	unsigned long v = 0;
	bool good = ecu_web_form_field(form, form_len, "meter_func", func, sizeof func) == 1 &&
	            (func[0] == '0' || func[0] == '1') &&
	            ecu_web_form_field(form, form_len, "this_func", this_func, sizeof this_func) == 1 &&
	            this_func[0] == '1' && ecu_web_form_field(form, form_len, "power_limit", limit, sizeof limit) > 0 &&
	            limit[0] >= '0' && limit[0] <= '9';
	if (good) v = strtoul(limit, &end, 10);
	if (!good || *end != '\0' || v > ECU_WEB_POWER_LIMIT_MAX) return http_answer(200, "text/html", "1", 1, len);
	w->zero_export = func[0] == '1';
	w->power_limit_w = (unsigned)v;
	w->commands++;
	sim_log("web: zero export %s, limit %lu W", w->zero_export ? "on" : "off", v);
	write_state(w);
	return http_answer(200, "text/html", "0", 1, len);
}

static char *page_reboot(struct sim_web *w, const char *form, size_t form_len, size_t *len)
{
	char ssid[ECU_WEB_SSID_MAX + 1], passwd[ECU_WEB_PASSWD_MAX + 1];
	if (ecu_web_form_field(form, form_len, "SSID", ssid, sizeof ssid) <= 0 ||
	    ecu_web_form_field(form, form_len, "psk_wpa", passwd, sizeof passwd) < ECU_WEB_PASSWD_MIN)
		return http_answer(200, "application/json", "{\"value\":1}", 11, len);
	w->reboots++;
	sim_log("web: hotspot settings rewritten: the ECU would reboot now");
	write_state(w);
	return http_answer(200, "application/json", "{\"value\":0}", 11, len);
}

static char *garbage(size_t n, size_t *len)
{
	char *body = malloc(n);
	if (!body) return NULL;
	uint32_t x = 0x9e3779b9u;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		body[i] = (char)(x >> 24);
	}
	body[0] = '<'; /* not a digit, not JSON */
	char *out = http_answer(200, "text/html", body, n, len);
	free(body);
	return out;
}

/* The answer to one whole request. */
static char *route(struct sim_web *w, const char *method, const char *path, const char *form, size_t form_len,
                   size_t *len)
{
	/* What an ECU whose firmware removed the pages serves (its framework's page). */
	static const char not_found[] = "<html><head><title>404 Page Not Found</title></head>"
	                                "<body><h1>404 Page Not Found</h1></body></html>";
	bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
	bool known = strcmp(path, ECU_WEB_PAGE_SWITCH) == 0 || strcmp(path, ECU_WEB_PAGE_MAXPOWER) == 0 ||
	             strcmp(path, ECU_WEB_PAGE_REBOOT) == 0 ||
	             (w->has_meter && (strcmp(path, ECU_WEB_PAGE_METER_FUNCS) == 0 ||
	                               strcmp(path, ECU_WEB_PAGE_METER_GRAPH) == 0));
	if (!known || w->fault.mode == SIM_WEB_NOTFOUND)
		return http_answer(404, "text/html", not_found, sizeof not_found - 1, len);
	if (w->fault.mode == SIM_WEB_GARBAGE) return garbage(200, len);
	if (w->fault.mode == SIM_WEB_OVERSIZE) return garbage(WEB_OVERSIZE_BYTES, len);
	if (strcmp(path, ECU_WEB_PAGE_METER_GRAPH) == 0) {
		if (!get) return http_answer(405, "text/html", "", 0, len);
		size_t n;
		char *body = meter_graph(w, &n);
		if (!body) return NULL;
		char *out = http_answer(200, "application/json", body, n, len);
		free(body);
		return out;
	}
	if (!post) {
		/* A GET changes nothing: the page is there (what a capability probe asks). */
		static const char page[] = "<html><body>ECU</body></html>";
		return get ? http_answer(200, "text/html", page, sizeof page - 1, len)
		           : http_answer(405, "text/html", "", 0, len);
	}
	if (strcmp(path, ECU_WEB_PAGE_SWITCH) == 0) return page_switch(w, form, form_len, len);
	if (strcmp(path, ECU_WEB_PAGE_MAXPOWER) == 0) return page_maxpower(w, form, form_len, len);
	if (strcmp(path, ECU_WEB_PAGE_METER_FUNCS) == 0) return page_meter_funcs(w, form, form_len, len);
	return page_reboot(w, form, form_len, len);
}

/* ---- Connections ---- */

static void conn_close(struct sim_web_conn *c)
{
	if (c->fd >= 0) {
		char scratch[1024];
		for (int i = 0; i < 16 && recv(c->fd, scratch, sizeof scratch, 0) > 0; i++) {}
		close(c->fd);
	}
	free(c->out);
	c->out = NULL;
	c->fd = -1;
	c->closed = true;
}

/* The request is whole: its answer is built (c->out), else NULL is kept
 * waiting; a malformed one gets 400. */
static void parse_request(struct sim_web *w, struct sim_web_conn *c, int64_t now)
{
	c->in[c->in_len] = '\0';
	char *end = strstr(c->in, "\r\n\r\n");
	size_t head_len = end ? (size_t)(end - c->in) + 4 : 0;
	if (!end) {
		end = strstr(c->in, "\n\n");
		head_len = end ? (size_t)(end - c->in) + 2 : 0;
	}
	if (!end) {
		if (c->in_len == WEB_REQUEST_MAX) c->out = http_answer(400, "text/html", "", 0, &c->out_len);
		return;
	}
	size_t body_len = 0;
	const char *cl = strcasestr(c->in, "\nContent-Length:");
	if (cl && cl < end) body_len = strtoul(cl + 16, NULL, 10);
	if (body_len > WEB_REQUEST_MAX - head_len) {
		c->out = http_answer(400, "text/html", "", 0, &c->out_len);
		return;
	}
	if (c->in_len < head_len + body_len) return; /* the form is still coming */

	char method[8] = "", path[128] = "";
	/* NOLINTNEXTLINE(cert-err34-c): widths bound both. */
	if (sscanf(c->in, "%7s %127s HTTP/1.", method, path) != 2) {
		c->out = http_answer(400, "text/html", "", 0, &c->out_len);
		return;
	}
	bool xhr = strcasestr(c->in, "\nX-Requested-With: XMLHttpRequest") != NULL;
	sim_log("web: %s %s (%zu bytes of form%s)", method, path, body_len, xhr ? "" : ", no X-Requested-With");
	c->out = route(w, method, path, c->in + head_len, body_len, &c->out_len);
	if (!c->out) {
		conn_close(c);
		return;
	}
	c->send_at_ms = w->fault.mode == SIM_WEB_SLOW ? now + (int64_t)w->fault.arg * 1000 : now;
	c->deadline_ms = c->send_at_ms + WEB_STALL_MS;
}

static void conn_read(struct sim_web *w, struct sim_web_conn *c, int64_t now)
{
	while (!c->out && !c->closed) {
		ssize_t n = recv(c->fd, c->in + c->in_len, WEB_REQUEST_MAX - c->in_len, 0);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
		parse_request(w, c, now);
	}
}

static void conn_write(struct sim_web_conn *c, int64_t now)
{
	if (!c->out || now < c->send_at_ms) return;
	while (c->sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->sent, c->out_len - c->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
		if (n < 0) break;
		c->sent += (size_t)n;
		c->deadline_ms = now + WEB_STALL_MS;
	}
	conn_close(c);
}

/* ---- Listener and fault ---- */

static int open_listener(struct sim_web *w)
{
	int fd = socket(w->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&w->addr, w->addr_len) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&w->addr, &w->addr_len) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	w->listen_fd = fd;
	return 0;
}

static unsigned bound_port(const struct sim_web *w)
{
	if (w->addr.ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)&w->addr)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&w->addr)->sin_port);
}

/* The control file, when due: its first line (a fault, or none) replaces
 * the configured fault while it exists. */
static void check_control(struct sim_web *w, int64_t now)
{
	if (!w->cfg.control_path || now < w->next_control_check_ms) return;
	w->next_control_check_ms = now + WEB_CONTROL_CHECK_MS;
	struct sim_web_fault_spec f = w->cfg.fault;
	FILE *file = fopen(w->cfg.control_path, "r");
	if (file) {
		char line[64] = "";
		if (fgets(line, sizeof line, file)) line[strcspn(line, "\r\n")] = '\0';
		fclose(file);
		if (sim_web_fault_parse(line, &f) != 0) f = w->fault; /* half-written: keep what holds */
	}
	if (f.mode != w->fault.mode || f.arg != w->fault.arg)
		sim_log("web: fault %s%s", fault_name(f.mode), file ? " (control file)" : "");
	w->fault = f;
}

static void update_listener(struct sim_web *w)
{
	bool wanted = w->has_pages && w->fault.mode != SIM_WEB_REFUSE;
	if (!wanted && w->listen_fd >= 0) {
		close(w->listen_fd);
		w->listen_fd = -1;
	} else if (wanted && w->listen_fd < 0 && open_listener(w) != 0) {
		sim_warn("web: cannot listen on port %u again: %s", bound_port(w), strerror(errno));
	}
}

static int resolve(struct sim_web *w, const char *addr, unsigned port)
{
	memset(&w->addr, 0, sizeof w->addr);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&w->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&w->addr;
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		w->addr_len = sizeof *v4;
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		w->addr_len = sizeof *v6;
	} else {
		return -1;
	}
	return 0;
}

int sim_web_open(struct sim_web *w, const struct sim_web_config *cfg, struct sim_install *install, char *why,
                 size_t why_cap)
{
	memset(w, 0, sizeof *w);
	w->cfg = *cfg;
	w->install = install;
	w->listen_fd = -1;
	w->last_slot = -1;
	w->fault = cfg->fault;
	const char *id = install->ecu.ecu_id;
	w->has_meter = strncmp(id, "215", 3) == 0;
	w->has_pages = w->has_meter || strncmp(id, "2162", 4) == 0;
	if (resolve(w, cfg->bind_addr, cfg->port) != 0) {
		snprintf(why, why_cap, "--bind %s: not a numeric IPv4 or IPv6 address", cfg->bind_addr);
		return -1;
	}
	w->conn_cap = WEB_CONN_MAX;
	w->conns = calloc(w->conn_cap, sizeof *w->conns);
	w->points = calloc(WEB_POINTS_MAX, sizeof *w->points);
	if (!w->conns || !w->points) {
		snprintf(why, why_cap, "out of memory");
		sim_web_close(w);
		return -1;
	}
	check_control(w, 0);
	/* Bound even when refusing, so that the port is known (and free) for later. */
	if (open_listener(w) != 0) {
		snprintf(why, why_cap, "cannot listen on %s port %u for the web pages: %s", cfg->bind_addr, cfg->port,
		         strerror(errno));
		sim_web_close(w);
		return -1;
	}
	unsigned port = bound_port(w);
	update_listener(w);
	if (cfg->port_file) {
		char tmp[4096];
		FILE *f = snprintf(tmp, sizeof tmp, "%s.tmp", cfg->port_file) < (int)sizeof tmp ? fopen(tmp, "w") : NULL;
		if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, cfg->port_file) != 0) {
			snprintf(why, why_cap, "cannot write %s", cfg->port_file);
			sim_web_close(w);
			return -1;
		}
	}
	write_state(w);
	if (!w->has_pages)
		sim_log("web: ECU %s has no web pages (only 2162... and 215... have them): port %u refuses", id, port);
	else
		sim_log("web: pages on port %u (%s)%s", port, w->has_meter ? "ECU-C, with the meter" : "ECU-R-PRO",
		        w->listen_fd < 0 ? ", refusing for now" : "");
	return 0;
}

void sim_web_close(struct sim_web *w)
{
	for (size_t i = 0; w->conns && i < w->conn_count; i++) conn_close(&w->conns[i]);
	if (w->listen_fd >= 0) close(w->listen_fd);
	w->listen_fd = -1;
	free(w->conns);
	free(w->points);
	w->conns = NULL;
	w->points = NULL;
	w->conn_count = 0;
}

size_t sim_web_pollfd_max(const struct sim_web *w)
{
	return w->conn_cap + 1;
}

size_t sim_web_fill(struct sim_web *w, struct pollfd *pfds, int64_t now_ms)
{
	check_control(w, now_ms);
	update_listener(w);
	size_t n = 0;
	pfds[n++] = (struct pollfd){ .fd = w->listen_fd >= 0 && w->conn_count < w->conn_cap ? w->listen_fd : -1,
		                     .events = POLLIN };
	for (size_t i = 0; i < w->conn_count; i++) {
		const struct sim_web_conn *c = &w->conns[i];
		short events = !c->out ? POLLIN : now_ms >= c->send_at_ms ? POLLOUT : 0;
		pfds[n++] = (struct pollfd){ .fd = c->fd, .events = events };
	}
	return n;
}

void sim_web_serve(struct sim_web *w, const struct pollfd *pfds, size_t n, int64_t now_ms)
{
	size_t polled = n > 0 ? n - 1 : 0;
	for (size_t i = 0; i < polled && i < w->conn_count; i++) {
		struct sim_web_conn *c = &w->conns[i];
		short rev = pfds[1 + i].revents;
		if (!c->out && (rev & (POLLIN | POLLHUP | POLLERR))) conn_read(w, c, now_ms);
		if (!c->closed && c->out && ((rev & POLLOUT) || (c->sent == 0 && now_ms >= c->send_at_ms)))
			conn_write(c, now_ms);
		if (!c->closed && (rev & (POLLHUP | POLLERR)) && c->out) conn_close(c);
		if (!c->closed && now_ms >= c->deadline_ms) conn_close(c);
	}
	if (n > 0 && pfds[0].fd >= 0 && (pfds[0].revents & POLLIN)) {
		while (w->listen_fd >= 0 && w->conn_count < w->conn_cap) {
			int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0) break;
			struct sim_web_conn *c = &w->conns[w->conn_count++];
			memset(c, 0, sizeof *c);
			c->fd = fd;
			c->deadline_ms = now_ms + WEB_IDLE_MS;
		}
	}
	size_t kept = 0;
	for (size_t i = 0; i < w->conn_count; i++)
		if (!w->conns[i].closed) w->conns[kept++] = w->conns[i];
	w->conn_count = kept;
}

int64_t sim_web_next_event(const struct sim_web *w, int64_t now_ms)
{
	int64_t next = w->cfg.control_path ? w->next_control_check_ms : -1;
	for (size_t i = 0; i < w->conn_count; i++) {
		const struct sim_web_conn *c = &w->conns[i];
		int64_t t = c->out && c->sent == 0 && c->send_at_ms > now_ms ? c->send_at_ms : c->deadline_ms;
		if (next < 0 || t < next) next = t;
	}
	return next;
}
