// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
/*
 * restart.c - the ECU restart request over libcurl's multi interface, driven
 * by the caller's tick: libcurl connects, sends and frames the answer (status
 * line, headers, Content-Length or close); we check, as its pieces arrive,
 * that the answer is the exact one the ECU's page gives, which libcurl is too
 * lenient to say (it reads "HTTP/1.1  200", "Content-Length: 11x" or a header
 * without a name as fine), and that it stays under RESTART_RESPONSE_MAX.
 */
#include "restart.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SET_WLAN_AP_PATH "/index.php/management/set_wlan_ap"
#define BODY_FORMAT "SSID=%s&channel=0&method=2&psk_wep=&psk_wpa=%s"

/* Percent-encoding at most triples a byte; the format's own "%s" bytes make
 * this a little generous, which is the safe side. */
_Static_assert(sizeof(BODY_FORMAT) + 3 * (RESTART_SSID_MAX + RESTART_PASSWD_MAX) <= RESTART_BODY_MAX,
               "RESTART_BODY_MAX too small for the longest form");

/* One multi handle for the process (see restart.h). */
static CURLM *multi;

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);

int restart_http_open(void)
{
	if (multi != NULL) return 0;
	/* Plain HTTP only: no TLS library to set up. */
	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK) return -1;
	multi = curl_multi_init();
	if (multi == NULL || curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK) {
		restart_http_close();
		return -1;
	}
	return 0;
}

void restart_http_close(void)
{
	if (multi != NULL) curl_multi_cleanup(multi);
	multi = NULL;
	curl_global_cleanup();
}

/* Takes the request out of libcurl (closing its socket).  Never from inside
 * one of libcurl's callbacks: finish() only marks the request, and the next
 * call from outside releases it. */
static void release(struct restart_request *r)
{
	if (r->easy != NULL) {
		curl_multi_remove_handle(multi, r->easy); /* closes its socket */
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->headers);
	r->easy = NULL;
	r->headers = NULL;
	r->fd = -1;
	r->events = 0;
}

static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages are built only from our own words, numbers and libcurl's fixed
 * texts: never from the SSID, the password or the server's bytes, which may
 * echo them. */
static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
{
	if (r->state == RESTART_FINISHED) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	explicit_bzero(r->body, sizeof(r->body)); /* it holds the password */
	r->state = RESTART_FINISHED;
	r->result = result;
}

/* application/x-www-form-urlencoded: space is '+', letters, digits and "-._"
 * stay, every other byte (UTF-8 included) becomes %XX. */
static size_t form_encode(char *out, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_') {
			out[n++] = (char)c;
		} else if (c == ' ') {
			out[n++] = '+';
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0x0f];
		}
	}
	out[n] = '\0';
	return n;
}

static bool host_header_ok(const char *host)
{
	size_t len = strlen(host);
	if (len == 0 || len > RESTART_HOST_MAX) return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
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

static bool skip_literal(const char *s, size_t len, size_t *pos, const char *lit)
{
	while (*pos < len && is_space(s[*pos])) (*pos)++;
	size_t n = strlen(lit);
	if (len - *pos < n || memcmp(s + *pos, lit, n) != 0) return false;
	*pos += n;
	return true;
}

/* The answer must be {"value":N}, blanks anywhere between tokens. */
static void check_body(struct restart_request *r, const char *s, size_t len)
{
	size_t pos = 0;
	long value = 0;
	int digits = 0;
	bool negative = false;
	if (!skip_literal(s, len, &pos, "{") || !skip_literal(s, len, &pos, "\"value\"") ||
	    !skip_literal(s, len, &pos, ":"))
		goto bad;
	while (pos < len && is_space(s[pos])) pos++;
	if (pos < len && s[pos] == '-') {
		negative = true;
		pos++;
	}
	for (; pos < len && is_digit(s[pos]) && digits < 9; pos++, digits++)
		value = value * 10 + (s[pos] - '0');
	if (digits == 0 || !skip_literal(s, len, &pos, "}")) goto bad;
	while (pos < len && is_space(s[pos])) pos++;
	if (pos != len) goto bad;
	if (value == 0) {
		finish(r, RESTART_OK, "%s", "");
	} else {
		finish(r, RESTART_FAILED, "the ECU refused the settings: {\"value\":%ld}",
		       negative ? -value : value);
	}
	return;
bad:
	finish(r, RESTART_FAILED, "HTTP 200 but the body (%zu bytes) is not {\"value\":N}", len);
}

/* One header line of the answer, as libcurl hands it over (with its line
 * end): the status line, the headers, the blank line; again for each
 * interim answer.  Returns false to stop the transfer (r finished). */
static bool check_header_line(struct restart_request *r, const char *line, size_t len)
{
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
	if (r->status == 0) {
		r->status = parse_status_line(line, len);
		if (r->status < 0) {
			finish(r, RESTART_FAILED, "not an HTTP status line (%zu bytes)", len);
			return false;
		}
		if (r->status == 404) {
			finish(r, RESTART_NOT_FOUND, "HTTP status 404: no restart interface (removed by a firmware update?)");
			return false;
		}
		if (r->status != 200) {
			finish(r, RESTART_FAILED, "HTTP status %d", r->status);
			return false;
		}
		return true;
	}
	if (len == 0) {
		r->headers_done = true;
		return true;
	}
	const char *colon = memchr(line, ':', len);
	if (colon == NULL || colon == line) {
		finish(r, RESTART_FAILED, "malformed header line (%zu bytes)", len);
		return false;
	}
	size_t name_len = (size_t)(colon - line);
	if (header_is(line, name_len, "Content-Length")) {
		long n = parse_length(colon + 1, len - name_len - 1, RESTART_RESPONSE_MAX);
		if (n < 0 || (r->content_length >= 0 && n != r->content_length)) {
			finish(r, RESTART_FAILED, "bad or oversized Content-Length");
			return false;
		}
		r->content_length = n;
	} else if (header_is(line, name_len, "Transfer-Encoding")) {
		/* Not allowed in an answer to HTTP/1.0. */
		finish(r, RESTART_FAILED, "unexpected Transfer-Encoding");
		return false;
	}
	return true;
}

/* Counts what arrives against the cap; false (r finished) past it. */
static bool within_cap(struct restart_request *r, size_t n)
{
	r->received += n;
	if (r->received <= RESTART_RESPONSE_MAX) return true;
	finish(r, RESTART_FAILED, "answer longer than %d bytes", RESTART_RESPONSE_MAX);
	return false;
}

/* libcurl's callbacks: returning less than given stops the transfer. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct restart_request *r = arg;
	(void)size; /* always 1 */
	return within_cap(r, n) && check_header_line(r, data, n) ? n : 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct restart_request *r = arg;
	(void)size; /* always 1 */
	if (!within_cap(r, n)) return 0;
	memcpy(r->response + r->body_len, data, n);
	r->body_len += n;
	return n;
}

/* Which socket libcurl wants watched, and for what. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)userp;
	(void)socketp;
	struct restart_request *r = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	if (r == NULL) return 0;
	r->fd = what == CURL_POLL_REMOVE ? -1 : fd;
	r->events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	if (r->events == POLLIN) r->sent = true; /* only the answer is awaited: all went out */
	if (r->state != RESTART_FINISHED && fd >= 0)
		r->state = r->events == POLLIN ? RESTART_RECEIVING : r->state;
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
	struct restart_request *r = arg;
	r->state = RESTART_SENDING;
	return CURL_PREREQFUNC_OK;
}

/* The URL of the page on addr: the address as digits, so that libcurl looks
 * nothing up (the caller has resolved it; Host says the name). */
static bool build_url(struct restart_request *r, const struct sockaddr *addr)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	const char *open = "", *close = "";
	if (addr->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		port = ntohs(in->sin_port);
	} else if (addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
		open = "[";
		close = "]";
	} else {
		return false;
	}
	int n = snprintf(r->url, sizeof(r->url), "http://%s%s%s:%u" SET_WLAN_AP_PATH, open, ip, close, port);
	return n > 0 && (size_t)n < sizeof(r->url);
}

/* The request: HTTP/1.0, so that no server may answer chunked, and only
 * the headers the ECU's page reads (libcurl's Accept is dropped; it adds
 * Content-Length). */
static bool set_up(struct restart_request *r, const char *host_header, uint32_t timeout_ms)
{
	static const char *const fixed[] = { "X-Requested-With: XMLHttpRequest",
		                             "Content-Type: application/x-www-form-urlencoded",
		                             "Connection: close", "Accept:" };
	snprintf(r->host, sizeof(r->host), "Host: %s", host_header);
	struct curl_slist *list = curl_slist_append(NULL, r->host);
	for (size_t i = 0; list != NULL && i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct curl_slist *more = curl_slist_append(list, fixed[i]);
		if (more == NULL) curl_slist_free_all(list);
		list = more;
	}
	r->headers = list;
	r->easy = curl_easy_init();
	if (list == NULL || r->easy == NULL) return false;
	CURL *e = r->easy;
	bool ok = curl_easy_setopt(e, CURLOPT_URL, r->url) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http") == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_0) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HTTPHEADER, list) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body)) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_HEADERDATA, r) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_connected) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PREREQDATA, r) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK &&
	          /* One connection per request, never kept or shared. */
	          curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	          curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms) == CURLE_OK;
	return ok && curl_multi_add_handle(multi, e) == CURLM_OK;
}

static const char *phase_name(enum restart_state state)
{
	switch (state) {
	case RESTART_CONNECTING: return "connecting";
	case RESTART_SENDING: return "sending the request";
	default: return "waiting for the answer";
	}
}

/* How the exchange ended, when libcurl says it has. */
static void ended(struct restart_request *r, CURLcode code)
{
	long os_errno = 0;
	if (r->state == RESTART_FINISHED) return; /* our own check stopped it */
	if (code == CURLE_OK) {
		if (r->status == 200 && r->content_length >= 0 && r->body_len > (size_t)r->content_length)
			r->body_len = (size_t)r->content_length;
		check_body(r, r->response, r->body_len);
		return;
	}
	curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
	if (code == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED)
		finish(r, RESTART_REFUSED, "connect: %s", strerror((int)os_errno));
	else if (code == CURLE_OPERATION_TIMEDOUT)
		finish(r, RESTART_FAILED, "timed out after %u ms %s", (unsigned)r->timeout_ms, phase_name(r->state));
	else if (r->status == 0 && r->sent)
		finish(r, RESTART_FAILED, "connection closed after %zu bytes, before a status line", r->received);
	else if (r->status != 0 && !r->headers_done)
		finish(r, RESTART_FAILED, "connection closed inside the headers");
	else if (code == CURLE_PARTIAL_FILE)
		finish(r, RESTART_FAILED, "connection closed after %zu of %ld body bytes", r->body_len, r->content_length);
	else
		finish(r, RESTART_FAILED, "%s %s", phase_name(r->state), curl_easy_strerror(code));
}

/* Lets libcurl act on fd (or on its timers), then collects whatever
 * exchanges it finished: each is noted in its own request. */
static void drive(curl_socket_t fd, int mask)
{
	int running;
	curl_multi_socket_action(multi, fd, mask, &running);
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		struct restart_request *r = NULL;
		if (msg->msg != CURLMSG_DONE) continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r != NULL) ended(r, msg->data.result);
	}
}

static void run_timers(void)
{
	long ms = -1;
	if (curl_multi_timeout(multi, &ms) == CURLM_OK && ms == 0) drive(CURL_SOCKET_TIMEOUT, 0);
}

int restart_start(struct restart_request *r, const struct sockaddr *addr, socklen_t addrlen,
                  const char *host_header, const char *ssid, const char *passwd, uint64_t now_ms,
                  uint32_t timeout_ms)
{
	(void)addrlen;
	if (r->state != RESTART_IDLE) release(r); /* a request started again: the old one goes */
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->content_length = -1;
	r->state = RESTART_CONNECTING;
	r->timeout_ms = timeout_ms;
	r->deadline_ms = now_ms > UINT64_MAX - timeout_ms ? UINT64_MAX : now_ms + timeout_ms;

	if (host_header == NULL || !host_header_ok(host_header)) {
		finish(r, RESTART_FAILED, "bad Host header (1 to %d printable bytes, no spaces)", RESTART_HOST_MAX);
		return -1;
	}
	size_t ssid_len = ssid != NULL ? strlen(ssid) : 0;
	if (ssid_len == 0 || ssid_len > RESTART_SSID_MAX) {
		finish(r, RESTART_FAILED, "the SSID must have 1 to %d bytes", RESTART_SSID_MAX);
		return -1;
	}
	size_t passwd_len = passwd != NULL ? strlen(passwd) : 0;
	if (passwd_len < RESTART_PASSWD_MIN || passwd_len > RESTART_PASSWD_MAX) {
		finish(r, RESTART_FAILED, "the password must have %d to %d bytes", RESTART_PASSWD_MIN,
		       RESTART_PASSWD_MAX);
		return -1;
	}
	char ssid_enc[3 * RESTART_SSID_MAX + 1];
	char passwd_enc[3 * RESTART_PASSWD_MAX + 1];
	form_encode(ssid_enc, ssid);
	form_encode(passwd_enc, passwd);
	snprintf(r->body, sizeof(r->body), BODY_FORMAT, ssid_enc, passwd_enc);
	explicit_bzero(passwd_enc, sizeof(passwd_enc)); /* not left on the stack */
	if (!build_url(r, addr)) {
		finish(r, RESTART_FAILED, "not an IPv4 or IPv6 address");
		return -1;
	}
	if (restart_http_open() != 0 || !set_up(r, host_header, timeout_ms)) {
		/* An option refused: no memory, or a libcurl older than 7.85. */
		finish(r, RESTART_FAILED, "libcurl cannot set up the request (out of memory, or older than 7.85)");
		release(r);
		return -1;
	}
	/* libcurl starts the connection at its first timer: now. */
	run_timers();
	if (r->state != RESTART_FINISHED) return 0;
	release(r);
	return -1;
}

int restart_fd(const struct restart_request *r, short *events)
{
	bool open = r->state != RESTART_IDLE && r->state != RESTART_FINISHED && r->fd >= 0;
	*events = open ? r->events : 0;
	return open ? r->fd : -1;
}

enum restart_result restart_step(struct restart_request *r, short revents, uint64_t now_ms)
{
	if (r->state == RESTART_IDLE) {
		finish(r, RESTART_FAILED, "restart_step() before restart_start()");
		return r->result;
	}
	if (r->state != RESTART_FINISHED && r->fd >= 0 && revents != 0) {
		/* revents may be a guess: libcurl asks the socket itself. */
		int mask = ((revents & POLLIN) ? CURL_CSELECT_IN : 0) | ((revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
		           ((revents & (POLLERR | POLLHUP)) ? CURL_CSELECT_ERR : 0);
		drive(r->fd, mask);
	}
	if (r->state != RESTART_FINISHED) run_timers();
	if (r->state != RESTART_FINISHED && now_ms >= r->deadline_ms)
		finish(r, RESTART_FAILED, "timed out after %u ms %s", (unsigned)r->timeout_ms, phase_name(r->state));
	if (r->state != RESTART_FINISHED) return RESTART_PENDING;
	release(r);
	return r->result;
}

uint64_t restart_wait_ms(const struct restart_request *r, uint64_t now_ms)
{
	if (r->state == RESTART_IDLE || r->state == RESTART_FINISHED) return UINT64_MAX;
	uint64_t wait = r->deadline_ms > now_ms ? r->deadline_ms - now_ms : 0;
	long ms = -1;
	if (multi != NULL && curl_multi_timeout(multi, &ms) == CURLM_OK && ms >= 0 && (uint64_t)ms < wait)
		wait = (uint64_t)ms;
	return wait;
}

bool restart_sent(const struct restart_request *r)
{
	return r->sent;
}

const char *restart_error(const struct restart_request *r)
{
	return r->state == RESTART_FINISHED ? r->error : "";
}

void restart_close(struct restart_request *r)
{
	if (r->state != RESTART_FINISHED && r->state != RESTART_IDLE)
		finish(r, RESTART_FAILED, "abandoned while %s", phase_name(r->state));
	if (r->state == RESTART_FINISHED) release(r);
	r->fd = -1;
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
