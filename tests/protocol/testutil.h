// SPDX-License-Identifier: MIT
/*
 * testutil.h - what every protocol test needs: fixtures, a guard page, frame
 * building, and a parser call that checks the header's promises every time.
 */
#ifndef APS_TESTUTIL_H
#define APS_TESTUTIL_H

#define APS_CHECK_SHARED /* testutil.c defines the counters */
#include "aps_check.h"
#include "aps_protocol.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define T_PATH_MAX 1024

/* Which parser a capture belongs to, from its file name. */
enum t_kind { T_ECU, T_INVERTERS, T_SIGNAL, T_UNKNOWN };

enum t_kind t_kind_of(const char *path);
enum aps_command t_command_of(enum t_kind kind);
const char *t_command_code(enum t_kind kind); /* "0001", "0002", "0030" */

/* Reads dir/rel (rel may be NULL: dir is the file) into buf; a failure is
 * counted and reported, and false returned. */
bool t_load(const char *dir, const char *rel, uint8_t *buf, size_t cap, size_t *len);

/* Calls fn for every *.hex file under dir, recursively, in sorted order.
 * Returns the number of files seen, or -1 if dir cannot be read. */
typedef void t_file_fn(const char *path, void *ctx);
long t_walk_hex(const char *dir, t_file_fn *fn, void *ctx);

/* A test's "<fixtures dir>" argument: calls fn for every capture in it, and
 * checks there was one.  Returns 0, or -1 (usage printed) without it. */
int t_each_capture(int argc, char **argv, t_file_fn *fn);

/* Copies len bytes so that they end exactly at a PROT_NONE page: reading
 * one byte past them faults.  The copy lives until the next call. */
const uint8_t *t_guard(const uint8_t *data, size_t len);

/* Writes "APS" + version + length field + cmd + body + "END\n" into out.
 * Returns the frame length (cap is checked by abort()). */
size_t t_frame(uint8_t *out, size_t cap, const char *version, const char *cmd,
               const uint8_t *body, size_t body_len);

/* Writes n - 1 as the 4-digit length field of a frame of n bytes. */
void t_set_length(uint8_t *frame, size_t n);

void t_put_u16(uint8_t *p, unsigned v);
void t_put_u32(uint8_t *p, uint32_t v);

/* Writes a time as 7 BCD bytes. */
void t_put_bcd_time(uint8_t *p, const struct aps_time *t);

/* The i-th invalid BCD timestamp (out of range, impossible date, or a
 * nibble above 9), as 7 bytes; false past the last one. */
bool t_bad_time(size_t i, uint8_t bcd[7], const char **name);

/* 12 lowercase hex digits of 6 bytes, as the parsers must give a UID. */
void t_uid_hex(const uint8_t *bytes, char out[APS_UID_LEN + 1]);

/* Record length for an inverter type code, 0 for "05" and unknown types. */
size_t t_record_len(const uint8_t type[2]);

/* Everything one parser call produces. */
struct t_parsed {
	int rc;
	struct aps_error err;
	struct aps_ecu_info ecu;
	struct aps_inverter_data data;
	struct aps_inverter inv[APS_MAX_RECORDS];
	struct aps_signal sig[APS_MAX_RECORDS];
	size_t sig_count;
};

#define T_CAP_ALL ((size_t)-1)

/* Runs the parser for kind on buf (copied against the guard page), with
 * outputs poisoned first, and checks what the header promises for any
 * result: a known code, out zeroed on failure, err consistent, a second call
 * with err == NULL giving the same.  cap T_CAP_ALL means the whole array.
 * Returns p->rc. */
int t_parse(enum t_kind kind, const uint8_t *buf, size_t len, size_t cap, struct t_parsed *p);

#endif
