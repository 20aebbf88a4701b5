// SPDX-License-Identifier: MIT
/*
 * restart.h - restart an ECU-C / ECU-R-PRO (2162) through its web interface.
 *
 * Posting the ECU's own hotspot settings back to it makes it reboot:
 *   POST /index.php/management/set_wlan_ap
 *   SSID=<ssid>&channel=0&method=2&psk_wep=&psk_wpa=<passwd>
 * and a success answers {"value":0}.  The HTTP is http.h's (libcurl's multi
 * interface); like conn.h, nothing here waits: the caller polls restart_fd()
 * and feeds the results to restart_step() from the broker tick, with its own
 * clock in milliseconds.  No logging: the caller logs restart_error(), which
 * never holds the SSID or password.
 */
#ifndef APS_RESTART_H
#define APS_RESTART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ecu_web.h"
#include "http.h"

#define RESTART_SSID_MAX ECU_WEB_SSID_MAX         /* 802.11 limit, bytes */
#define RESTART_PASSWD_MIN ECU_WEB_PASSWD_MIN     /* WPA2: a shorter one would leave the hotspot open */
#define RESTART_PASSWD_MAX ECU_WEB_PASSWD_MAX
#define RESTART_HOST_MAX HTTP_HOST_MAX            /* Host header value, e.g. "192.168.1.20" or "[fe80::1]:8080" */
#define RESTART_BODY_MAX ECU_WEB_FORM_MAX         /* the form with the longest SSID and password, encoded */
#define RESTART_RESPONSE_MAX ECU_WEB_SMALL_ANSWER_MAX /* status line + headers + a small body; more is an error */

enum restart_result {
	RESTART_PENDING,
	RESTART_OK,        /* HTTP 200 and body {"value":0}: the ECU is rebooting */
	RESTART_REFUSED,   /* connection refused: no web server (or interface removed) */
	RESTART_NOT_FOUND, /* HTTP 404: a firmware update removed the interface */
	RESTART_FAILED,    /* anything else: other status or body, timeout, reset */
};

/* Caller-owned; zero-initialise it before the first restart_start().  The
 * exchange is http.c's; the form is ecu_web.c's, and so is the check of the
 * answer. */
struct restart_request {
	struct http_exchange http;
	bool started;
	bool finished;
	enum restart_result result;
	char error[HTTP_ERROR_MAX];
};

/* http_global_open() and http_global_close() under their older names. */
int restart_http_open(void);
void restart_http_close(void);

/* Starts the POST to addr (IPv4 or IPv6, HTTP port already set; the ECU's is
 * 80).  host_header is the Host value (bracket IPv6 literals); ssid has 1..32
 * bytes, passwd 8..63; any bytes are URL-encoded.  timeout_ms bounds the whole
 * exchange from now_ms.  Returns 0 (pending), or -1 when already finished:
 * restart_step() then returns the result (REFUSED or FAILED). */
int restart_start(struct restart_request *r, const struct sockaddr *addr, socklen_t addrlen,
                  const char *host_header, const char *ssid, const char *passwd, uint64_t now_ms,
                  uint32_t timeout_ms);

/* The socket to poll and the events wanted in *events, or -1 (events 0) when
 * there is none. */
int restart_fd(const struct restart_request *r, short *events);

/* Advances after poll() reported revents on restart_fd() (0: only the
 * deadline is checked; a guessed revents is safe, every call is
 * non-blocking).  Returns PENDING, or the final result, again on every later
 * call. */
enum restart_result restart_step(struct restart_request *r, short revents, uint64_t now_ms);

/* One line saying why the request failed, "" when it has not. */
const char *restart_error(const struct restart_request *r);

/* Milliseconds until restart_step() must be called again even without
 * socket events: its deadline or libcurl's next timer (0: now). */
uint64_t restart_wait_ms(const struct restart_request *r, uint64_t now_ms);

/* Whether the whole request went out (then the ECU may be rebooting even if
 * its answer is unclear). */
bool restart_sent(const struct restart_request *r);

/* Closes the socket; a request still pending ends FAILED.  Idempotent. */
void restart_close(struct restart_request *r);

const char *restart_result_name(enum restart_result result);

#endif
