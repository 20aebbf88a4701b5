// SPDX-License-Identifier: MIT
#include "fields.h"
#include "civil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *aps_command_code(enum aps_command cmd)
{
	switch (cmd) {
	case APS_CMD_ECU_INFO: return "0001";
	case APS_CMD_INVERTERS: return "0002";
	case APS_CMD_SIGNAL: return "0030";
	}
	return NULL;
}

uint16_t aps_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

uint32_t aps_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

bool aps_is_digits(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') return false;
	}
	return true;
}

uint32_t aps_decimal(const uint8_t *p, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) v = v * 10 + (uint32_t)(p[i] - '0');
	return v;
}

size_t aps_first_unprintable(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] <= 0x7e) i++;
	return i;
}

const char *aps_bcd_time(const uint8_t *p, struct aps_time *t)
{
	unsigned d[APS_TIME_LEN];

	for (size_t i = 0; i < APS_TIME_LEN; i++) {
		unsigned hi = p[i] >> 4, lo = p[i] & 0x0fu;
		if (hi > 9 || lo > 9) return "not BCD";
		d[i] = hi * 10 + lo;
	}
	unsigned year = d[0] * 100 + d[1];
	if (year < 2000 || year > 2099) return "year out of range";
	if (d[2] < 1 || d[2] > 12) return "month out of range";
	if (d[3] < 1 || d[3] > (unsigned)aps_days_in_month(year, (int)d[2])) return "day out of range";
	if (d[4] > 23) return "hour out of range";
	if (d[5] > 59) return "minute out of range";
	if (d[6] > 59) return "second out of range";

	t->year = (uint16_t)year;
	t->month = (uint8_t)d[2];
	t->day = (uint8_t)d[3];
	t->hour = (uint8_t)d[4];
	t->minute = (uint8_t)d[5];
	t->second = (uint8_t)d[6];
	return NULL;
}

static const char hex_digits[] = "0123456789abcdef";

void aps_uid_hex(const uint8_t *p, char out[APS_UID_LEN + 1])
{
	for (size_t i = 0; i < APS_UID_LEN / 2; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 0x0fu];
	}
	out[APS_UID_LEN] = '\0';
}

const char *aps_quote(const uint8_t *p, size_t n, char out[APS_QUOTE_MAX])
{
	size_t o = 0;

	if (n > 16) n = 16;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c >= 0x20 && c <= 0x7e && c != '\'' && c != '\\') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex_digits[c >> 4];
			out[o++] = hex_digits[c & 0x0fu];
		}
	}
	out[o] = '\0';
	return out;
}

int aps_fail(struct aps_error *err, enum aps_err code, size_t offset, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		err->code = code;
		err->offset = offset;
		va_start(ap, fmt);
		vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
		va_end(ap);
	}
	return -(int)code;
}

void aps_clear_error(struct aps_error *err)
{
	if (err) memset(err, 0, sizeof(*err));
}
