// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/*
 * http.c - one HTTP exchange over libcurl's multi interface, driven by the
 * caller's tick: libcurl connects, sends and frames the answer (status line,
 * headers, Content-Length or close); we check, as its pieces arrive, that
 * the answer is plain HTTP/1.x, which libcurl is too lenient to say (it
 * reads "HTTP/1.1  200", "Content-Length: 11x" or a header without a name
 * as fine), and that it stays under the request's answer_max.
 */
#include "http.h"

#include "alloc.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One multi handle for the process (see http.h). */
static CURLM *multi;

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);

int http_global_open(void)
{
	if (multi != NULL) return 0;
	/* Plain HTTP only: no TLS library to set up. */
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) return -1;
	multi = curl_multi_init();
	if (multi == NULL || curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK) {
		http_global_close();
		return -1;
	}
	return 0;
}

void http_global_close(void)
{
	if (multi != NULL) curl_multi_cleanup(multi);
	multi = NULL;
	curl_global_cleanup();
}

/* Takes the exchange out of libcurl (closing its socket).  Never from inside
 * one of libcurl's callbacks: finish() only marks the exchange, and the next
 * call from outside releases it. */
static void release(struct http_exchange *x)
{
	if (x->easy != NULL) {
		curl_multi_remove_handle(multi, x->easy); /* closes its socket */
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	x->easy = NULL;
	x->headers = NULL;
	x->fd = -1;
	x->events = 0;
}

static void finish(struct http_exchange *x, enum http_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages are built only from our own words, numbers and libcurl's fixed
 * texts: never from the form or the server's bytes, which may echo it. */
static void finish(struct http_exchange *x, enum http_result result, const char *fmt, ...)
{
	if (x->state == HTTP_FINISHED) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->error, sizeof(x->error), fmt, ap);
	va_end(ap);
	if (x->wipe_form) explicit_bzero(x->form, sizeof(x->form));
	x->state = HTTP_FINISHED;
	x->result = result;
}

static bool printable(const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len == 0 || len > max) return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f) return false; /* no CR/LF: no header injection */
	}
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Strictly "HTTP/1.x NNN" followed by the end or " reason". Returns the
 * status, or -1. */
static int parse_status_line(const char *s, size_t len)
{
	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || !is_digit(s[7]) || s[8] != ' ') return -1;
	if (!is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11])) return -1;
	if (len > 12 && s[12] != ' ') return -1;
	int status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	return status >= 100 ? status : -1;
}

static bool header_is(const char *line, size_t name_len, const char *name)
{
	if (strlen(name) != name_len) return false;
	for (size_t i = 0; i < name_len; i++) {
		char a = line[i], b = name[i];
		if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
		if (a != b) return false;
	}
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Digits only, surrounding blanks allowed; anything over cap is -1 too. */
static long parse_length(const char *s, size_t len, size_t cap)
{
	size_t i = 0, end = len;
	while (i < end && is_space(s[i])) i++;
	while (end > i && is_space(s[end - 1])) end--;
	if (i == end) return -1;
	size_t value = 0;
	for (; i < end; i++) {
		if (!is_digit(s[i])) return -1;
		value = value * 10 + (size_t)(s[i] - '0');
		if (value > cap) return -1;
	}
	return (long)value;
}

/* One header line of the answer, as libcurl hands it over (with its line
 * end): the status line, the headers, the blank line.  Only a 200 is read
 * further: any other status ends the exchange at its status line (an
 * interim 1xx too: a request of HTTP/1.0 never asked for one).  Returns
 * false to stop the transfer (x finished). */
static bool check_header_line(struct http_exchange *x, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
	if (x->status == 0) {
		x->status = parse_status_line(line, len);
		if (x->status < 0) {
			x->status = 0;
			finish(x, HTTP_FAILED, "not an HTTP status line (%zu bytes)", len);
			return false;
		}
		if (x->status != 200) {
			finish(x, HTTP_STATUS, "HTTP status %d", x->status);
			return false;
		}
		return true;
	}
	if (len == 0) {
		x->headers_done = true;
		return true;
	}
	const char *colon = memchr(line, ':', len);
	if (colon == NULL || colon == line) {
		finish(x, HTTP_FAILED, "malformed header line (%zu bytes)", len);
		return false;
	}
	size_t name_len = (size_t)(colon - line);
	if (header_is(line, name_len, "Content-Length")) {
		long n = parse_length(colon + 1, len - name_len - 1, x->answer_max);
		if (n < 0 || (x->content_length >= 0 && n != x->content_length)) {
			finish(x, HTTP_FAILED, "bad or oversized Content-Length");
			return false;
		}
		x->content_length = n;
	} else if (header_is(line, name_len, "Transfer-Encoding")) {
		/* Not allowed in an answer to HTTP/1.0. */
		finish(x, HTTP_FAILED, "unexpected Transfer-Encoding");
		return false;
	}
	return true;
}

/* Counts what arrives against the bound; false (x finished) past it. */
static bool within_bound(struct http_exchange *x, size_t n)
{
	x->received += n;
	if (x->received <= x->answer_max) return true;
	finish(x, HTTP_TOO_LARGE, "answer longer than %zu bytes", x->answer_max);
	return false;
}

/* libcurl's callbacks: returning less than given stops the transfer. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_exchange *x = arg;
	(void)size; /* always 1 */
	return within_bound(x, n) && check_header_line(x, data, n) ? n : 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_exchange *x = arg;
	(void)size; /* always 1 */
	if (!within_bound(x, n)) return 0;
	/* received counts headers too, so the body always fits answer_max. */
	memcpy(x->body + x->body_len, data, n);
	x->body_len += n;
	return n;
}

/* Which socket libcurl wants watched, and for what. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)userp;
	(void)socketp;
	struct http_exchange *x = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL) return 0;
	x->fd = what == CURL_POLL_REMOVE ? -1 : fd;
	x->events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	if (x->events == POLLIN) x->sent = true; /* only the answer is awaited: all went out */
	if (x->state != HTTP_FINISHED && fd >= 0 && x->events == POLLIN) x->state = HTTP_RECEIVING;
	return 0;
}

/* The connection is up: the request goes out next. */
static int on_connected(void *arg, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                        int conn_local_port)
{
	(void)conn_primary_ip;
	(void)conn_local_ip;
	(void)conn_primary_port;
	(void)conn_local_port;
	struct http_exchange *x = arg;
	x->state = HTTP_SENDING;
	return CURL_PREREQFUNC_OK;
}

/* The URL of the page on addr: the address as digits, so that libcurl looks
 * nothing up (the caller has resolved it; Host says the name). */
static bool build_url(struct http_exchange *x, const struct sockaddr *addr, socklen_t addrlen, const char *path)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	const char *open = "", *close = "";
	if (addr->sa_family == AF_INET && addrlen >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		port = ntohs(in->sin_port);
	} else if (addr->sa_family == AF_INET6 && addrlen >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
		open = "[";
		close = "]";
	} else {
		return false;
	}
	int n = snprintf(x->url, sizeof(x->url), "http://%s%s%s:%u%s", open, ip, close, port, path);
	return n > 0 && (size_t)n < sizeof(x->url);
}

/* The request: HTTP/1.0, so that no server may answer chunked, and only the
 * headers the ECU's pages read (libcurl's Accept is dropped; it adds
 * Content-Length to a POST). */
static bool set_up(struct http_exchange *x, const struct http_request *req)
{
	static const char *const fixed[] = { "X-Requested-With: XMLHttpRequest", "Connection: close", "Accept:" };
	snprintf(x->host, sizeof(x->host), "Host: %s", req->host_header);
	struct curl_slist *list = curl_slist_append(NULL, x->host);
	for (size_t i = 0; list != NULL && i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct curl_slist *more = curl_slist_append(list, fixed[i]);
		if (more == NULL) curl_slist_free_all(list);
		list = more;
	}
	if (list != NULL && req->method == HTTP_POST_FORM) {
		struct curl_slist *more = curl_slist_append(list, "Content-Type: application/x-www-form-urlencoded");
		if (more == NULL) curl_slist_free_all(list);
		list = more;
	}
	x->headers = list;
	x->easy = curl_easy_init();
	if (list == NULL || x->easy == NULL) return false;
	CURL *e = x->easy;
	bool ok = curl_easy_setopt(e, CURLOPT_URL, x->url) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_0) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HTTPHEADER, list) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HEADERDATA, x) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEDATA, x) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_connected) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PREREQDATA, x) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PRIVATE, x) == CURLE_OK &&
	          /* One connection per exchange, never kept or shared. */
	          curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	          /* Our own deadline (http_step) ends the exchange on the caller's
	           * clock; libcurl's, a little later, is only a backstop: its
	           * timers fired up to 1 ms early on the caller's clock. */
	          curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)x->timeout_ms + 100L) == CURLE_OK;
	if (ok && req->method == HTTP_POST_FORM)
		ok = curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->form) == CURLE_OK &&
		     curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(x->form)) == CURLE_OK;
	return ok && curl_multi_add_handle(multi, e) == CURLM_OK;
}

static const char *phase_name(enum http_state state)
{
	switch (state) {
	case HTTP_CONNECTING: return "connecting";
	case HTTP_SENDING: return "sending the request";
	default: return "waiting for the answer";
	}
}

/* How the exchange ended, when libcurl says it has. */
static void ended(struct http_exchange *x, CURLcode code)
{
	long os_errno = 0;
	if (x->state == HTTP_FINISHED) return; /* our own check stopped it */
	if (code == CURLE_OK) {
		if (x->content_length >= 0 && x->body_len > (size_t)x->content_length)
			x->body_len = (size_t)x->content_length;
		if (x->status != 200) {
			finish(x, HTTP_FAILED, "connection closed before a status line");
			return;
		}
		x->body[x->body_len] = '\0';
		finish(x, HTTP_OK, "%s", "");
		return;
	}
	curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &os_errno);
	if (code == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED)
		finish(x, HTTP_REFUSED, "connect: %s", strerror((int)os_errno));
	else if (code == CURLE_OPERATION_TIMEDOUT)
		finish(x, HTTP_TIMEOUT, "timed out after %u ms %s", (unsigned)x->timeout_ms, phase_name(x->state));
	else if (x->status == 0 && x->sent)
		finish(x, HTTP_FAILED, "connection closed after %zu bytes, before a status line", x->received);
	else if (x->status != 0 && !x->headers_done)
		finish(x, HTTP_FAILED, "connection closed inside the headers");
	else if (code == CURLE_PARTIAL_FILE)
		finish(x, HTTP_FAILED, "connection closed after %zu of %ld body bytes", x->body_len, x->content_length);
	else
		finish(x, HTTP_FAILED, "%s %s", phase_name(x->state), curl_easy_strerror(code));
}

/* Lets libcurl act on fd (or on its timers), then collects whatever
 * exchanges it finished: each is noted in its own struct. */
static void drive(curl_socket_t fd, int mask)
{
	int running;
	curl_multi_socket_action(multi, fd, mask, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		struct http_exchange *x = NULL;
		if (msg->msg != CURLMSG_DONE) continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x != NULL) ended(x, msg->data.result);
	}
}

static void run_timers(void)
{
	long ms = -1;
	if (curl_multi_timeout(multi, &ms) == CURLM_OK && ms == 0) drive(CURL_SOCKET_TIMEOUT, 0);
}

static size_t clamp_answer(size_t n)
{
	return n < HTTP_ANSWER_MIN ? HTTP_ANSWER_MIN : n > HTTP_ANSWER_MAX ? HTTP_ANSWER_MAX : n;
}

int http_start(struct http_exchange *x, const struct sockaddr *addr, socklen_t addrlen,
               const struct http_request *req, uint64_t now_ms)
{
	http_close(x); /* an exchange started again: the old one goes */
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->content_length = -1;
	x->state = HTTP_CONNECTING;
	x->timeout_ms = req->timeout_ms;
	x->deadline_ms = now_ms > UINT64_MAX - req->timeout_ms ? UINT64_MAX : now_ms + req->timeout_ms;
	x->answer_max = clamp_answer(req->answer_max);
	x->wipe_form = req->form_is_secret;

	if (req->host_header == NULL || !printable(req->host_header, HTTP_HOST_MAX)) {
		finish(x, HTTP_FAILED, "bad Host header (1 to %d printable bytes, no spaces)", HTTP_HOST_MAX);
		return -1;
	}
	if (req->path == NULL || req->path[0] != '/' || !printable(req->path, HTTP_PATH_MAX)) {
		finish(x, HTTP_FAILED, "bad path (1 to %d printable bytes from '/')", HTTP_PATH_MAX);
		return -1;
	}
	if (req->method == HTTP_POST_FORM) {
		size_t len = req->form != NULL ? strlen(req->form) : 0;
		if (req->form == NULL || len >= sizeof(x->form)) {
			finish(x, HTTP_FAILED, "bad form (up to %d bytes)", HTTP_FORM_MAX - 1);
			return -1;
		}
		memcpy(x->form, req->form, len + 1);
	} else if (req->method != HTTP_GET || req->form != NULL) {
		finish(x, HTTP_FAILED, "a GET has no form");
		return -1;
	}
	if (!build_url(x, addr, addrlen, req->path)) {
		finish(x, HTTP_FAILED, "not an IPv4 or IPv6 address");
		return -1;
	}
	x->body = aps_calloc(1, x->answer_max + 1);
	if (x->body == NULL || http_global_open() != 0 || !set_up(x, req)) {
		/* An option refused: no memory, or a libcurl older than 7.85. */
		finish(x, HTTP_FAILED, "libcurl cannot set up the request (out of memory, or older than 7.85)");
		release(x);
		return -1;
	}
	/* libcurl starts the connection at its first timer: now. */
	run_timers();
	if (x->state != HTTP_FINISHED) return 0;
	release(x);
	return -1;
}

int http_fd(const struct http_exchange *x, short *events)
{
	bool open = x->state != HTTP_IDLE && x->state != HTTP_FINISHED && x->fd >= 0;
	*events = open ? x->events : 0;
	return open ? x->fd : -1;
}

enum http_result http_step(struct http_exchange *x, short revents, uint64_t now_ms)
{
	if (x->state == HTTP_IDLE) {
		finish(x, HTTP_FAILED, "http_step() before http_start()");
		return x->result;
	}
	if (x->state != HTTP_FINISHED && x->fd >= 0 && revents != 0) {
		/* revents may be a guess: libcurl asks the socket itself. */
		int mask = ((revents & POLLIN) ? CURL_CSELECT_IN : 0) | ((revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
		           ((revents & (POLLERR | POLLHUP)) ? CURL_CSELECT_ERR : 0);
		drive(x->fd, mask);
	}
	if (x->state != HTTP_FINISHED) run_timers();
	if (x->state != HTTP_FINISHED && now_ms >= x->deadline_ms)
		finish(x, HTTP_TIMEOUT, "timed out after %u ms %s", (unsigned)x->timeout_ms, phase_name(x->state));
	if (x->state != HTTP_FINISHED) return HTTP_PENDING;
	release(x);
	return x->result;
}

uint64_t http_wait_ms(const struct http_exchange *x, uint64_t now_ms)
{
	if (x->state == HTTP_IDLE || x->state == HTTP_FINISHED) return UINT64_MAX;
	uint64_t wait = x->deadline_ms > now_ms ? x->deadline_ms - now_ms : 0;
	long ms = -1;
	if (multi != NULL && curl_multi_timeout(multi, &ms) == CURLM_OK && ms >= 0 && (uint64_t)ms < wait)
		wait = (uint64_t)ms;
	return wait;
}

int http_status(const struct http_exchange *x)
{
	return x->status;
}

const char *http_body(const struct http_exchange *x, size_t *len)
{
	bool have = x->state == HTTP_FINISHED && x->result == HTTP_OK && x->body != NULL;
	if (len != NULL) *len = have ? x->body_len : 0;
	return have ? x->body : NULL;
}

bool http_sent(const struct http_exchange *x)
{
	return x->sent;
}

const char *http_error(const struct http_exchange *x)
{
	return x->state == HTTP_FINISHED ? x->error : "";
}

void http_close(struct http_exchange *x)
{
	if (x->state != HTTP_FINISHED && x->state != HTTP_IDLE)
		finish(x, HTTP_FAILED, "abandoned while %s", phase_name(x->state));
	if (x->state == HTTP_FINISHED) release(x);
	if (x->body != NULL) {
		explicit_bzero(x->body, x->body_len); /* an answer may echo the form */
		aps_free(x->body);
	}
	x->body = NULL;
	x->body_len = 0;
	x->fd = -1;
}

const char *http_result_name(enum http_result result)
{
	switch (result) {
	case HTTP_PENDING: return "pending";
	case HTTP_OK: return "ok";
	case HTTP_STATUS: return "http status";
	case HTTP_REFUSED: return "refused";
	case HTTP_TIMEOUT: return "timeout";
	case HTTP_TOO_LARGE: return "too large";
	case HTTP_FAILED: return "failed";
	}
	return "?";
}
