// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/*
 * restart.c - the ECU restart request: ecu_web.c's reboot form posted over
 * http.c, and its answer read as restart's results (404: the page is gone;
 * 200 with exactly {"value":0}: accepted).
 */
#include "restart.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int restart_http_open(void)
{
	return http_global_open();
}

void restart_http_close(void)
{
	http_global_close();
}

static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
{
	if (r->finished) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->finished = true;
	r->result = result;
}

/* What the exchange's end means for a restart. */
static void conclude(struct restart_request *r, enum http_result res)
{
	struct ecu_web_error err;
	size_t len;
	const char *body;
	switch (res) {
	case HTTP_PENDING: return;
	case HTTP_OK:
		body = http_body(&r->http, &len);
		if (ecu_web_check_reboot(body, len, NULL, &err) == 0)
			finish(r, RESTART_OK, "%s", "");
		else
			finish(r, RESTART_FAILED, "%s", err.reason);
		break;
	case HTTP_STATUS:
		if (http_status(&r->http) == 404)
			finish(r, RESTART_NOT_FOUND,
			       "HTTP status 404: no restart interface (removed by a firmware update?)");
		else
			finish(r, RESTART_FAILED, "%s", http_error(&r->http));
		break;
	case HTTP_REFUSED: finish(r, RESTART_REFUSED, "%s", http_error(&r->http)); break;
	default: finish(r, RESTART_FAILED, "%s", http_error(&r->http)); break;
	}
	http_close(&r->http); /* the answer is read: its buffer goes */
}

int restart_start(struct restart_request *r, const struct sockaddr *addr, socklen_t addrlen,
                  const char *host_header, const char *ssid, const char *passwd, uint64_t now_ms,
                  uint32_t timeout_ms)
{
	http_close(&r->http); /* a request started again: the old one goes */
	memset(r, 0, sizeof(*r));
	r->started = true;

	char form[ECU_WEB_FORM_MAX];
	struct ecu_web_error err;
	if (ecu_web_reboot_form(form, sizeof(form), ssid, passwd, &err) < 0) {
		finish(r, RESTART_FAILED, "%s", err.reason);
		return -1;
	}
	const struct http_request req = {
		.method = HTTP_POST_FORM,
		.path = ECU_WEB_PAGE_REBOOT,
		.form = form,
		.form_is_secret = true,
		.host_header = host_header,
		.answer_max = RESTART_RESPONSE_MAX,
		.timeout_ms = timeout_ms,
	};
	int rc = http_start(&r->http, addr, addrlen, &req, now_ms);
	explicit_bzero(form, sizeof(form)); /* it holds the password */
	if (rc == 0) return 0;
	conclude(r, http_step(&r->http, 0, now_ms));
	return -1;
}

int restart_fd(const struct restart_request *r, short *events)
{
	if (r->finished) {
		*events = 0;
		return -1;
	}
	return http_fd(&r->http, events);
}

enum restart_result restart_step(struct restart_request *r, short revents, uint64_t now_ms)
{
	if (!r->started) {
		finish(r, RESTART_FAILED, "restart_step() before restart_start()");
		return r->result;
	}
	if (!r->finished) conclude(r, http_step(&r->http, revents, now_ms));
	return r->finished ? r->result : RESTART_PENDING;
}

uint64_t restart_wait_ms(const struct restart_request *r, uint64_t now_ms)
{
	return r->finished ? UINT64_MAX : http_wait_ms(&r->http, now_ms);
}

bool restart_sent(const struct restart_request *r)
{
	return http_sent(&r->http);
}

const char *restart_error(const struct restart_request *r)
{
	return r->finished ? r->error : "";
}

void restart_close(struct restart_request *r)
{
	if (r->started && !r->finished) {
		http_close(&r->http);
		finish(r, RESTART_FAILED, "%s", http_error(&r->http));
	}
	http_close(&r->http);
}

const char *restart_result_name(enum restart_result result)
{
	switch (result) {
	case RESTART_PENDING: return "pending";
	case RESTART_OK: return "ok";
	case RESTART_REFUSED: return "refused";
	case RESTART_NOT_FOUND: return "not found";
	case RESTART_FAILED: return "failed";
	}
	return "?";
}
