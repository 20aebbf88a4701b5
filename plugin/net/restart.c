#define _DEFAULT_SOURCE
#include "restart.h"

#include "nbsock.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SET_WLAN_AP_PATH "/index.php/management/set_wlan_ap"
#define BODY_FORMAT "SSID=%s&channel=0&method=2&psk_wep=&psk_wpa=%s"

/* HTTP/1.0 so that no server may answer chunked: the body then simply ends
 * where Content-Length says, or at the close. */
#define REQUEST_FORMAT                                           \
	"POST " SET_WLAN_AP_PATH " HTTP/1.0\r\n"                 \
	"Host: %s\r\n"                                           \
	"X-Requested-With: XMLHttpRequest\r\n"                   \
	"Content-Type: application/x-www-form-urlencoded\r\n"    \
	"Content-Length: %zu\r\n"                                \
	"Connection: close\r\n"                                  \
	"\r\n"                                                   \
	"%s"

/* Percent-encoding at most triples a byte; the formats' own "%s" bytes make
 * these sums a little generous, which is the safe side. */
#define BODY_MAX (sizeof(BODY_FORMAT) + 3 * (RESTART_SSID_MAX + RESTART_PASSWD_MAX))
_Static_assert(sizeof(REQUEST_FORMAT) + RESTART_HOST_MAX + 20 + BODY_MAX <= RESTART_REQUEST_MAX,
               "RESTART_REQUEST_MAX too small for the longest request");

static void close_socket(struct restart_request *r)
{
	if (r->state == RESTART_CONNECTING || r->state == RESTART_SENDING ||
	    r->state == RESTART_RECEIVING) {
		close(r->fd);
	}
	r->fd = -1;
}

static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Messages are built only from our own words, numbers and strerror(): never
 * from the SSID, the password or the server's bytes, which may echo them. */
static void finish(struct restart_request *r, enum restart_result result, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	close_socket(r);
	explicit_bzero(r->request, sizeof(r->request)); /* it holds the password */
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

static int build_request(struct restart_request *r, const char *host, const char *ssid,
                         const char *passwd)
{
	char ssid_enc[3 * RESTART_SSID_MAX + 1];
	char passwd_enc[3 * RESTART_PASSWD_MAX + 1];
	char body[BODY_MAX];

	form_encode(ssid_enc, ssid);
	form_encode(passwd_enc, passwd);
	int body_len = snprintf(body, sizeof(body), BODY_FORMAT, ssid_enc, passwd_enc);
	int len = -1;
	if (body_len >= 0 && (size_t)body_len < sizeof(body))
		len = snprintf(r->request, sizeof(r->request), REQUEST_FORMAT, host, (size_t)body_len,
		               body);
	/* The encoded password sat on the stack: do not leave it there. */
	explicit_bzero(passwd_enc, sizeof(passwd_enc));
	explicit_bzero(body, sizeof(body));
	if (len < 0 || (size_t)len >= sizeof(r->request)) return -1;
	r->request_len = (size_t)len;
	return 0;
}

int restart_start(struct restart_request *r, const struct sockaddr *addr, socklen_t addrlen,
                  const char *host_header, const char *ssid, const char *passwd, uint64_t now_ms,
                  uint32_t timeout_ms)
{
	close_socket(r);
	r->state = RESTART_IDLE;
	r->result = RESTART_PENDING;
	r->timeout_ms = timeout_ms;
	r->deadline_ms = now_ms > UINT64_MAX - timeout_ms ? UINT64_MAX : now_ms + timeout_ms;
	r->request_len = 0;
	r->sent = 0;
	r->received = 0;
	r->error[0] = '\0';

	if (host_header == NULL || !host_header_ok(host_header)) {
		finish(r, RESTART_FAILED, "bad Host header (1 to %d printable bytes, no spaces)",
		       RESTART_HOST_MAX);
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
	if (build_request(r, host_header, ssid, passwd) < 0) {
		finish(r, RESTART_FAILED, "request does not fit %d bytes", RESTART_REQUEST_MAX);
		return -1;
	}

	int connected;
	r->fd = nbsock_connect(addr, addrlen, &connected);
	if (r->fd < 0) {
		int err = errno;
		finish(r, err == ECONNREFUSED ? RESTART_REFUSED : RESTART_FAILED, "connect: %s", strerror(err));
		return -1;
	}
	r->state = connected ? RESTART_SENDING : RESTART_CONNECTING;
	return 0;
}

int restart_fd(const struct restart_request *r, short *events)
{
	switch (r->state) {
	case RESTART_CONNECTING:
	case RESTART_SENDING:
		*events = POLLOUT;
		return r->fd;
	case RESTART_RECEIVING:
		*events = POLLIN;
		return r->fd;
	default:
		*events = 0;
		return -1;
	}
}

static void finish_connect(struct restart_request *r)
{
	/* revents may be a guess: the socket decides. */
	int soerr = nbsock_connect_result(r->fd);
	if (soerr < 0) return;
	if (soerr == ECONNREFUSED) {
		finish(r, RESTART_REFUSED, "connect: %s", strerror(soerr));
	} else if (soerr != 0) {
		finish(r, RESTART_FAILED, "connect: %s", strerror(soerr));
	} else {
		r->state = RESTART_SENDING;
	}
}

static void send_some(struct restart_request *r)
{
	int rc = nbsock_send(r->fd, r->request, r->request_len, &r->sent);
	if (rc == 0) r->state = RESTART_RECEIVING;
	else if (rc != 1)
		finish(r, RESTART_FAILED, "send after %zu of %zu bytes: %s", r->sent, r->request_len, strerror(rc));
}

/* The line starting at pos: sets *line_len (without "\r\n" or "\n") and
 * returns the offset after it, or 0 when its end has not arrived yet. */
static size_t next_line(const char *buf, size_t len, size_t pos, size_t *line_len)
{
	const char *nl = pos < len ? memchr(buf + pos, '\n', len - pos) : NULL;
	if (nl == NULL) return 0;
	size_t end = (size_t)(nl - buf);
	*line_len = end - pos;
	if (*line_len > 0 && buf[end - 1] == '\r') (*line_len)--;
	return end + 1;
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

/* Looks at everything received so far; eof: the server has closed.  Finishes
 * the request when the answer is complete or cannot become valid. */
static void examine_response(struct restart_request *r, bool eof)
{
	const char *buf = r->response;
	size_t len = r->received, line_len = 0;

	size_t pos = next_line(buf, len, 0, &line_len);
	if (pos == 0) {
		if (eof)
			finish(r, RESTART_FAILED, "connection closed after %zu bytes, before a status line",
			       len);
		return;
	}
	int status = parse_status_line(buf, line_len);
	if (status < 0) {
		finish(r, RESTART_FAILED, "not an HTTP status line (%zu bytes)", line_len);
		return;
	}
	if (status == 404) {
		finish(r, RESTART_NOT_FOUND,
		       "HTTP status 404: no restart interface (removed by a firmware update?)");
		return;
	}
	if (status != 200) {
		finish(r, RESTART_FAILED, "HTTP status %d", status);
		return;
	}

	long content_length = -1;
	for (;;) {
		size_t next = next_line(buf, len, pos, &line_len);
		if (next == 0) {
			if (eof) finish(r, RESTART_FAILED, "connection closed inside the headers");
			return;
		}
		const char *line = buf + pos;
		pos = next;
		if (line_len == 0) break; /* the blank line: the body follows */
		const char *colon = memchr(line, ':', line_len);
		if (colon == NULL || colon == line) {
			finish(r, RESTART_FAILED, "malformed header line (%zu bytes)", line_len);
			return;
		}
		size_t name_len = (size_t)(colon - line);
		const char *value = colon + 1;
		size_t value_len = line_len - name_len - 1;
		if (header_is(line, name_len, "Content-Length")) {
			long n = parse_length(value, value_len, RESTART_RESPONSE_MAX);
			if (n < 0 || (content_length >= 0 && n != content_length)) {
				finish(r, RESTART_FAILED, "bad or oversized Content-Length");
				return;
			}
			content_length = n;
		} else if (header_is(line, name_len, "Transfer-Encoding")) {
			/* Not allowed in an answer to HTTP/1.0; we would misread the body. */
			finish(r, RESTART_FAILED, "unexpected Transfer-Encoding");
			return;
		}
	}

	size_t body_len = len - pos;
	if (content_length >= 0) {
		if (body_len >= (size_t)content_length) {
			check_body(r, buf + pos, (size_t)content_length);
		} else if (eof) {
			finish(r, RESTART_FAILED, "connection closed after %zu of %ld body bytes", body_len,
			       content_length);
		}
	} else if (eof) {
		check_body(r, buf + pos, body_len);
	}
}

static void receive_some(struct restart_request *r)
{
	while (r->state == RESTART_RECEIVING) {
		/* The spare byte in response[] lets a reply of exactly the cap
		 * still be read whole, and anything longer be caught. */
		size_t want = sizeof(r->response) - r->received;
		ssize_t n = recv(r->fd, r->response + r->received, want, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR) continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) return;
			finish(r, RESTART_FAILED, "recv after %zu bytes: %s", r->received, strerror(errno));
			return;
		}
		if (n == 0) {
			examine_response(r, true);
			return;
		}
		r->received += (size_t)n;
		if (r->received > RESTART_RESPONSE_MAX) {
			finish(r, RESTART_FAILED, "answer longer than %d bytes", RESTART_RESPONSE_MAX);
			return;
		}
		examine_response(r, false);
	}
}

static const char *phase_name(enum restart_state state)
{
	switch (state) {
	case RESTART_CONNECTING: return "connecting";
	case RESTART_SENDING: return "sending the request";
	default: return "waiting for the answer";
	}
}

enum restart_result restart_step(struct restart_request *r, short revents, uint64_t now_ms)
{
	if (r->state == RESTART_IDLE) {
		finish(r, RESTART_FAILED, "restart_step() before restart_start()");
		return r->result;
	}
	if (revents != 0) {
		if (r->state == RESTART_CONNECTING) finish_connect(r);
		if (r->state == RESTART_SENDING) send_some(r);
		/* The answer may already be there; if not, recv says EAGAIN. */
		if (r->state == RESTART_RECEIVING) receive_some(r);
	}
	if (r->state != RESTART_FINISHED && now_ms >= r->deadline_ms) {
		finish(r, RESTART_FAILED, "timed out after %u ms %s", (unsigned)r->timeout_ms,
		       phase_name(r->state));
	}
	return r->state == RESTART_FINISHED ? r->result : RESTART_PENDING;
}

const char *restart_error(const struct restart_request *r)
{
	return r->state == RESTART_FINISHED ? r->error : "";
}

void restart_close(struct restart_request *r)
{
	if (r->state == RESTART_FINISHED || r->state == RESTART_IDLE) {
		r->fd = -1;
		return;
	}
	finish(r, RESTART_FAILED, "abandoned while %s", phase_name(r->state));
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
