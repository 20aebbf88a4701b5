// SPDX-License-Identifier: MIT
/* hexfile.h - the .hex capture format: one hex string per file, as owners post them. */
#ifndef APS_HEXFILE_H
#define APS_HEXFILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads a file holding one hex string (whitespace ignored) into buf.
 * Returns 0 and sets *len, or -1 with errno set (EINVAL: not hex or odd
 * digit count, EFBIG: more than cap bytes). */
int hexfile_read(const char *path, uint8_t *buf, size_t cap, size_t *len);

/* Writes len bytes as one lowercase hex string and a newline. Returns 0 or -1. */
int hexfile_write(const char *path, const uint8_t *buf, size_t len);

#endif
