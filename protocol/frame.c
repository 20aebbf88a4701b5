// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

/* Smallest whole reply per command, END included.  ECU info: header, id,
 * layout and the three u32 counters (up to offset 39), then END.  Inverters:
 * the 16-byte status-only reply a replaced ECU sends must still frame, so the
 * parser, not the framer, rejects it.  Signal: header, status, END. */
#define MIN_ECU_INFO 43
#define MIN_INVERTERS 16
#define MIN_SIGNAL 19

static size_t min_length(enum aps_command cmd)
{
	switch (cmd) {
	case APS_CMD_ECU_INFO: return MIN_ECU_INFO;
	case APS_CMD_INVERTERS: return MIN_INVERTERS;
	case APS_CMD_SIGNAL: return MIN_SIGNAL;
	}
	return 0;
}

/* Index of the first byte in [from, to) that is not an ASCII digit, or to. */
static size_t first_non_digit(const uint8_t *buf, size_t from, size_t to)
{
	while (from < to && buf[from] >= '0' && buf[from] <= '9') from++;
	return from;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The status-02 reply of a freshly replaced ECU has no END; the inverter
 * parser reports it as "no data", so framing must let it through. */
static bool has_end_trailer(const uint8_t *buf, enum aps_command cmd)
{
	if (cmd == APS_CMD_INVERTERS && memcmp(buf + APS_HEADER_LEN, "00", 2) != 0) return false;
	return true;
}

long aps_frame_check(const uint8_t *buf, size_t len, enum aps_command cmd, struct aps_error *err)
{
	const char *code = aps_command_code(cmd);
	char q[APS_QUOTE_MAX];
	size_t have, bad;

	aps_clear_error(err);
	if (!code) return aps_fail(err, APS_E_ARG, 0, "unknown command %d", (int)cmd);
	if (!buf) {
		if (len == 0) return 0;
		return aps_fail(err, APS_E_ARG, 0, "no buffer for %zu bytes", len);
	}

	/* Judge every prefix as soon as it arrives, so garbage is rejected
	 * without waiting for bytes that may never come. */
	have = min_size(len, 3);
	if (memcmp(buf, "APS", have) != 0) {
		return aps_fail(err, APS_E_SIGNATURE, 0, "signature '%s' is not 'APS'",
				aps_quote(buf, have, q));
	}
	bad = first_non_digit(buf, APS_OFF_VERSION, min_size(len, APS_OFF_LENGTH));
	if (bad < min_size(len, APS_OFF_LENGTH)) {
		return aps_fail(err, APS_E_VERSION, bad, "version at offset 3 is not two digits: '%s'",
				aps_quote(buf + APS_OFF_VERSION, bad + 1 - APS_OFF_VERSION, q));
	}
	bad = first_non_digit(buf, APS_OFF_LENGTH, min_size(len, APS_OFF_COMMAND));
	if (bad < min_size(len, APS_OFF_COMMAND)) {
		return aps_fail(err, APS_E_LENGTH_FIELD, bad, "length field at offset 5 is not four digits: '%s'",
				aps_quote(buf + APS_OFF_LENGTH, bad + 1 - APS_OFF_LENGTH, q));
	}
	have = min_size(len, APS_HEADER_LEN);
	if (have > APS_OFF_COMMAND && memcmp(buf + APS_OFF_COMMAND, code, have - APS_OFF_COMMAND) != 0) {
		return aps_fail(err, APS_E_COMMAND, APS_OFF_COMMAND, "command '%s' at offset 9, expected '%s'",
				aps_quote(buf + APS_OFF_COMMAND, have - APS_OFF_COMMAND, q), code);
	}
	if (len < APS_OFF_COMMAND) return 0;

	size_t n = aps_frame_length(buf, len);
	if (n < min_length(cmd)) {
		return aps_fail(err, APS_E_TOO_SHORT, APS_OFF_LENGTH,
				"length field says %zu bytes; a %s reply has at least %zu", n, code,
				min_length(cmd));
	}
	if (n > APS_REPLY_MAX) {
		return aps_fail(err, APS_E_TOO_LONG, APS_OFF_LENGTH, "length field says %zu bytes, limit is %d",
				n, APS_REPLY_MAX);
	}
	if (len < n) return 0;

	if (has_end_trailer(buf, cmd) && memcmp(buf + n - APS_END_LEN, "END\n", APS_END_LEN) != 0) {
		return aps_fail(err, APS_E_NO_END, n - APS_END_LEN, "frame of %zu bytes ends with '%s', not 'END\\n'",
				n, aps_quote(buf + n - APS_END_LEN, APS_END_LEN, q));
	}
	return (long)n;
}

size_t aps_frame_length(const uint8_t *buf, size_t len)
{
	if (buf == NULL || len < APS_OFF_COMMAND || !aps_is_digits(buf + APS_OFF_LENGTH, 4)) return 0;
	/* The length field counts every byte but the final '\n'. */
	return (size_t)aps_decimal(buf + APS_OFF_LENGTH, 4) + 1;
}

long aps_whole_reply(const uint8_t *buf, size_t len, enum aps_command cmd, struct aps_error *err)
{
	long n = aps_frame_check(buf, len, cmd, err);

	if (n < 0) return n;
	if (n == 0) {
		if (len < APS_OFF_COMMAND) {
			return aps_fail(err, APS_E_TOO_SHORT, len,
					"reply truncated: %zu bytes, length field incomplete", len);
		}
		return aps_fail(err, APS_E_TOO_SHORT, len, "reply truncated: %zu of %lu bytes", len,
				(unsigned long)aps_decimal(buf + APS_OFF_LENGTH, 4) + 1);
	}
	if ((size_t)n != len) {
		return aps_fail(err, APS_E_TOO_LONG, (size_t)n,
				"reply has %zu bytes, its length field says %ld", len, n);
	}
	return n;
}

const char *aps_strerror(int code)
{
	static const char *const names[APS_E_COUNT] = {
		[APS_OK] = "success",
		[APS_E_ARG] = "bad argument",
		[APS_E_SIGNATURE] = "bad signature",
		[APS_E_VERSION] = "bad version",
		[APS_E_LENGTH_FIELD] = "bad length field",
		[APS_E_TOO_SHORT] = "truncated reply",
		[APS_E_TOO_LONG] = "reply too long",
		[APS_E_COMMAND] = "wrong command",
		[APS_E_NO_END] = "no END trailer",
		[APS_E_NO_DATA] = "no data",
		[APS_E_ECU_ID] = "bad ECU id",
		[APS_E_LAYOUT] = "unknown layout",
		[APS_E_TIMESTAMP] = "bad timestamp",
		[APS_E_FIELD] = "bad field",
		[APS_E_RECORDS] = "records do not fit",
		[APS_E_CAPACITY] = "too many records",
		[APS_E_UNKNOWN_TYPE] = "unknown inverter type",
	};

	/* Functions return -code; accept either sign. */
	if (code < 0 && code > -APS_E_COUNT) code = -code;
	if (code < 0 || code >= APS_E_COUNT) return "unknown error";
	return names[code];
}
