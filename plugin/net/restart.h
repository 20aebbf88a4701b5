/*
 * restart.h - restart an ECU-C / ECU-R-PRO (2162) through its web interface.
 *
 * Posting the ECU's own hotspot settings back to it makes it reboot:
 *   POST /index.php/management/set_wlan_ap
 *   SSID=<ssid>&channel=0&method=2&psk_wep=&psk_wpa=<passwd>
 * and a success answers {"value":0}.  Like conn.h, nothing here waits: the
 * caller polls restart_fd() and feeds the results to restart_step() from the
 * broker tick, with its own clock in milliseconds.  No allocation, no logging:
 * the caller logs restart_error(), which never holds the SSID or password.
 */
#ifndef APS_RESTART_H
#define APS_RESTART_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RESTART_SSID_MAX 32       /* 802.11 limit, bytes */
#define RESTART_PASSWD_MIN 8      /* WPA2: a shorter one would leave the hotspot open */
#define RESTART_PASSWD_MAX 63
#define RESTART_HOST_MAX 255      /* Host header value, e.g. "192.168.1.20" or "[fe80::1]:8080" */
#define RESTART_REQUEST_MAX 1024  /* fits the longest host, SSID and password, see restart.c */
#define RESTART_RESPONSE_MAX 4096 /* status line + headers + a small body; more is an error */

enum restart_result {
	RESTART_PENDING,
	RESTART_OK,        /* HTTP 200 and body {"value":0}: the ECU is rebooting */
	RESTART_REFUSED,   /* connection refused: no web server (or interface removed) */
	RESTART_NOT_FOUND, /* HTTP 404: a firmware update removed the interface */
	RESTART_FAILED,    /* anything else: other status or body, timeout, reset */
};

enum restart_state {
	RESTART_IDLE,       /* zero-initialised: nothing started, no socket */
	RESTART_CONNECTING, /* waiting for POLLOUT, then SO_ERROR */
	RESTART_SENDING,
	RESTART_RECEIVING,
	RESTART_FINISHED,   /* result and error[] set; socket closed */
};

/* Caller-owned; zero-initialise it before the first restart_start(). The
 * socket is open only while the state is CONNECTING, SENDING or RECEIVING. */
struct restart_request {
	int fd;
	enum restart_state state;
	enum restart_result result;
	uint64_t deadline_ms;
	uint32_t timeout_ms;
	char request[RESTART_REQUEST_MAX];
	size_t request_len;
	size_t sent;
	char response[RESTART_RESPONSE_MAX + 1]; /* one spare byte tells "too long" apart */
	size_t received;
	char error[160];
};

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

/* Closes the socket; a request still pending ends FAILED.  Idempotent. */
void restart_close(struct restart_request *r);

const char *restart_result_name(enum restart_result result);

#endif
