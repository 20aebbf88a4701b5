// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "control.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "broker_api.h"

#include "alloc.h"
#include "aps_plugin.h"
#include "control_cmd.h"
#include "ecu_web.h"
#include "http.h"
#include "publish.h"

enum capability { CAP_UNKNOWN, CAP_NO, CAP_YES };

/* What the plugin knows of an inverter's settings. */
struct inverter_setting {
	char uid[CONTROL_ID_LEN + 1];
	int power;            /* 1 on, 0 off, -1 unknown */
	int max_power;        /* W, -1 unknown */
	bool from_ecu;        /* the ECU's data says so, not only our command */
	int64_t since;        /* wall clock of the last change */
	uint64_t set_ms;      /* monotonic: when our command took */
	bool status_sent;
};

enum exchange_kind { EX_NONE, EX_COMMAND, EX_PROBE, EX_METER };

struct ecu_control {
	struct control_queue queue;
	struct http_exchange x;
	enum exchange_kind running;
	struct control_cmd current;
	enum capability pages, meter;
	bool probe_due, meter_due;
	uint64_t meter_at_ms;    /* not in the tick that published the cycle */
	uint64_t next_probe_ms;
	char last_probe_error[HTTP_ERROR_MAX];
	struct inverter_setting *inv;
	size_t inv_count, inv_cap;
	bool export_sent;    /* its control topic published once */
	bool diag_due;       /* a capability changed: diagnostics to send */
	int zero_export;     /* -1 unknown */
	int power_limit;     /* -1 unknown */
	int64_t export_since;
};

static uint32_t spacing_ms = CONTROL_SPACING_MS;
static uint32_t probe_interval_ms = CONTROL_PROBE_INTERVAL_MS;
static bool retained_logged;

static uint32_t env_ms(const char *name, uint32_t fallback)
{
	const char *v = getenv(name);
	if (!v || !*v) return fallback;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	return *end == '\0' && n > 0 && n < 86400000ul ? (uint32_t)n : fallback;
}

int control_init(struct aps_plugin *pl)
{
	if (!pl->cfg.control) return 0;
	spacing_ms = env_ms(CONTROL_TEST_SPACING_ENV, CONTROL_SPACING_MS);
	probe_interval_ms = env_ms(CONTROL_TEST_PROBE_ENV, CONTROL_PROBE_INTERVAL_MS);
	retained_logged = false;
	/* libcurl's set-up (a millisecond) here, not in the first command's tick. */
	if (http_global_open() != 0) return -1;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		struct ecu_control *c = aps_calloc(1, sizeof(*c));
		if (!c) return -1;
		c->zero_export = c->power_limit = -1;
		pl->ecus[i].control = c;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: control on: commands under %saps/<ECU>/.../cmd/ are sent to the "
	                     "ECUs' web pages (port %d), %u ms apart", pl->topic_base, pl->cfg.http_port,
	                     (unsigned)spacing_ms);
	return 0;
}

void control_close(struct ecu *e)
{
	struct ecu_control *c = e->control;
	if (!c) return;
	http_close(&c->x);
	aps_free(c->inv);
	aps_free(c);
	e->control = NULL;
}

/* ---- publishing ---- */

static void iso_time(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static void add_value(cJSON *o, const struct control_cmd *cmd, bool have_value)
{
	if (!have_value) {
		cJSON_AddNullToObject(o, "value");
		return;
	}
	switch (cmd->kind) {
	case CONTROL_POWER:
	case CONTROL_ZERO_EXPORT:
		cJSON_AddStringToObject(o, "value", cmd->value ? "ON" : "OFF");
		break;
	case CONTROL_REBOOT:
		cJSON_AddStringToObject(o, "value", "PRESS");
		break;
	default:
		cJSON_AddNumberToObject(o, "value", cmd->value);
		break;
	}
}

/* P aps/<ECU>/cmd/result: {"command", "uid"?, "value", "result", "reason"}. */
static void publish_result(const struct aps_plugin *pl, const struct control_cmd *cmd, bool have_value,
                           const char *result, const char *reason)
{
	char topic[APS_TOPIC_MAX];
	if (!cmd->ecu_id[0] || publish_ecu_topic(topic, pl->cfg.topic_prefix, cmd->ecu_id, "cmd/result") != 0) return;
	cJSON *o = cJSON_CreateObject();
	if (!o) return;
	cJSON_AddStringToObject(o, "command", control_kind_name(cmd->kind));
	if (cmd->uid[0]) cJSON_AddStringToObject(o, "uid", cmd->uid);
	add_value(o, cmd, have_value);
	cJSON_AddStringToObject(o, "result", result);
	cJSON_AddStringToObject(o, "reason", reason ? reason : "");
	publish_json(topic, o, false);
}

static void publish_inverter_status(const struct aps_plugin *pl, const char *ecu_id, struct inverter_setting *s)
{
	char topic[APS_TOPIC_MAX], leaf[CONTROL_ID_LEN + 8], when[32];
	snprintf(leaf, sizeof(leaf), "%s/status", s->uid);
	if (publish_ecu_topic(topic, pl->cfg.topic_prefix, ecu_id, leaf) != 0) return;
	cJSON *o = cJSON_CreateObject();
	if (!o) return;
	if (s->power < 0) cJSON_AddNullToObject(o, "power");
	else cJSON_AddStringToObject(o, "power", s->power ? "ON" : "OFF");
	if (s->max_power < 0) cJSON_AddNullToObject(o, "max_power");
	else cJSON_AddNumberToObject(o, "max_power", s->max_power);
	cJSON_AddStringToObject(o, "source", s->from_ecu ? "ecu" : "assumed");
	iso_time(s->since, when, sizeof(when));
	cJSON_AddStringToObject(o, "since", when);
	publish_json(topic, o, pl->cfg.retain);
	s->status_sent = true;
}

static void publish_export_state(const struct aps_plugin *pl, const char *ecu_id, const struct ecu_control *c)
{
	char topic[APS_TOPIC_MAX], when[32];
	if (publish_ecu_topic(topic, pl->cfg.topic_prefix, ecu_id, "control") != 0) return;
	cJSON *o = cJSON_CreateObject();
	if (!o) return;
	if (c->zero_export < 0) cJSON_AddNullToObject(o, "zero_export");
	else cJSON_AddStringToObject(o, "zero_export", c->zero_export ? "ON" : "OFF");
	if (c->power_limit < 0) cJSON_AddNullToObject(o, "power_limit");
	else cJSON_AddNumberToObject(o, "power_limit", c->power_limit);
	/* No page is known that reads these back. */
	cJSON_AddStringToObject(o, "source", "assumed");
	iso_time(c->export_since, when, sizeof(when));
	cJSON_AddStringToObject(o, "since", when);
	publish_json(topic, o, pl->cfg.retain);
}

static void update_features(const struct ecu *e);

/* A capability changed: the entities follow, and tick.c, which alone
 * publishes diagnostics, sends them after this step (control_diag_due). */
static void capabilities_changed(struct ecu *e)
{
	update_features(e);
	e->control->diag_due = true;
}

/* The Home Assistant entities the capabilities allow (discovery.h), sent
 * with the next cycle's configs when they change. */
static void update_features(const struct ecu *e)
{
	const struct ecu_control *c = e->control;
	unsigned f = 0;
	if (c->pages == CAP_YES) f |= DISCOVERY_CONTROL;
	if (c->pages == CAP_YES && control_model_has_meter(e->health.ecu_id)) f |= DISCOVERY_EXPORT;
	if (c->meter == CAP_YES) f |= DISCOVERY_METER;
	if (announce_set_features(e->announcer, f))
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s: Home Assistant control entities: %s%s%s%s",
		                     e->health.ecu_id, f & DISCOVERY_CONTROL ? "power, max power, reboot" : "none",
		                     f & DISCOVERY_EXPORT ? ", zero export, export limit" : "",
		                     f & DISCOVERY_METER ? ", meter" : "", "");
}

bool control_diag_due(struct ecu *e)
{
	if (!e->control || !e->control->diag_due) return false;
	e->control->diag_due = false;
	return true;
}

void control_diag(const struct ecu *e, struct publish_diag *d)
{
	const struct ecu_control *c = e->control;
	if (!c || !control_model_has_pages(e->health.ecu_id)) return;
	static const enum publish_flag flag[] = { [CAP_UNKNOWN] = DIAG_UNKNOWN, [CAP_NO] = DIAG_NO,
		                                  [CAP_YES] = DIAG_YES };
	d->control_available = flag[c->pages];
	if (control_model_has_meter(e->health.ecu_id)) d->meter_available = flag[c->meter];
}

/* ---- settings known ---- */

static struct inverter_setting *setting(struct ecu_control *c, const char *uid)
{
	for (size_t i = 0; i < c->inv_count; i++)
		if (strcmp(c->inv[i].uid, uid) == 0) return &c->inv[i];
	if (c->inv_count == c->inv_cap) {
		size_t cap = c->inv_cap ? 2 * c->inv_cap : 8;
		struct inverter_setting *grown = aps_realloc(c->inv, cap * sizeof(*grown));
		if (!grown) return NULL;
		c->inv = grown;
		c->inv_cap = cap;
	}
	struct inverter_setting *s = &c->inv[c->inv_count++];
	*s = (struct inverter_setting){ .power = -1, .max_power = -1 };
	memcpy(s->uid, uid, sizeof(s->uid));
	return s;
}

/* ---- commands arriving ---- */

static struct ecu *find_ecu(struct aps_plugin *pl, const char *ecu_id)
{
	for (size_t i = 0; i < pl->ecu_count; i++)
		if (strcmp(pl->ecus[i].health.ecu_id, ecu_id) == 0) return &pl->ecus[i];
	return NULL;
}

static bool inverter_known(const struct ecu *e, const char *uid)
{
	const struct ecu_poller *p = &e->poller;
	if (!p->have_inverters) return false;
	for (size_t i = 0; i < p->inv.count; i++)
		if (strcmp(p->inverters[i].uid, uid) == 0) return true;
	return false;
}

static void reject(const struct aps_plugin *pl, const struct control_cmd *cmd, bool have_value, const char *result,
                   const char *reason)
{
	mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: command %s%s%s to ECU %s not sent: %s",
	                     control_kind_name(cmd->kind), cmd->uid[0] ? " for inverter " : "", cmd->uid,
	                     cmd->ecu_id[0] ? cmd->ecu_id : "?", reason);
	publish_result(pl, cmd, have_value, result, reason);
}

void control_on_message(struct aps_plugin *pl, const struct mosquitto_evt_message *msg)
{
	struct control_cmd cmd;
	char why[CONTROL_REASON_MAX];
	if (!pl->cfg.control || !msg->topic) return;
	enum control_parse r = control_parse_topic(msg->topic, pl->topic_base, &cmd, why, sizeof(why));
	if (r == CONTROL_NOT_COMMAND) return;
	if (msg->retain) {
		/* A broker restart must never replay a command. */
		if (!retained_logged)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: retained command on %s ignored (commands are acted "
			                     "on only when published without retain; this is logged once)", msg->topic);
		retained_logged = true;
		return;
	}
	if (r == CONTROL_INVALID) {
		reject(pl, &cmd, false, "invalid", why);
		return;
	}
	if (!control_parse_value(&cmd, msg->payload, msg->payloadlen, why, sizeof(why))) {
		reject(pl, &cmd, false, "invalid", why);
		return;
	}
	struct ecu *e = find_ecu(pl, cmd.ecu_id);
	if (!e || !e->control) {
		reject(pl, &cmd, true, "invalid", "no ECU of this id is polled here");
		return;
	}
	if (!control_model_allows(cmd.ecu_id, cmd.kind, why, sizeof(why))) {
		reject(pl, &cmd, true, "unsupported", why);
		return;
	}
	if (cmd.uid[0] && !inverter_known(e, cmd.uid)) {
		reject(pl, &cmd, true, "invalid", "the ECU did not report this inverter in its last answer");
		return;
	}
	struct ecu_control *c = e->control;
	if (c->pages == CAP_NO) {
		snprintf(why, sizeof(why), "the ECU's web pages do not answer (%.80s); probed again every few hours",
		         c->last_probe_error[0] ? c->last_probe_error : "no answer");
		reject(pl, &cmd, true, "unsupported", why);
		return;
	}
	struct control_cmd dropped;
	switch (control_queue_push(&c->queue, &cmd, &dropped)) {
	case CONTROL_QUEUED:
		break;
	case CONTROL_REPLACED:
		publish_result(pl, &dropped, true, "superseded", "a newer value for the same target was queued");
		break;
	case CONTROL_DROPPED_OLDEST:
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s: %u commands waiting: the oldest (%s%s%s) is "
		                     "dropped", cmd.ecu_id, (unsigned)CONTROL_QUEUE_MAX, control_kind_name(dropped.kind),
		                     dropped.uid[0] ? " for " : "", dropped.uid);
		publish_result(pl, &dropped, true, "dropped", "too many commands waiting for this ECU");
		break;
	}
}

/* ---- the exchange ---- */

/* The ECU's address with the web port, and its Host header. */
static bool web_address(const struct aps_plugin *pl, const struct ecu *e, struct sockaddr_storage *addr,
                        socklen_t *len, char *host, size_t host_cap)
{
	const struct ecu_poller *p = &e->poller;
	uint16_t port = (uint16_t)pl->cfg.http_port;
	memcpy(addr, &p->resolver.addr, sizeof(*addr));
	*len = p->resolver.addrlen;
	if (addr->ss_family == AF_INET)
		((struct sockaddr_in *)addr)->sin_port = htons(port);
	else if (addr->ss_family == AF_INET6)
		((struct sockaddr_in6 *)addr)->sin6_port = htons(port);
	else
		return false;
	const char *open = strchr(p->host, ':') ? "[" : "", *close = *open ? "]" : "";
	int n = port == 80 ? snprintf(host, host_cap, "%s%s%s", open, p->host, close)
	                   : snprintf(host, host_cap, "%s%s%s:%u", open, p->host, close, (unsigned)port);
	return n > 0 && n <= HTTP_HOST_MAX;
}

static bool start(const struct aps_plugin *pl, struct ecu *e, enum exchange_kind kind, enum http_method method,
                  const char *path, const char *form, bool secret, size_t answer_max, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	struct sockaddr_storage addr;
	socklen_t len;
	char host[HTTP_HOST_MAX + 8];
	if (!web_address(pl, e, &addr, &len, host, sizeof(host))) return false;
	const struct http_request req = { .method = method, .path = path, .form = form, .form_is_secret = secret,
		                          .host_header = host, .answer_max = answer_max,
		                          .timeout_ms = CONTROL_HTTP_TIMEOUT_MS };
	c->running = kind;
	http_start(&c->x, (const struct sockaddr *)&addr, len, &req, now_ms);
	return true;
}

/* The form for cmd, or false with why set. */
static bool command_form(const struct aps_plugin *pl, const struct control_cmd *cmd, char *form, size_t cap,
                         const char **path, char *why, size_t why_cap)
{
	struct ecu_web_error err = { 0 };
	int n = -1;
	switch (cmd->kind) {
	case CONTROL_POWER:
		*path = ECU_WEB_PAGE_SWITCH;
		n = ecu_web_switch_form(form, cap, cmd->uid, cmd->value != 0, &err);
		break;
	case CONTROL_MAX_POWER:
		*path = ECU_WEB_PAGE_MAXPOWER;
		n = ecu_web_maxpower_form(form, cap, cmd->uid, cmd->value, &err);
		break;
	case CONTROL_ZERO_EXPORT:
	case CONTROL_POWER_LIMIT:
		/* One page sets both: what is not given keeps what we last set. */
		*path = ECU_WEB_PAGE_METER_FUNCS;
		break;
	case CONTROL_REBOOT:
		*path = ECU_WEB_PAGE_REBOOT;
		if (!pl->cfg.wifi_ssid[0] || !pl->cfg.wifi_passwd[0]) {
			snprintf(why, why_cap, "reboot needs wifi_ssid and wifi_passwd (the ECU's hotspot settings are "
			         "sent back to it)");
			return false;
		}
		n = ecu_web_reboot_form(form, cap, pl->cfg.wifi_ssid, pl->cfg.wifi_passwd, &err);
		break;
	default:
		break;
	}
	if (n < 0 && cmd->kind != CONTROL_ZERO_EXPORT && cmd->kind != CONTROL_POWER_LIMIT) {
		snprintf(why, why_cap, "%s", err.reason[0] ? err.reason : "cannot build the request");
		return false;
	}
	return true;
}

static bool start_command(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	struct control_cmd *cmd = &c->current;
	char form[HTTP_FORM_MAX], why[CONTROL_REASON_MAX];
	const char *path = NULL;
	if (!control_queue_pop(&c->queue, cmd, now_ms)) return false;
	if (cmd->kind == CONTROL_ZERO_EXPORT || cmd->kind == CONTROL_POWER_LIMIT) {
		bool zero = cmd->kind == CONTROL_ZERO_EXPORT ? cmd->value != 0 : c->zero_export > 0;
		unsigned limit = cmd->kind == CONTROL_POWER_LIMIT ? cmd->value : c->power_limit > 0 ? (unsigned)c->power_limit : 0;
		struct ecu_web_error err = { 0 };
		path = ECU_WEB_PAGE_METER_FUNCS;
		if (ecu_web_meter_funcs_form(form, sizeof(form), zero, limit, &err) < 0) {
			reject(pl, cmd, true, "invalid", err.reason);
			return true;
		}
	} else if (!command_form(pl, cmd, form, sizeof(form), &path, why, sizeof(why))) {
		reject(pl, cmd, true, "invalid", why);
		return true;
	}
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "aps-ecu: ECU %s: sending %s%s%s", cmd->ecu_id, control_kind_name(cmd->kind),
	                     cmd->uid[0] ? " for inverter " : "", cmd->uid);
	if (!start(pl, e, EX_COMMAND, HTTP_POST_FORM, path, form, cmd->kind == CONTROL_REBOOT,
	           ECU_WEB_SMALL_ANSWER_MAX, now_ms)) {
		reject(pl, cmd, true, "failed", "the ECU's address is not known yet");
		c->running = EX_NONE;
	}
	memset(form, 0, sizeof(form)); /* may hold the hotspot password */
	return true;
}

/* What a command's answer means: "ok", or another result with why. */
static const char *command_outcome(const struct ecu_control *c, enum http_result res, char *why, size_t cap)
{
	const struct control_cmd *cmd = &c->current;
	why[0] = '\0';
	switch (res) {
	case HTTP_OK: {
		size_t len;
		const char *body = http_body(&c->x, &len);
		char message[ECU_WEB_MESSAGE_MAX];
		struct ecu_web_error err = { 0 };
		long value = 0;
		int rc;
		message[0] = '\0';
		switch (cmd->kind) {
		case CONTROL_POWER: rc = ecu_web_check_switch(body, len, message, sizeof(message), &err); break;
		case CONTROL_MAX_POWER: rc = ecu_web_check_maxpower(body, len, message, sizeof(message), &err); break;
		case CONTROL_REBOOT: rc = ecu_web_check_reboot(body, len, &value, &err); break;
		default: rc = ecu_web_check_meter_funcs(body, len, message, sizeof(message), &err); break;
		}
		if (rc == 0) {
			snprintf(why, cap, "%s", message);
			return "ok";
		}
		snprintf(why, cap, "%s%s%s", err.reason, message[0] ? ": " : "", message);
		return err.code == ECU_WEB_E_REFUSED ? "refused" : "failed";
	}
	case HTTP_STATUS: {
		static char name[16];
		int status = http_status(&c->x);
		snprintf(why, cap, "%s", http_error(&c->x));
		if (status == 404) {
			snprintf(why, cap, "the ECU has no such page (HTTP 404): its firmware may have removed it");
			return "unsupported";
		}
		snprintf(name, sizeof(name), "http_%d", status);
		return name;
	}
	case HTTP_REFUSED:
		snprintf(why, cap, "%s", http_error(&c->x));
		return "unsupported";
	case HTTP_TIMEOUT:
		snprintf(why, cap, "%s", http_error(&c->x));
		return "timeout";
	default:
		snprintf(why, cap, "%s", http_error(&c->x));
		return "failed";
	}
}

static void command_done(struct aps_plugin *pl, struct ecu *e, enum http_result res, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	const struct control_cmd *cmd = &c->current;
	char why[CONTROL_REASON_MAX];
	const char *result = command_outcome(c, res, why, sizeof(why));
	bool ok = strcmp(result, "ok") == 0;
	mosquitto_log_printf(ok ? MOSQ_LOG_NOTICE : MOSQ_LOG_WARNING, "aps-ecu: ECU %s: %s%s%s: %s%s%s", cmd->ecu_id,
	                     control_kind_name(cmd->kind), cmd->uid[0] ? " for inverter " : "", cmd->uid, result,
	                     why[0] ? " - " : "", why);
	publish_result(pl, cmd, true, result, why);
	if (!ok) {
		/* Were the pages removed?  The next probe says, soon. */
		c->probe_due = true;
		return;
	}
	if (c->pages != CAP_YES) {
		c->pages = CAP_YES;
		capabilities_changed(e);
	}
	int64_t wall = (int64_t)time(NULL);
	if (cmd->kind == CONTROL_POWER || cmd->kind == CONTROL_MAX_POWER) {
		struct inverter_setting *s = setting(c, cmd->uid);
		if (!s) return;
		if (cmd->kind == CONTROL_POWER) s->power = (int)cmd->value;
		else s->max_power = (int)cmd->value;
		s->from_ecu = false;
		s->since = wall;
		s->set_ms = now_ms;
		publish_inverter_status(pl, cmd->ecu_id, s);
	} else if (cmd->kind == CONTROL_ZERO_EXPORT || cmd->kind == CONTROL_POWER_LIMIT) {
		if (cmd->kind == CONTROL_ZERO_EXPORT) c->zero_export = (int)cmd->value;
		else c->power_limit = (int)cmd->value;
		c->export_since = wall;
		publish_export_state(pl, cmd->ecu_id, c);
	}
}

static void probe_done(struct aps_plugin *pl, struct ecu *e, enum http_result res, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	/* A page that answers GET with anything but 404 (the ECU's pages want a
	 * POST) is there. */
	bool there = res == HTTP_OK || (res == HTTP_STATUS && http_status(&c->x) != 404);
	enum capability now = there ? CAP_YES : CAP_NO;
	snprintf(c->last_probe_error, sizeof(c->last_probe_error), "%s",
	         res == HTTP_STATUS && http_status(&c->x) == 404 ? "HTTP 404" : http_error(&c->x));
	c->next_probe_ms = now_ms + probe_interval_ms;
	if (now == c->pages) return;
	c->pages = now;
	if (there)
		mosquitto_log_printf(MOSQ_LOG_INFO, "aps-ecu: ECU %s: control pages answer on port %d", e->health.ecu_id,
		                     pl->cfg.http_port);
	else
		mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s: control pages do not answer on port %d (%s): "
		                     "commands are refused until a probe finds them", e->health.ecu_id,
		                     pl->cfg.http_port, c->last_probe_error);
	capabilities_changed(e);
}

static void meter_done(struct aps_plugin *pl, struct ecu *e, enum http_result res)
{
	struct ecu_control *c = e->control;
	struct ecu_meter_reading m;
	struct ecu_web_error err = { 0 };
	size_t len = 0;
	const char *body = res == HTTP_OK ? http_body(&c->x, &len) : NULL;
	bool ok = body && ecu_web_parse_meter_graph(body, len, &m, &err) == 0;
	enum capability now = ok ? CAP_YES : CAP_NO;
	if (now != c->meter) {
		c->meter = now;
		mosquitto_log_printf(ok ? MOSQ_LOG_INFO : MOSQ_LOG_WARNING, "aps-ecu: ECU %s: meter %s%s%s",
		                     e->health.ecu_id, ok ? "readings available" : "gives no readings",
		                     ok ? "" : ": ", ok ? "" : (body ? err.reason : http_error(&c->x)));
		capabilities_changed(e);
	}
	if (!ok) return;
	char topic[APS_TOPIC_MAX];
	if (publish_ecu_topic(topic, pl->cfg.topic_prefix, e->health.ecu_id, "meter") != 0) return;
	cJSON *o = cJSON_CreateObject();
	if (!o) return;
	static const char phase[3] = { 'a', 'b', 'c' };
	const struct {
		const char *name;
		bool have;
		const int32_t *w;
	} series[] = { { "production", m.has_production, m.production_w },
		       { "grid", m.has_grid, m.grid_w },
		       { "consumption", m.has_consumption, m.consumption_w } };
	for (size_t s = 0; s < 3; s++) {
		char key[24];
		long total = 0;
		for (int p = 0; p < 3; p++) {
			snprintf(key, sizeof(key), "%s_%c", series[s].name, phase[p]);
			if (series[s].have) cJSON_AddNumberToObject(o, key, series[s].w[p]);
			else cJSON_AddNullToObject(o, key);
			total += series[s].w[p];
		}
		if (series[s].have) cJSON_AddNumberToObject(o, series[s].name, (double)total);
		else cJSON_AddNullToObject(o, series[s].name);
	}
	publish_json(topic, o, pl->cfg.retain);
}

int control_fd(const struct ecu *e, short *events)
{
	*events = 0;
	if (!e->control || e->control->running == EX_NONE) return -1;
	return http_fd(&e->control->x, events);
}

bool control_busy(const struct ecu *e)
{
	return e->control && e->control->running != EX_NONE;
}

bool control_step(struct aps_plugin *pl, struct ecu *e, short revents, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	if (!c) return false;
	if (c->running == EX_METER && c->queue.count > 0 && control_queue_due(&c->queue, now_ms, spacing_ms)) {
		/* A command does not wait behind a reading: the reading is
		 * dropped (the next cycle reads again). */
		http_close(&c->x);
		c->running = EX_NONE;
	}
	if (c->running != EX_NONE) {
		enum http_result res = http_step(&c->x, revents, now_ms);
		if (res == HTTP_PENDING) return true;
		enum exchange_kind kind = c->running;
		c->running = EX_NONE;
		if (kind == EX_COMMAND) command_done(pl, e, res, now_ms);
		else if (kind == EX_PROBE) probe_done(pl, e, res, now_ms);
		else meter_done(pl, e, res);
		http_close(&c->x);
		return true;
	}
	/* One exchange at a time with the ECU's pages; a restart goes first. */
	if (e->restart.in_progress || !e->health.ecu_id[0] || !control_model_has_pages(e->health.ecu_id)) return false;
	if (c->queue.count > 0 && control_queue_due(&c->queue, now_ms, spacing_ms)) return start_command(pl, e, now_ms);
	if (c->probe_due || (c->next_probe_ms && now_ms >= c->next_probe_ms)) {
		c->probe_due = false;
		c->next_probe_ms = now_ms + probe_interval_ms;
		return start(pl, e, EX_PROBE, HTTP_GET, ECU_WEB_PAGE_SWITCH, NULL, false, ECU_WEB_SMALL_ANSWER_MAX, now_ms);
	}
	if (c->meter_due && now_ms >= c->meter_at_ms) {
		c->meter_due = false;
		return start(pl, e, EX_METER, HTTP_GET, ECU_WEB_PAGE_METER_GRAPH, NULL, false, ECU_WEB_METER_ANSWER_MAX,
		             now_ms);
	}
	return false;
}

uint64_t control_wait_ms(const struct ecu *e, uint64_t now_ms)
{
	const struct ecu_control *c = e->control;
	if (!c) return UINT64_MAX;
	if (c->running != EX_NONE) return http_wait_ms(&c->x, now_ms);
	/* Nothing starts before the ECU's id is known, nor beside a restart. */
	if (e->restart.in_progress || !e->health.ecu_id[0] || !control_model_has_pages(e->health.ecu_id))
		return UINT64_MAX;
	if (c->probe_due) return 0;
	if (c->meter_due) return c->meter_at_ms > now_ms ? c->meter_at_ms - now_ms : 0;
	uint64_t w = control_queue_wait_ms(&c->queue, now_ms, spacing_ms);
	if (c->next_probe_ms) {
		uint64_t p = c->next_probe_ms > now_ms ? c->next_probe_ms - now_ms : 0;
		if (p < w) w = p;
	}
	return w;
}

static unsigned inverter_power(const struct aps_inverter *inv)
{
	unsigned w = 0;
	for (unsigned ch = 0; ch < inv->channels && ch < APS_MAX_CHANNELS; ch++) w += inv->power_w[ch];
	return w;
}

void control_after_cycle(struct aps_plugin *pl, struct ecu *e, uint64_t now_ms)
{
	struct ecu_control *c = e->control;
	if (!c || !control_model_has_pages(e->health.ecu_id)) return;
	if (c->pages == CAP_UNKNOWN && c->next_probe_ms == 0) c->next_probe_ms = now_ms + 1; /* a later tick */
	if (control_model_has_meter(e->health.ecu_id)) {
		/* The cycle's messages took this tick's time: the meter's GET
		 * starts in a later one. */
		c->meter_due = true;
		c->meter_at_ms = now_ms + 1;
	}
	/* The entities' state topics exist from the start, "unknown" until
	 * something is known. */
	if (!c->export_sent && control_model_has_meter(e->health.ecu_id)) {
		c->export_since = (int64_t)time(NULL);
		publish_export_state(pl, e->health.ecu_id, c);
		c->export_sent = true;
	}
	/* Read-back from the inverters' own replies: one that makes power is
	 * on, whatever we last asked (once the ECU had time to act on it). */
	const struct ecu_poller *p = &e->poller;
	if (!p->have_inverters) return;
	for (size_t i = 0; i < p->inv.count; i++) {
		const struct aps_inverter *inv = &p->inverters[i];
		if (!inv->online || inverter_power(inv) == 0) continue;
		struct inverter_setting *s = NULL;
		for (size_t k = 0; k < c->inv_count; k++)
			if (strcmp(c->inv[k].uid, inv->uid) == 0) s = &c->inv[k];
		if (s && s->power == 1) continue;
		if (s && s->power == 0 && now_ms - s->set_ms < CONTROL_SETTLE_MS) continue;
		if (s && s->power == 0)
			mosquitto_log_printf(MOSQ_LOG_WARNING, "aps-ecu: ECU %s: inverter %s still makes %u W %u min after "
			                     "it was switched off: it is on", e->health.ecu_id, inv->uid, inverter_power(inv),
			                     (unsigned)((now_ms - s->set_ms) / 60000u));
		if (!s) s = setting(c, inv->uid);
		if (!s) return;
		s->power = 1;
		s->from_ecu = true;
		s->since = (int64_t)time(NULL);
		publish_inverter_status(pl, e->health.ecu_id, s);
	}
	for (size_t i = 0; i < p->inv.count; i++) {
		struct inverter_setting *s = setting(c, p->inverters[i].uid);
		if (!s || s->status_sent) continue;
		s->since = (int64_t)time(NULL);
		publish_inverter_status(pl, e->health.ecu_id, s);
	}
}
