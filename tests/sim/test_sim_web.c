// SPDX-License-Identifier: MIT
/* The simulator's web pages (`aps-ecu simulate --http-port`): each page
 * answers as the ECU's does, what it is told shows in the next inverter
 * reply, only ECU-R-PRO and ECU-C have pages, and the web faults.
 * usage: test_sim_web APS_ECU */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aps_protocol.h"
#include "ecu_web.h"
#include "harness.h"

#define ANSWER_CAP (2 * 1024 * 1024)

static uint8_t answer_buf[ANSWER_CAP + 1];

struct http_answer {
	int status;
	const char *body;
	size_t body_len;
	size_t total;
	int end;
};

static unsigned read_port(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned port = 0;
	if (f) {
		if (fscanf(f, "%u", &port) != 1) port = 0;
		fclose(f);
	}
	return port;
}

/* One request; the answer split into status and body. */
static struct http_answer http(unsigned port, const char *method, const char *path, const char *form)
{
	static char request[4096];
	snprintf(request, sizeof request,
	         "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Requested-With: XMLHttpRequest\r\n%s%zu\r\n\r\n%s", method,
	         path, form ? "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " : "Content-Length: ",
	         form ? strlen(form) : 0, form ? form : "");
	struct http_answer a = { 0 };
	a.total = exchange(port, request, answer_buf, ANSWER_CAP, &a.end);
	answer_buf[a.total] = '\0';
	if (sscanf((const char *)answer_buf, "HTTP/1.1 %d", &a.status) != 1) a.status = 0;
	const char *body = strstr((const char *)answer_buf, "\r\n\r\n");
	a.body = body ? body + 4 : "";
	a.body_len = body ? a.total - (size_t)(a.body - (const char *)answer_buf) : 0;
	return a;
}

static bool refused(unsigned port)
{
	int fd = tcp_connect(port);
	if (fd >= 0) close(fd);
	return fd < 0 && errno == ECONNREFUSED;
}

/* The inverters' reply, parsed: the record of uid, or false. */
static bool inverter(unsigned tcp_port, const char *ecu_id, const char *uid, struct aps_inverter *out)
{
	static uint8_t reply[APS_REPLY_MAX];
	static struct aps_inverter inv[64];
	char req[APS_REQUEST_MAX];
	int end;
	if (aps_build_request(APS_CMD_INVERTERS, ecu_id, req, sizeof req) <= 0) return false;
	size_t n = exchange(tcp_port, req, reply, sizeof reply, &end);
	struct aps_inverter_data data;
	if (aps_parse_inverters(reply, n, &data, inv, 64, NULL) != 0) return false;
	for (size_t i = 0; i < data.count; i++)
		if (strcmp(inv[i].uid, uid) == 0) {
			*out = inv[i];
			return true;
		}
	return false;
}

static unsigned total_power(const struct aps_inverter *v)
{
	unsigned sum = 0;
	for (unsigned c = 0; c < v->channels; c++) sum += v->power_w[c];
	return sum;
}

/* Waits (up to 5 s) for the inverter's reply to satisfy want. */
static bool wait_inverter(unsigned tcp_port, const char *ecu_id, const char *uid,
                          bool (*want)(const struct aps_inverter *), struct aps_inverter *last)
{
	int64_t until = now_ms() + 5000;
	while (now_ms() < until) {
		if (inverter(tcp_port, ecu_id, uid, last) && want(last)) return true;
		sleep_ms(50);
	}
	return false;
}

static bool is_off(const struct aps_inverter *v)
{
	return v->online && total_power(v) == 0;
}

static bool is_producing(const struct aps_inverter *v)
{
	return v->online && total_power(v) > 0;
}

static bool capped_at_50(const struct aps_inverter *v)
{
	for (unsigned c = 0; c < v->channels; c++)
		if (v->power_w[c] != 50) return false;
	return v->online && v->channels > 0;
}

struct web_sim {
	struct sim sim;
	unsigned web_port;
	char state_path[128];
	char control_path[128];
};

/* A synthetic installation at 11:00 UTC, 600 times faster than real time:
 * a refresh every half second. */
static int start(struct web_sim *w, const char *ecu_id, const char *fault)
{
	static unsigned n;
	char port_path[128];
	n++;
	snprintf(port_path, sizeof port_path, "%s/web%u.port", harness_dir(), n);
	snprintf(w->state_path, sizeof w->state_path, "%s/web%u.json", harness_dir(), n);
	snprintf(w->control_path, sizeof w->control_path, "%s/web%u.control", harness_dir(), n);
	const char *args[] = { "--inverters", "3", "--ecu-id", ecu_id, "--start", "2026-06-01T11:00", "--speed", "600",
		               "--http-port", "0", "--http-port-file", port_path, "--http-state", w->state_path,
		               "--http-control", w->control_path, fault ? "--http-fault" : NULL, fault, NULL };
	if (sim_start(&w->sim, args) != 0) return -1;
	w->web_port = read_port(port_path);
	return CHECK(w->web_port > 0) ? 0 : -1;
}

static bool state_has(const struct web_sim *w, const char *part)
{
	static char text[4096];
	FILE *f = fopen(w->state_path, "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f) fclose(f);
	text[n] = '\0';
	return strstr(text, part) != NULL;
}

static const char ECU_C[] = "215000000001";
static const char DS3[] = "704000000001", QS1[] = "804000000002";

static void test_pages(void)
{
	struct web_sim w;
	struct ecu_web_error err;
	char form[ECU_WEB_FORM_MAX], msg[ECU_WEB_MESSAGE_MAX];
	struct aps_inverter v;
	aps_check_case("ECU-C pages");
	if (start(&w, ECU_C, NULL) != 0) return;
	CHECK(wait_inverter(w.sim.port, ECU_C, DS3, is_producing, &v));

	/* Off: accepted, then 0 W from the next refresh on, and back on. */
	aps_check_case("set_switch_state");
	CHECK(ecu_web_switch_form(form, sizeof form, DS3, false, &err) > 0);
	struct http_answer a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, form);
	CHECK_INT(a.status, 200);
	CHECK(ecu_web_check_switch(a.body, a.body_len, msg, sizeof msg, &err) == 0);
	CHECK(state_has(&w, "\"704000000001\":{\"power\":\"OFF\""));
	CHECK(wait_inverter(w.sim.port, ECU_C, DS3, is_off, &v));
	CHECK(inverter(w.sim.port, ECU_C, QS1, &v) && total_power(&v) > 0); /* the others go on */
	CHECK(ecu_web_switch_form(form, sizeof form, DS3, true, &err) > 0);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, form);
	CHECK(ecu_web_check_switch(a.body, a.body_len, msg, sizeof msg, &err) == 0);
	CHECK(wait_inverter(w.sim.port, ECU_C, DS3, is_producing, &v));
	a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=1234567890121"); /* no such inverter */
	CHECK(ecu_web_check_switch(a.body, a.body_len, msg, sizeof msg, &err) == -1 && err.code == ECU_WEB_E_REFUSED);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=7040000000013");
	CHECK(ecu_web_check_switch(a.body, a.body_len, msg, sizeof msg, &err) == -1 && err.code == ECU_WEB_E_REFUSED);

	/* Max power: every channel capped (at noon each makes 240..300 W). */
	aps_check_case("set_maxpower");
	CHECK(ecu_web_maxpower_form(form, sizeof form, QS1, 50, &err) > 0);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_MAXPOWER, form);
	CHECK_INT(a.status, 200);
	CHECK(ecu_web_check_maxpower(a.body, a.body_len, msg, sizeof msg, &err) == 0);
	CHECK(state_has(&w, "\"804000000002\":{\"power\":\"ON\",\"max_power\":50}"));
	CHECK(wait_inverter(w.sim.port, ECU_C, QS1, capped_at_50, &v));
	a = http(w.web_port, "POST", ECU_WEB_PAGE_MAXPOWER, "id=804000000002&maxpower=501");
	CHECK(strstr(a.body, "Failed") != NULL);
	CHECK(state_has(&w, "\"max_power\":50}"));

	/* Zero export and the meter graph. */
	aps_check_case("meter");
	a = http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL);
	struct ecu_meter_reading m;
	CHECK_INT(a.status, 200);
	CHECK(ecu_web_parse_meter_graph(a.body, a.body_len, &m, &err) == 0);
	CHECK(m.has_production && m.has_grid && m.has_consumption);
	CHECK(m.production_w[1] + m.production_w[2] > 0);
	CHECK(ecu_web_meter_funcs_form(form, sizeof form, true, 0, &err) > 0);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_METER_FUNCS, form);
	CHECK(ecu_web_check_meter_funcs(a.body, a.body_len, msg, sizeof msg, &err) == 0);
	CHECK(state_has(&w, "\"zero_export\":true,\"power_limit\":0"));
	int64_t until = now_ms() + 5000;
	bool no_export = false;
	while (!no_export && now_ms() < until) {
		sleep_ms(100);
		a = http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL);
		no_export = ecu_web_parse_meter_graph(a.body, a.body_len, &m, &err) == 0 && m.grid_w[0] >= 0 &&
		            m.grid_w[1] >= 0 && m.grid_w[2] >= 0;
	}
	CHECK(no_export);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_METER_FUNCS, "meter_func=2&this_func=1&power_limit=0");
	CHECK(ecu_web_check_meter_funcs(a.body, a.body_len, msg, sizeof msg, &err) == -1 && err.code == ECU_WEB_E_REFUSED);

	aps_check_case("set_wlan_ap");
	CHECK(ecu_web_reboot_form(form, sizeof form, "ECU_R_PRO", "password1", &err) > 0);
	a = http(w.web_port, "POST", ECU_WEB_PAGE_REBOOT, form);
	CHECK(ecu_web_check_reboot(a.body, a.body_len, NULL, &err) == 0);
	CHECK(state_has(&w, "\"reboots\":1"));

	aps_check_case("other pages");
	CHECK_INT(http(w.web_port, "GET", "/index.php/nothing", NULL).status, 404);
	CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_SWITCH, NULL).status, 200); /* a probe: changes nothing */
	CHECK_INT(http(w.web_port, "PUT", ECU_WEB_PAGE_SWITCH, "").status, 405);
	CHECK(state_has(&w, "\"commands\":4"));
	CHECK_INT(http(w.web_port, "POST", ECU_WEB_PAGE_METER_GRAPH, "").status, 405);
	sim_stop(&w.sim);
}

static void test_models(void)
{
	struct web_sim w;
	/* ECU-R-PRO: control pages, no meter. */
	aps_check_case("ECU-R-PRO");
	if (start(&w, "216200000001", NULL) == 0) {
		CHECK_INT(http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=7040000000012").status, 200);
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status, 404);
		CHECK_INT(http(w.web_port, "POST", ECU_WEB_PAGE_METER_FUNCS, "meter_func=1&this_func=1&power_limit=0").status,
		          404);
		sim_stop(&w.sim);
	}
	/* ECU-R (2160) and ECU-B (2163): no web server at all. */
	static const char *const without[] = { "216000000001", "216300000001" };
	for (size_t i = 0; i < 2; i++) {
		aps_check_case("no pages on %s", without[i]);
		if (start(&w, without[i], NULL) != 0) continue;
		CHECK(refused(w.web_port));
		struct aps_inverter v;
		CHECK(inverter(w.sim.port, without[i], DS3, &v)); /* the ECU itself answers */
		sim_stop(&w.sim);
	}
}

static void test_faults_web(void)
{
	struct web_sim w;
	struct ecu_web_error err;
	char msg[ECU_WEB_MESSAGE_MAX];
	aps_check_case("web fault notfound");
	if (start(&w, ECU_C, "notfound") == 0) {
		CHECK_INT(http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=7040000000012").status, 404);
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status, 404);
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_SWITCH, NULL).status, 404); /* the probe sees it */
		CHECK(state_has(&w, "\"commands\":0"));
		sim_stop(&w.sim);
	}
	aps_check_case("web fault refuse");
	if (start(&w, ECU_C, "refuse") == 0) {
		CHECK(refused(w.web_port));
		sim_stop(&w.sim);
	}
	aps_check_case("web fault garbage");
	if (start(&w, ECU_C, "garbage") == 0) {
		struct http_answer a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=7040000000012");
		CHECK_INT(a.status, 200);
		CHECK(ecu_web_check_switch(a.body, a.body_len, msg, sizeof msg, &err) == -1 && err.code == ECU_WEB_E_GARBAGE);
		CHECK(ecu_web_check_meter_funcs(a.body, a.body_len, msg, sizeof msg, &err) == -1);
		CHECK(ecu_web_check_reboot(a.body, a.body_len, NULL, &err) == -1);
		a = http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL);
		struct ecu_meter_reading m;
		CHECK(ecu_web_parse_meter_graph(a.body, a.body_len, &m, &err) == -1 && err.code == ECU_WEB_E_GARBAGE);
		sim_stop(&w.sim);
	}
	aps_check_case("web fault oversize");
	if (start(&w, ECU_C, "oversize") == 0) {
		struct http_answer a = http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL);
		CHECK_INT(a.status, 200);
		CHECK(a.body_len == 1024 * 1024);
		sim_stop(&w.sim);
	}
	aps_check_case("web fault slow");
	if (start(&w, ECU_C, "slow:1") == 0) {
		int64_t t0 = now_ms();
		struct http_answer a = http(w.web_port, "POST", ECU_WEB_PAGE_SWITCH, "ids%5B%5D=7040000000012");
		int64_t took = now_ms() - t0;
		CHECK_INT(a.status, 200);
		CHECKF(took >= 950 && took < 4000, "took %lld ms", (long long)took);
		sim_stop(&w.sim);
	}
	/* The control file: the pages go and come back, as a firmware update and its rollback. */
	aps_check_case("web control file");
	if (start(&w, ECU_C, NULL) == 0) {
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status, 200);
		write_file_atomic(w.control_path, "notfound");
		int64_t until = now_ms() + 3000;
		while (now_ms() < until && http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status != 404) sleep_ms(50);
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status, 404);
		write_file_atomic(w.control_path, "refuse");
		until = now_ms() + 3000;
		while (now_ms() < until && !refused(w.web_port)) sleep_ms(50);
		CHECK(refused(w.web_port));
		unlink(w.control_path);
		until = now_ms() + 3000;
		while (now_ms() < until && refused(w.web_port)) sleep_ms(50);
		CHECK_INT(http(w.web_port, "GET", ECU_WEB_PAGE_METER_GRAPH, NULL).status, 200);
		sim_stop(&w.sim);
	}
	/* Options that do not go together. */
	aps_check_case("options");
	const char *const no_port[] = { "--port", "0", "--inverters", "1", "--http-fault", "notfound", NULL };
	CHECK_INT(sim_run_to_exit(no_port), 2);
	const char *const bad_fault[] = { "--port", "0", "--inverters", "1", "--http-port", "0", "--http-fault", "slow:x",
		                          NULL };
	CHECK_INT(sim_run_to_exit(bad_fault), 2);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_sim_web APS_ECU\n");
		return 2;
	}
	harness_init(argv[1]);
	test_pages();
	test_models();
	test_faults_web();
	return aps_check_report("test_sim_web");
}
