// SPDX-License-Identifier: MIT
/*
 * http.h - one HTTP exchange with an ECU's web pages (GET, or a form POST),
 * over libcurl's multi interface, driven by the caller's tick.
 *
 * Nothing here waits: the caller polls http_fd() and feeds what poll() said
 * to http_step() with its own clock in milliseconds, and asks http_wait_ms()
 * how long it may sleep.  Every request carries the header the ECU's pages
 * want (X-Requested-With: XMLHttpRequest), goes out as HTTP/1.0 on a fresh
 * connection that is closed afterwards, and is bounded in time (timeout_ms,
 * the whole exchange) and in size (answer_max, status line and headers
 * included).  The answer's buffer is allocated at http_start() and freed by
 * http_close(): an idle exchange holds no memory and no socket.
 *
 * One exchange at a time per ECU is the caller's rule; any number may run
 * at once in the process (they share one libcurl multi handle).
 * No logging: the caller logs http_error(), built only from our own words,
 * numbers and libcurl's fixed texts, never from the request's form (which
 * may hold a password) or the server's bytes.
 */
#ifndef APS_HTTP_H
#define APS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HTTP_HOST_MAX 255          /* Host header value, e.g. "192.168.1.20" or "[fe80::1]:8080" */
#define HTTP_PATH_MAX 96           /* "/index.php/..." */
#define HTTP_FORM_MAX 512          /* a form body, already encoded */
#define HTTP_ANSWER_MIN 256        /* answer_max is clamped to [HTTP_ANSWER_MIN, HTTP_ANSWER_MAX] */
#define HTTP_ANSWER_MAX (256 * 1024)
#define HTTP_ERROR_MAX 160

enum http_method {
	HTTP_GET,
	HTTP_POST_FORM, /* application/x-www-form-urlencoded */
};

enum http_result {
	HTTP_PENDING,
	HTTP_OK,        /* status 200; the body is in http_body() */
	HTTP_STATUS,    /* another status (404: the page is gone); http_status() says which; no body kept */
	HTTP_REFUSED,   /* connection refused: no web server on that port */
	HTTP_TIMEOUT,   /* timeout_ms passed (connecting, sending or waiting) */
	HTTP_TOO_LARGE, /* the answer passed answer_max bytes */
	HTTP_FAILED,    /* anything else: malformed answer, reset, closed early, no memory */
};

enum http_state {
	HTTP_IDLE,       /* zero-initialised: nothing started, no socket, no buffer */
	HTTP_CONNECTING, /* libcurl connects */
	HTTP_SENDING,
	HTTP_RECEIVING,
	HTTP_FINISHED,   /* result and error set; socket closed; body kept until http_close() */
};

/* Caller-owned; zero-initialise it before the first http_start().  The
 * fields are http.c's: read them through the functions below. */
struct http_exchange {
	enum http_state state;
	enum http_result result;
	uint64_t deadline_ms;
	uint32_t timeout_ms;
	void *easy;                  /* CURL *, while the exchange runs */
	void *headers;               /* struct curl_slist * */
	int fd;                      /* the socket libcurl asked us to watch, or -1 */
	short events;
	bool sent;                   /* the whole request went out */
	bool headers_done;
	bool wipe_form;              /* the form holds a secret: zeroed when done */
	int status;                  /* of the answer's status line; 0 before it */
	long content_length;         /* -1: none given */
	size_t received;             /* answer bytes, headers included */
	size_t answer_max;
	char *body;                  /* answer_max + 1 bytes from http_start() to http_close() */
	size_t body_len;
	char url[HTTP_PATH_MAX + 64]; /* http://[IPv6]:port/path */
	char host[HTTP_HOST_MAX + 8];
	char form[HTTP_FORM_MAX];
	char error[HTTP_ERROR_MAX];
};

/* libcurl's multi handle, shared by every exchange of the process: it holds
 * two descriptors (its wake-up pair) for as long as it is open.  Opened by
 * the first http_start() if not before; http_global_close() frees it (every
 * exchange must be closed first).  Returns 0, or -1 without memory. */
int http_global_open(void);
void http_global_close(void);

struct http_request {
	enum http_method method;
	const char *path;        /* "/index.php/...": printable ASCII, 1..HTTP_PATH_MAX bytes */
	const char *form;        /* HTTP_POST_FORM: the encoded body (may be ""); GET: NULL */
	bool form_is_secret;     /* zero the copy of the form as soon as it is not needed */
	const char *host_header; /* the Host value (bracket IPv6 literals), 1..HTTP_HOST_MAX printable bytes */
	size_t answer_max;       /* bound on the answer, headers included (clamped, see above) */
	uint32_t timeout_ms;     /* the whole exchange, from now_ms */
};

/* Starts the exchange with addr (IPv4 or IPv6, port set: the ECU's is 80).
 * Returns 0 (pending), or -1 when it already finished (bad argument, no
 * memory, refused at once): http_step() then returns the result. */
int http_start(struct http_exchange *x, const struct sockaddr *addr, socklen_t addrlen,
               const struct http_request *req, uint64_t now_ms);

/* The socket to poll and the events wanted in *events, or -1 (events 0) when
 * there is none right now (connecting may have none for a moment: then
 * http_wait_ms() says when to call again). */
int http_fd(const struct http_exchange *x, short *events);

/* Advances after poll() reported revents on http_fd() (0: only timers and
 * the deadline are checked; a guessed revents is safe, every call is
 * non-blocking).  Returns PENDING, or the final result, again on every later
 * call until http_close(). */
enum http_result http_step(struct http_exchange *x, short revents, uint64_t now_ms);

/* Milliseconds until http_step() must be called again even without socket
 * events: the deadline or libcurl's next timer (0: now).  UINT64_MAX when
 * idle or finished. */
uint64_t http_wait_ms(const struct http_exchange *x, uint64_t now_ms);

/* The answer's status (0 before its status line), its body (HTTP_OK only;
 * NUL-terminated, *len without the NUL; NULL otherwise), and one line saying
 * why it failed ("" when it has not). */
int http_status(const struct http_exchange *x);
const char *http_body(const struct http_exchange *x, size_t *len);
const char *http_error(const struct http_exchange *x);

/* Whether the whole request went out (a command may have been acted on even
 * if its answer never came). */
bool http_sent(const struct http_exchange *x);

/* Closes the socket and frees the answer; a pending exchange ends FAILED
 * ("abandoned").  Idempotent; the result and error stay readable, the body
 * does not.  Then http_start() may be called again. */
void http_close(struct http_exchange *x);

const char *http_result_name(enum http_result result);

#endif
