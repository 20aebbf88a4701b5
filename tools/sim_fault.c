/* sim_fault.c - which fault is in force when, and how each one bends a reply. */
#include "sim_fault.h"

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

static const char *const mode_names[] = {
	[SIM_FAULT_NONE] = "none",         [SIM_FAULT_REFUSE] = "refuse",
	[SIM_FAULT_HANG] = "hang",         [SIM_FAULT_DRIP] = "drip",
	[SIM_FAULT_TRUNCATE] = "truncate", [SIM_FAULT_GARBAGE] = "garbage",
	[SIM_FAULT_OVERSIZE] = "oversize", [SIM_FAULT_BADLENGTH] = "badlength",
	[SIM_FAULT_BADSIG] = "badsig",     [SIM_FAULT_BADCMD] = "badcmd",
	[SIM_FAULT_RESET] = "reset",       [SIM_FAULT_REBOOT] = "reboot",
	[SIM_FAULT_NIGHT] = "night",
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
	if (f->mode == SIM_FAULT_DRIP || f->mode == SIM_FAULT_REBOOT)
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
