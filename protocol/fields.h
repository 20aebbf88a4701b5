// SPDX-License-Identifier: MIT
/*
 * fields.h - field readers shared by the reply parsers (internal).
 *
 * Every reader takes a pointer the caller has already bounds-checked against
 * the reply length; none of them looks past the width it is given.
 */
#ifndef APS_FIELDS_H
#define APS_FIELDS_H

#include "aps_protocol.h"

/* Fixed offsets of the frame header every reply shares. */
#define APS_OFF_VERSION 3
#define APS_OFF_LENGTH 5
#define APS_OFF_COMMAND 9
#define APS_HEADER_LEN 13
#define APS_END_LEN 4
#define APS_TIME_LEN 7

/* Enough for a 16-byte field rendered with \xNN escapes, plus NUL. */
#define APS_QUOTE_MAX (16 * 4 + 1)

/* The 4-digit code a command is echoed with ("0001"), or NULL if cmd is unknown. */
const char *aps_command_code(enum aps_command cmd);

uint16_t aps_be16(const uint8_t *p);
uint32_t aps_be32(const uint8_t *p);

bool aps_is_digits(const uint8_t *p, size_t n);
/* Value of n ASCII digits (n <= 9); call aps_is_digits first. */
uint32_t aps_decimal(const uint8_t *p, size_t n);
/* Index of the first byte outside 0x20..0x7e, or n if there is none. */
size_t aps_first_unprintable(const uint8_t *p, size_t n);

/* Frames one whole reply for a parser: returns its length (== len), or -code
 * with err filled (truncated, more bytes than declared, or a frame error). */
long aps_whole_reply(const uint8_t *buf, size_t len, enum aps_command cmd, struct aps_error *err);

/* Decodes a 7-byte BCD YYYYMMDDhhmmss.  Returns NULL on success, else a short
 * description of what is wrong (for the error reason); *t is then untouched. */
const char *aps_bcd_time(const uint8_t *p, struct aps_time *t);

/* 6 UID bytes as 12 lowercase hex digits and a NUL. */
void aps_uid_hex(const uint8_t *p, char out[APS_UID_LEN + 1]);

/* Renders up to 16 bytes for an error reason: printable ASCII as is, anything
 * else (and quote and backslash) as \xNN.  Always NUL-terminated. */
const char *aps_quote(const uint8_t *p, size_t n, char out[APS_QUOTE_MAX]);

/* Fills err (which may be NULL) and returns -code, so a parser can write
 * "return aps_fail(err, APS_E_X, off, ...);". */
int aps_fail(struct aps_error *err, enum aps_err code, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Marks err (which may be NULL) as success. */
void aps_clear_error(struct aps_error *err);

#endif
