// SPDX-License-Identifier: MIT
#include "hexfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

static int hex_value(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

int hexfile_read(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f) return -1;

	size_t n = 0;
	int high = -1;
	int c;
	int rc = 0;
	while ((c = fgetc(f)) != EOF) {
		if (isspace(c)) continue;
		int v = hex_value(c);
		if (v < 0) { rc = EINVAL; break; }
		if (high < 0) { high = v; continue; }
		if (n == cap) { rc = EFBIG; break; }
		buf[n++] = (uint8_t)(high << 4 | v);
		high = -1;
	}
	if (rc == 0 && ferror(f)) rc = EIO;
	if (rc == 0 && high >= 0) rc = EINVAL;
	fclose(f);
	if (rc) { errno = rc; return -1; }
	*len = n;
	return 0;
}

int hexfile_write(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f) return -1;
	for (size_t i = 0; i < len; i++) fprintf(f, "%02x", buf[i]);
	fputc('\n', f);
	if (fclose(f) != 0) return -1;
	return 0;
}
