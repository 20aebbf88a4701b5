// SPDX-License-Identifier: MIT
/* testutil.c - the helpers the protocol tests share (their checks are aps_check.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */

#include "testutil.h"

#include "hexfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int aps_check_passed, aps_check_failed; /* declared by aps_check.h */
char aps_check_label[APS_CHECK_LABEL_MAX];

/* ---- fixtures ---- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum t_kind t_kind_of(const char *path)
{
	const char *name = base_name(path);

	if (!has_suffix(name, ".hex")) return T_UNKNOWN;
	if (strncmp(name, "ecu", 3) == 0) return T_ECU;
	if (strncmp(name, "inverters", 9) == 0) return T_INVERTERS;
	if (strncmp(name, "signal", 6) == 0) return T_SIGNAL;
	return T_UNKNOWN;
}

enum aps_command t_command_of(enum t_kind kind)
{
	if (kind == T_INVERTERS) return APS_CMD_INVERTERS;
	if (kind == T_SIGNAL) return APS_CMD_SIGNAL;
	return APS_CMD_ECU_INFO;
}

const char *t_command_code(enum t_kind kind)
{
	if (kind == T_INVERTERS) return "0002";
	if (kind == T_SIGNAL) return "0030";
	return "0001";
}

bool t_load(const char *dir, const char *rel, uint8_t *buf, size_t cap, size_t *len)
{
	char path[T_PATH_MAX];

	if (rel) snprintf(path, sizeof path, "%s/%s", dir, rel);
	else snprintf(path, sizeof path, "%s", dir);
	*len = 0;
	if (hexfile_read(path, buf, cap, len) != 0) {
		return CHECKF(false, "cannot read %s: %s", path, strerror(errno));
	}
	return true;
}

static int skip_dots(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

long t_walk_hex(const char *dir, t_file_fn *fn, void *ctx)
{
	struct dirent **list;
	long seen = 0;
	int n = scandir(dir, &list, skip_dots, alphasort);

	if (n < 0) return -1;
	for (int i = 0; i < n; i++) {
		char path[T_PATH_MAX];
		struct stat st;

		snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				long sub = t_walk_hex(path, fn, ctx);
				if (sub > 0) seen += sub;
			} else if (S_ISREG(st.st_mode) && has_suffix(path, ".hex")) {
				fn(path, ctx);
				seen++;
			}
		}
		free(list[i]);
	}
	free(list);
	return seen;
}

/* ---- guard page ---- */

static uint8_t *guard_area;
static size_t guard_area_len;

const uint8_t *t_guard(const uint8_t *data, size_t len)
{
	if (!guard_area) {
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		size_t usable = (APS_REPLY_MAX + 64 + page - 1) / page * page;
		void *p = mmap(NULL, usable + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || mprotect((uint8_t *)p + usable, page, PROT_NONE) != 0) {
			perror("guard page");
			abort();
		}
		guard_area = p;
		guard_area_len = usable;
	}
	if (len > guard_area_len) abort();
	uint8_t *at = guard_area + guard_area_len - len;
	if (len) memcpy(at, data, len);
	return at;
}

/* ---- building frames ---- */

void t_set_length(uint8_t *frame, size_t n)
{
	char digits[5];
	snprintf(digits, sizeof digits, "%04zu", n - 1);
	memcpy(frame + 5, digits, 4);
}

size_t t_frame(uint8_t *out, size_t cap, const char *version, const char *cmd,
               const uint8_t *body, size_t body_len)
{
	size_t n = 13 + body_len + 4;

	if (n > cap || n > 10000 || strlen(version) != 2 || strlen(cmd) != 4) abort();
	memcpy(out, "APS", 3);
	memcpy(out + 3, version, 2);
	t_set_length(out, n);
	memcpy(out + 9, cmd, 4);
	if (body_len) memcpy(out + 13, body, body_len);
	memcpy(out + 13 + body_len, "END\n", 4);
	return n;
}

void t_put_u16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void t_put_u32(uint8_t *p, uint32_t v)
{
	t_put_u16(p, v >> 16);
	t_put_u16(p + 2, v & 0xffff);
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

void t_put_bcd_time(uint8_t *p, const struct aps_time *t)
{
	p[0] = bcd(t->year / 100u);
	p[1] = bcd(t->year % 100u);
	p[2] = bcd(t->month);
	p[3] = bcd(t->day);
	p[4] = bcd(t->hour);
	p[5] = bcd(t->minute);
	p[6] = bcd(t->second);
}

static const struct {
	const char *name;
	uint8_t bcd[7];
} bad_times[] = {
	{"month 13", {0x20, 0x24, 0x13, 0x01, 0x12, 0x00, 0x00}},
	{"month 00", {0x20, 0x24, 0x00, 0x01, 0x12, 0x00, 0x00}},
	{"day 32", {0x20, 0x24, 0x01, 0x32, 0x12, 0x00, 0x00}},
	{"day 00", {0x20, 0x24, 0x01, 0x00, 0x12, 0x00, 0x00}},
	{"Feb 30", {0x20, 0x24, 0x02, 0x30, 0x12, 0x00, 0x00}},
	{"Feb 29 2023", {0x20, 0x23, 0x02, 0x29, 0x12, 0x00, 0x00}},
	{"Apr 31", {0x20, 0x24, 0x04, 0x31, 0x12, 0x00, 0x00}},
	{"hour 24", {0x20, 0x24, 0x01, 0x01, 0x24, 0x00, 0x00}},
	{"minute 60", {0x20, 0x24, 0x01, 0x01, 0x12, 0x60, 0x00}},
	{"second 60", {0x20, 0x24, 0x01, 0x01, 0x12, 0x00, 0x60}},
	{"year 1999", {0x19, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59}},
	{"year 2100", {0x21, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00}},
	{"d0 filler, last byte d1", {0xd0, 0xd0, 0xd0, 0xd0, 0xd0, 0xd0, 0xd1}},
	{"zeros, last byte 01", {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01}},
};

bool t_bad_time(size_t i, uint8_t bcd_out[7], const char **name)
{
	/* After the table: 2024-02-29 23:59:59 with one nibble set to A. */
	static const uint8_t good[7] = {0x20, 0x24, 0x02, 0x29, 0x23, 0x59, 0x59};
	static char nibble_name[48];
	size_t fixed = sizeof bad_times / sizeof bad_times[0];

	if (i < fixed) {
		memcpy(bcd_out, bad_times[i].bcd, 7);
		*name = bad_times[i].name;
		return true;
	}
	i -= fixed;
	if (i >= 14) return false;
	memcpy(bcd_out, good, 7);
	if (i % 2) bcd_out[i / 2] = (uint8_t)((bcd_out[i / 2] & 0x0f) | 0xa0);
	else bcd_out[i / 2] = (uint8_t)((bcd_out[i / 2] & 0xf0) | 0x0a);
	snprintf(nibble_name, sizeof nibble_name, "nibble A in byte %zu (0x%02x)", i / 2, bcd_out[i / 2]);
	*name = nibble_name;
	return true;
}

void t_uid_hex(const uint8_t *bytes, char out[APS_UID_LEN + 1])
{
	for (int i = 0; i < 6; i++) snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

size_t t_record_len(const uint8_t type[2])
{
	if (type[0] != '0') return 0;
	switch (type[1]) {
	case '0': return 9;
	case '1': case '4': return 21;
	case '2': return 27;
	case '3': return 23;
	}
	return 0;
}

/* ---- checked parser calls ---- */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i]) return false;
	return true;
}

static bool is_text(const char *s, size_t cap, bool (*ok)(char))
{
	const char *nul = memchr(s, 0, cap);
	if (!nul) return false;
	for (; s < nul; s++)
		if (!ok(*s)) return false;
	return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }
static bool is_print(char c) { return c >= 0x20 && c < 0x7f; }

static int call_parser(enum t_kind kind, const uint8_t *buf, size_t len, size_t cap,
                       struct t_parsed *p, struct aps_error *err)
{
	memset(&p->ecu, 0xa5, sizeof p->ecu);
	memset(&p->data, 0xa5, sizeof p->data);
	memset(p->inv, 0xa5, sizeof p->inv);
	memset(p->sig, 0xa5, sizeof p->sig);
	p->sig_count = 0xa5a5;
	if (err) memset(err, 0xa5, sizeof *err);
	if (kind == T_ECU) return aps_parse_ecu_info(buf, len, &p->ecu, err);
	if (kind == T_INVERTERS) return aps_parse_inverters(buf, len, &p->data, p->inv, cap, err);
	return aps_parse_signal(buf, len, p->sig, cap, &p->sig_count, err);
}

static void check_success(enum t_kind kind, const struct t_parsed *p, size_t cap)
{
	const struct aps_error *e = &p->err;

	if (kind == T_ECU) {
		CHECK_INT(e->code, APS_OK);
		CHECKF(strlen(p->ecu.ecu_id) == 12 && is_text(p->ecu.ecu_id, sizeof p->ecu.ecu_id, is_digit),
		       "ecu_id is not 12 digits");
		CHECKF(p->ecu.layout == 1 || p->ecu.layout == 2, "layout %u", p->ecu.layout);
		CHECKF(strlen(p->ecu.version) == 2 && is_text(p->ecu.version, 3, is_digit), "version not 2 digits");
		CHECKF(is_text(p->ecu.firmware, sizeof p->ecu.firmware, is_print), "firmware not printable");
		CHECKF(is_text(p->ecu.zone, sizeof p->ecu.zone, is_print), "zone not printable");
	} else if (kind == T_INVERTERS) {
		bool note = e->code == APS_E_UNKNOWN_TYPE;
		CHECKF(e->code == APS_OK || note, "success with err.code %d", (int)e->code);
		CHECKF(note == p->data.truncated, "truncated %d but err.code %d", p->data.truncated, (int)e->code);
		CHECKF(p->data.count <= cap, "count %zu above cap %zu", p->data.count, cap);
		for (size_t i = 0; i < p->data.count && i < cap; i++) {
			const struct aps_inverter *r = &p->inv[i];
			CHECKF(strlen(r->uid) == 12 && is_text(r->uid, sizeof r->uid, is_lower_hex),
			       "record %zu uid not 12 lowercase hex", i);
			CHECKF(strlen(r->type) == 2 && is_text(r->type, sizeof r->type, is_digit),
			       "record %zu type not 2 digits", i);
			CHECKF(r->channels <= APS_MAX_CHANNELS && r->voltages <= APS_MAX_VOLTAGES,
			       "record %zu has %u channels, %u voltages", i, r->channels, r->voltages);
		}
	} else {
		CHECK_INT(e->code, APS_OK);
		CHECKF(p->sig_count <= cap, "count %zu above cap %zu", p->sig_count, cap);
		for (size_t i = 0; i < p->sig_count && i < cap; i++)
			CHECKF(strlen(p->sig[i].uid) == 12 && is_text(p->sig[i].uid, 13, is_lower_hex),
			       "signal %zu uid not 12 lowercase hex", i);
	}
}

static void check_failure(enum t_kind kind, const struct t_parsed *p)
{
	const struct aps_error *e = &p->err;

	CHECKF(-p->rc > 0 && -p->rc < APS_E_COUNT && -p->rc != APS_E_UNKNOWN_TYPE, "rc %d is no -APS_E_*", p->rc);
	CHECK_INT(e->code, -p->rc);
	CHECKF(memchr(e->reason, 0, sizeof e->reason) && e->reason[0], "err.reason empty or unterminated");
	if (kind == T_ECU) CHECKF(all_zero(&p->ecu, sizeof p->ecu), "ecu info not zeroed on failure");
	if (kind == T_INVERTERS) CHECKF(all_zero(&p->data, sizeof p->data), "inverter data not zeroed on failure");
	if (kind == T_SIGNAL) CHECK_INT(p->sig_count, 0);
}

int t_parse(enum t_kind kind, const uint8_t *buf, size_t len, size_t cap, struct t_parsed *p)
{
	static struct t_parsed again;
	const uint8_t *at = t_guard(buf, len);

	if (cap > APS_MAX_RECORDS) cap = APS_MAX_RECORDS;
	p->rc = call_parser(kind, at, len, cap, p, &p->err);
	if (p->rc == 0) check_success(kind, p, cap);
	else check_failure(kind, p);

	/* err is optional: the same call without it must give the same. */
	again.rc = call_parser(kind, at, len, cap, &again, NULL);
	CHECKF(again.rc == p->rc, "rc %d with err, %d without", p->rc, again.rc);
	if (again.rc == p->rc && kind == T_ECU) CHECKF(memcmp(&again.ecu, &p->ecu, sizeof p->ecu) == 0, "err == NULL changes ecu info");
	if (again.rc == p->rc && kind == T_INVERTERS) {
		size_t n = p->rc == 0 && p->data.count <= cap ? p->data.count : 0;
		CHECKF(memcmp(&again.data, &p->data, sizeof p->data) == 0 &&
		       memcmp(again.inv, p->inv, n * sizeof p->inv[0]) == 0, "err == NULL changes inverter data");
	}
	if (again.rc == p->rc && kind == T_SIGNAL) {
		size_t n = p->rc == 0 && p->sig_count <= cap ? p->sig_count : 0;
		CHECKF(again.sig_count == p->sig_count && memcmp(again.sig, p->sig, n * sizeof p->sig[0]) == 0,
		       "err == NULL changes signal data");
	}
	return p->rc;
}

int t_each_capture(int argc, char **argv, t_file_fn *fn)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <fixtures dir>\n", argv[0]);
		return -1;
	}
	long files = t_walk_hex(argv[1], fn, NULL);
	aps_check_case("captures");
	CHECKF(files > 0, "no .hex files under %s", argv[1]);
	return 0;
}
