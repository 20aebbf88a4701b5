// SPDX-License-Identifier: MIT
/* sim_fault.c - which fault is in force when, and how each one bends a reply. */
#include "sim_fault.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim_server.h"

#define CONTROL_CHECK_MS 100
#define GARBAGE_LEN 65536
#define OVERSIZE_LEN 20000
#define DRIP_DEFAULT_MS 1000
#define REBOOT_DEFAULT_S 30
#define MUTATE_DEFAULT_SEED 1

static const char *const mode_names[] = {
	[SIM_FAULT_NONE] = "none",         [SIM_FAULT_REFUSE] = "refuse",
	[SIM_FAULT_HANG] = "hang",         [SIM_FAULT_DRIP] = "drip",
	[SIM_FAULT_TRUNCATE] = "truncate", [SIM_FAULT_GARBAGE] = "garbage",
	[SIM_FAULT_OVERSIZE] = "oversize", [SIM_FAULT_BADLENGTH] = "badlength",
	[SIM_FAULT_BADSIG] = "badsig",     [SIM_FAULT_BADCMD] = "badcmd",
	[SIM_FAULT_RESET] = "reset",       [SIM_FAULT_REBOOT] = "reboot",
	[SIM_FAULT_NIGHT] = "night",       [SIM_FAULT_MUTATE] = "mutate",
};
#define MODE_COUNT (sizeof mode_names / sizeof mode_names[0])

static int parse_arg(const char *s, unsigned min, unsigned max, unsigned *out)
{
	if (*s < '0' || *s > '9') return -1;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v < min || v > max) return -1;
	*out = (unsigned)v;
	return 0;
}

int sim_fault_parse(const char *text, struct sim_fault *out)
{
	const char *colon = strchr(text, ':');
	size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
	for (size_t m = 0; m < MODE_COUNT; m++) {
		if (strlen(mode_names[m]) != name_len || strncmp(text, mode_names[m], name_len) != 0)
			continue;
		struct sim_fault f = {.mode = (enum sim_fault_mode)m};
		if (f.mode == SIM_FAULT_DRIP) {
			f.arg = DRIP_DEFAULT_MS;
			if (colon && parse_arg(colon + 1, 1, 600000, &f.arg) != 0) return -1;
		} else if (f.mode == SIM_FAULT_REBOOT) {
			f.arg = REBOOT_DEFAULT_S;
			if (colon && parse_arg(colon + 1, 1, 86400, &f.arg) != 0) return -1;
		} else if (f.mode == SIM_FAULT_MUTATE) {
			f.arg = MUTATE_DEFAULT_SEED;
			if (colon && parse_arg(colon + 1, 0, UINT32_MAX, &f.arg) != 0) return -1;
		} else if (colon) {
			return -1;
		}
		*out = f;
		return 0;
	}
	return -1;
}

void sim_fault_describe(const struct sim_fault *f, char *buf, size_t cap)
{
	const char *name = (size_t)f->mode < MODE_COUNT ? mode_names[f->mode] : "?";
	if (f->mode == SIM_FAULT_DRIP || f->mode == SIM_FAULT_REBOOT || f->mode == SIM_FAULT_MUTATE)
		snprintf(buf, cap, "%s:%u", name, f->arg);
	else
		snprintf(buf, cap, "%s", name);
}

bool sim_fault_refuses(const struct sim_fault *f)
{
	return f->mode == SIM_FAULT_REFUSE || f->mode == SIM_FAULT_REBOOT;
}

static bool same_fault(const struct sim_fault *a, const struct sim_fault *b)
{
	return a->mode == b->mode && a->arg == b->arg;
}

void sim_fault_clock_init(struct sim_fault_clock *fc, const struct sim_fault *configured,
                          int64_t after_ms, int64_t for_ms, const char *control_path)
{
	memset(fc, 0, sizeof *fc);
	fc->configured = *configured;
	fc->after_ms = after_ms;
	fc->for_ms = for_ms;
	fc->control_path = control_path;
}

/* Re-reads the control file's first line when the file changed; a fault
 * named there replaces the configured one until the file goes away. */
static void check_control(struct sim_fault_clock *fc, int64_t now_ms)
{
	if (!fc->control_path || now_ms < fc->next_check_ms) return;
	fc->next_check_ms = now_ms + CONTROL_CHECK_MS;

	struct stat st;
	if (stat(fc->control_path, &st) != 0) {
		if (fc->control_exists && fc->overridden)
			sim_log("control file %s removed: back to the configured fault", fc->control_path);
		fc->control_exists = false;
		fc->overridden = false;
		return;
	}
	if (fc->control_exists && st.st_dev == fc->control_dev && st.st_ino == fc->control_ino &&
	    st.st_size == fc->control_size && st.st_mtim.tv_sec == fc->control_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == fc->control_mtime.tv_nsec)
		return;

	FILE *f = fopen(fc->control_path, "r");
	if (!f) return; /* replaced while we looked: try again next time */
	char line[64] = "";
	bool got_line = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	fc->control_exists = true;
	fc->control_dev = st.st_dev;
	fc->control_ino = st.st_ino;
	fc->control_size = st.st_size;
	fc->control_mtime = st.st_mtim;

	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
	                 line[n - 1] == '\t'))
		line[--n] = '\0';
	struct sim_fault parsed;
	if (!got_line || sim_fault_parse(line, &parsed) != 0) {
		sim_warn("control file %s: ignoring '%s' (want none, %s)", fc->control_path, line,
		         SIM_FAULT_MODES);
		return;
	}
	if (!fc->overridden || !same_fault(&parsed, &fc->override)) {
		fc->override = parsed;
		fc->override_since_ms = now_ms;
	}
	fc->overridden = true;
}

struct sim_fault sim_fault_now(struct sim_fault_clock *fc, int64_t now_ms)
{
	check_control(fc, now_ms);

	struct sim_fault f = {SIM_FAULT_NONE, 0};
	int64_t since = 0;
	if (fc->overridden) {
		f = fc->override;
		since = fc->override_since_ms;
	} else if (now_ms >= fc->after_ms && (fc->for_ms < 0 || now_ms < fc->after_ms + fc->for_ms)) {
		f = fc->configured;
		since = fc->after_ms;
	}
	if (f.mode == SIM_FAULT_REBOOT && now_ms - since >= (int64_t)f.arg * 1000)
		f = (struct sim_fault){SIM_FAULT_NONE, 0};

	if (!same_fault(&f, &fc->last_logged)) {
		char was[32], is[32];
		sim_fault_describe(&fc->last_logged, was, sizeof was);
		sim_fault_describe(&f, is, sizeof is);
		sim_log("fault %s -> %s%s", was, is, fc->overridden ? " (control file)" : "");
		fc->last_logged = f;
	}
	return f;
}

static void earliest(int64_t *best, int64_t t, int64_t now_ms)
{
	if (t > now_ms && (*best < 0 || t < *best)) *best = t;
}

int64_t sim_fault_next_event(const struct sim_fault_clock *fc, int64_t now_ms)
{
	int64_t next = -1;
	if (fc->control_path) earliest(&next, fc->next_check_ms, now_ms - 1);
	if (!fc->overridden) {
		earliest(&next, fc->after_ms, now_ms);
		if (fc->for_ms >= 0) earliest(&next, fc->after_ms + fc->for_ms, now_ms);
		if (fc->configured.mode == SIM_FAULT_REBOOT)
			earliest(&next, fc->after_ms + (int64_t)fc->configured.arg * 1000, now_ms);
	} else if (fc->override.mode == SIM_FAULT_REBOOT) {
		earliest(&next, fc->override_since_ms + (int64_t)fc->override.arg * 1000, now_ms);
	}
	return next;
}

/* Deterministic noise (xorshift32), so a failing test sees the same bytes again. */
static void fill_noise(uint8_t *p, size_t n)
{
	uint32_t x = 0x2545f491u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)(x >> 24);
	}
}

static int plan_bytes(struct sim_plan *out, const uint8_t *src, size_t len)
{
	out->bytes = malloc(len ? len : 1);
	if (!out->bytes) return -1;
	if (src) memcpy(out->bytes, src, len);
	out->len = len;
	return 0;
}

/* mutate: reply number n of a run is damaged from the seed and n alone, so
 * the same seed and the same requests give the same bytes again.  The count
 * lives here because the plan only sees a copy of the fault; the simulator
 * answers one request at a time on one thread. */
static uint64_t mutate_serial;

#define MUTATE_SLACK 256 /* room for what the insertions add */
#define MUTATE_MAX_OPS 3

enum mutate_op { OP_BITFLIP, OP_INSERT, OP_DELETE, OP_TRUNCATE, OP_LENGTH, OP_COUNT, OP_TYPE, OP_END,
                 OP_FILL, OP_REPEAT, OP_KINDS };

struct mutation {
	uint8_t *b;
	size_t len, cap;
	uint64_t rng;
	char cmd[5];
	char note[192];
};

/* A number in [0, n), or 0 when n is 0 (splitmix64: consecutive seeds spread well). */
static size_t pick(struct mutation *m, size_t n)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return n ? (size_t)((z ^ (z >> 31)) % n) : 0;
}

__attribute__((format(printf, 2, 3)))
static void note(struct mutation *m, const char *fmt, ...)
{
	size_t used = strlen(m->note);
	if (used + 2 >= sizeof m->note) return;
	if (used) m->note[used++] = ' ';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->note + used, sizeof m->note - used, fmt, ap);
	va_end(ap);
}

static void insert_bytes(struct mutation *m, size_t at, const uint8_t *src, size_t n)
{
	if (at > m->len || n > m->cap - m->len) return;
	memmove(m->b + at + n, m->b + at, m->len - at);
	memcpy(m->b + at, src, n);
	m->len += n;
}

static void delete_bytes(struct mutation *m, size_t at, size_t n)
{
	if (at >= m->len) return;
	if (n > m->len - at) n = m->len - at;
	memmove(m->b + at, m->b + at + n, m->len - at - n);
	m->len -= n;
}

static void put_digits(struct mutation *m, size_t at, unsigned value)
{
	char digits[8];
	snprintf(digits, sizeof digits, "%04u", value % 10000u);
	for (size_t i = 0; i < 4 && at + i < m->len; i++) m->b[at + i] = (uint8_t)digits[i];
}

/* The length field (bytes 5..8): off by a little, any number, or not digits. */
static void change_length(struct mutation *m)
{
	static const uint8_t not_digits[] = {' ', '-', 'a', 0x00, 0xff, '/'};
	size_t how = pick(m, 3);
	if (how == 2) {
		size_t at = 5 + pick(m, 4);
		if (at < m->len) m->b[at] = not_digits[pick(m, sizeof not_digits)];
		note(m, "length-nondigit@%zu", at);
		return;
	}
	long v = how == 0 ? (long)m->len - 4 + (long)pick(m, 7) : (long)pick(m, 10000);
	put_digits(m, 5, v < 0 ? 0u : (unsigned)v);
	note(m, "length=%04ld", v < 0 ? 0 : v);
}

/* The record count (inverter reply) or an inverter count (ECU info). */
static void change_count(struct mutation *m)
{
	size_t at = strcmp(m->cmd, "0002") == 0 ? 17 : strcmp(m->cmd, "0001") == 0 ? (pick(m, 2) ? 46 : 48) : 0;
	if (at == 0 || at + 2 > m->len) return;
	unsigned was = (unsigned)m->b[at] << 8 | m->b[at + 1];
	unsigned v = (unsigned[]){was + 1, was - 1, 0, 0xffffu, (unsigned)pick(m, 0x10000)}[pick(m, 5)] & 0xffffu;
	m->b[at] = (uint8_t)(v >> 8);
	m->b[at + 1] = (uint8_t)v;
	note(m, "count@%zu=%u", at, v);
}

/* Bytes a record of this type code takes, or 0 for a code with no known layout. */
static size_t record_len(const uint8_t *type)
{
	static const size_t len[] = {9, 21, 27, 23, 21, 21};
	return type[0] == '0' && type[1] >= '0' && type[1] <= '5' ? len[type[1] - '0'] : 0;
}

/* Another type code for one inverter record, or another ECU info layout. */
static void change_type(struct mutation *m)
{
	static const char *const codes[] = {"00", "01", "02", "03", "04", "05", "06", "99", "  ", "\x01\x02"};
	const char *code = codes[pick(m, sizeof codes / sizeof codes[0])];
	size_t at = 0, records = 0;
	if (strcmp(m->cmd, "0001") == 0) {
		at = 25; /* the layout variant */
	} else if (strcmp(m->cmd, "0002") == 0) {
		for (size_t r = 26, n; r + 9 <= m->len && (n = record_len(m->b + r + 7)) != 0; r += n) records++;
		size_t target = pick(m, records);
		at = 26;
		for (size_t i = 0; i < target; i++) at += record_len(m->b + at + 7);
		at += 7;
	}
	if (at == 0 || at + 2 > m->len || (at != 25 && records == 0)) return;
	memcpy(m->b + at, code, 2);
	note(m, "type@%zu=%02x%02x", at, (unsigned char)code[0], (unsigned char)code[1]);
}

/* The END trailer taken out and put elsewhere, or a second one added. */
static void move_end(struct mutation *m)
{
	static const uint8_t end[] = {'E', 'N', 'D', '\n'};
	size_t found = m->len;
	for (size_t i = m->len >= 3 ? m->len - 2 : 0; i > 0 && found == m->len; i--)
		if (memcmp(m->b + i - 1, end, 3) == 0) found = i - 1;
	bool keep = pick(m, 3) == 0;
	if (found < m->len && !keep) delete_bytes(m, found, 4);
	size_t at = pick(m, m->len + 1);
	insert_bytes(m, at, end, sizeof end);
	note(m, "end%s@%zu", keep ? "+" : "->", at);
}

static void apply(struct mutation *m, enum mutate_op op)
{
	size_t at = pick(m, m->len + 1), n = 1 + pick(m, 64);
	uint8_t byte = (uint8_t)pick(m, 256), chunk[64];
	switch (op) {
	case OP_BITFLIP:
		if (at < m->len) m->b[at] ^= (uint8_t)(1u << (byte & 7));
		note(m, "bitflip@%zu.%u", at, byte & 7u);
		break;
	case OP_INSERT:
		insert_bytes(m, at, &byte, 1);
		note(m, "insert@%zu=%02x", at, byte);
		break;
	case OP_DELETE:
		delete_bytes(m, at, n % 8 + 1);
		note(m, "delete@%zu+%zu", at, n % 8 + 1);
		break;
	case OP_TRUNCATE:
		if (at < m->len) m->len = at;
		note(m, "truncate=%zu", m->len);
		break;
	case OP_LENGTH: change_length(m); break;
	case OP_COUNT: change_count(m); break;
	case OP_TYPE: change_type(m); break;
	case OP_END: move_end(m); break;
	case OP_FILL: /* 1, 2 or 4 bytes of 00 or ff past the header: extreme values */
		n = (size_t)1 << (n % 3);
		for (size_t i = 0; i < n && 13 + at + i < m->len; i++) m->b[13 + at + i] = byte & 1 ? 0xff : 0x00;
		note(m, "fill@%zu+%zu=%s", 13 + at, n, byte & 1 ? "ff" : "00");
		break;
	case OP_REPEAT: /* a slice of the reply again, elsewhere */
		if (at >= m->len) break;
		if (n > m->len - at) n = m->len - at;
		memcpy(chunk, m->b + at, n);
		size_t to = pick(m, m->len + 1);
		insert_bytes(m, to, chunk, n);
		note(m, "repeat@%zu+%zu->%zu", at, n, to);
		break;
	case OP_KINDS:
		break;
	}
}

static int sim_mutate(unsigned seed, const uint8_t *reply, size_t reply_len, const char command[4],
                      struct sim_plan *out)
{
	struct mutation m = {.cap = reply_len + MUTATE_SLACK, .len = reply_len};
	m.b = malloc(m.cap);
	if (!m.b) return -1;
	memcpy(m.b, reply, reply_len);
	memcpy(m.cmd, command, 4);
	m.rng = ((uint64_t)seed << 32) ^ mutate_serial;
	unsigned long long serial = (unsigned long long)mutate_serial++;

	/* One reply in four goes out whole, so that some cycles complete and the
	 * damaged replies land between good ones, as on a real flaky link. */
	if (pick(&m, 4) == 0) {
		note(&m, "intact");
	} else {
		bool length_changed = false;
		for (size_t i = 0, ops = 1 + pick(&m, MUTATE_MAX_OPS); i < ops; i++) {
			enum mutate_op op = (enum mutate_op)pick(&m, OP_KINDS);
			length_changed |= op == OP_LENGTH;
			apply(&m, op);
		}
		/* Mostly keep the frame consistent, so the damage reaches the parsers
		 * and not just the framer. */
		if (!length_changed && pick(&m, 4) != 0 && m.len >= 9 && m.len - 1 <= 9999) {
			put_digits(&m, 5, (unsigned)(m.len - 1));
			note(&m, "fixup");
		}
	}
	sim_log("mutate:%u #%llu %.4s: %zu -> %zu bytes: %s", seed, serial, command, reply_len, m.len, m.note);
	out->bytes = m.b;
	out->len = m.len;
	out->delivery = SIM_DELIVER_SEND;
	return 0;
}

int sim_fault_plan(const struct sim_fault *f, const uint8_t *reply, size_t reply_len,
                   const char command[4], struct sim_plan *out)
{
	memset(out, 0, sizeof *out);
	out->delivery = SIM_DELIVER_SEND;
	switch (f->mode) {
	case SIM_FAULT_HANG:
		out->delivery = SIM_DELIVER_HANG;
		return 0;
	case SIM_FAULT_GARBAGE:
		if (plan_bytes(out, NULL, GARBAGE_LEN) != 0) return -1;
		fill_noise(out->bytes, out->len);
		if (out->bytes[0] == 'A') out->bytes[0] = '~';
		return 0;
	case SIM_FAULT_OVERSIZE:
		if (plan_bytes(out, NULL, OVERSIZE_LEN) != 0) return -1;
		fill_noise(out->bytes, out->len);
		memcpy(out->bytes, "APS119999", 9);
		memcpy(out->bytes + 9, command, 4);
		return 0;
	default:
		break;
	}

	if (!reply) {
		out->delivery = SIM_DELIVER_CLOSE;
		return 0;
	}
	if (f->mode == SIM_FAULT_MUTATE) return sim_mutate(f->arg, reply, reply_len, command, out);
	if (plan_bytes(out, reply, reply_len) != 0) return -1;
	switch (f->mode) {
	case SIM_FAULT_DRIP:
		out->delivery = SIM_DELIVER_DRIP;
		out->drip_ms = f->arg ? f->arg : DRIP_DEFAULT_MS;
		break;
	case SIM_FAULT_TRUNCATE:
		out->len = reply_len / 2;
		break;
	case SIM_FAULT_RESET:
		out->len = reply_len / 2;
		out->delivery = SIM_DELIVER_RESET;
		break;
	case SIM_FAULT_BADLENGTH:
		if (out->len > 7) out->bytes[7] = 'x';
		break;
	case SIM_FAULT_BADSIG:
		if (out->len > 0) out->bytes[0] = 'X';
		break;
	case SIM_FAULT_BADCMD:
		if (out->len >= 13) memcpy(out->bytes + 9, "0003", 4);
		break;
	default:
		break;
	}
	return 0;
}
