// SPDX-License-Identifier: MIT
/*
 * query.c - `aps-ecu query`: one poll cycle against a real ECU, printed as the
 * JSON the plugin publishes, so an owner can see what the plugin would see
 * (and save the raw replies for a bug report) without a broker.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "hexfile.h"
#include "payload.h"
#include "query_net.h"
#include "tz.h"

#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_GAP_MS 250
#define MS_MAX 600000

struct query_options {
	struct ecu_target target;
	int timeout_ms, gap_ms;
	const char *raw_dir;  /* NULL: do not save replies */
	const char *zone;     /* NULL: the ECU's, else the system's */
};

/* Everything one cycle brings back; large, so it lives on the heap. */
struct cycle_data {
	struct ecu_reply reply;
	struct aps_ecu_info info;
	struct aps_inverter_data inv;
	struct aps_inverter inverters[APS_MAX_RECORDS];
	struct aps_signal signals[APS_MAX_SIGNALS];
	size_t signal_count;
	bool has_inv, has_signal;
};

static void usage(FILE *out)
{
	fputs("usage: aps-ecu query HOST[:PORT] [--timeout MS] [--gap MS] [--raw DIR] [--zone NAME]\n"
	      "\n"
	      "Asks an APsystems ECU for its info (0001), inverter data (0002) and signal\n"
	      "strengths (0030), each on a new TCP connection, and prints one JSON object\n"
	      "mapping each topic the plugin publishes for this data (aps/<ECU_ID> and\n"
	      "aps/<ECU_ID>/<UID>, without a topic_prefix) to the payload it publishes there.\n"
	      "\n"
	      "  HOST[:PORT]   host name, IPv4 or [IPv6] address; port 8899 by default\n"
	      "  --timeout MS  limit per request, from connect to last byte (default 5000)\n"
	      "  --gap MS      pause between requests (default 250)\n"
	      "  --raw DIR     save each reply received as DIR/ecu.hex, inverters.hex and\n"
	      "                signal.hex, even an invalid or partial one (for bug reports)\n"
	      "  --zone NAME   IANA zone of the ECU's clock, for the timestamp's UTC offset\n"
	      "                (default: the zone the ECU reports if known, else the system's)\n"
	      "\n"
	      "Exit status: 0 done (warnings, if any, on stderr), 1 the ECU could not be\n"
	      "queried, 2 usage error.\n",
	      out);
}

static bool parse_ms(const char *s, int min, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > MS_MAX) return false;
	*out = (int)v;
	return true;
}

/* 0: run; 1: help printed; 2: usage error (message printed). */
static int parse_args(int argc, char **argv, struct query_options *o)
{
	const char *host = NULL;
	char why[300];
	memset(o, 0, sizeof(*o));
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->gap_ms = DEFAULT_GAP_MS;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 1;
		}
		bool takes_value = strcmp(a, "--timeout") == 0 || strcmp(a, "--gap") == 0 ||
		                   strcmp(a, "--raw") == 0 || strcmp(a, "--zone") == 0;
		if (takes_value && i + 1 >= argc) {
			fprintf(stderr, "aps-ecu query: %s needs a value\n", a);
			goto bad;
		}
		if (strcmp(a, "--timeout") == 0) {
			if (!parse_ms(argv[++i], 1, &o->timeout_ms)) {
				fprintf(stderr, "aps-ecu query: --timeout: '%s' is not 1..%d ms\n", argv[i], MS_MAX);
				goto bad;
			}
		} else if (strcmp(a, "--gap") == 0) {
			if (!parse_ms(argv[++i], 0, &o->gap_ms)) {
				fprintf(stderr, "aps-ecu query: --gap: '%s' is not 0..%d ms\n", argv[i], MS_MAX);
				goto bad;
			}
		} else if (strcmp(a, "--raw") == 0) {
			o->raw_dir = argv[++i];
		} else if (strcmp(a, "--zone") == 0) {
			o->zone = argv[++i];
			int32_t off;
			if (!aps_tz_name_valid(o->zone) ||
			    aps_tz_offset_local(o->zone, 2024, 1, 1, 12, 0, 0, &off) != 0) {
				fprintf(stderr, "aps-ecu query: --zone: '%s' is not a time zone this system knows\n",
				        o->zone);
				goto bad;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "aps-ecu query: unknown option '%s'\n", a);
			goto bad;
		} else if (host == NULL) {
			host = a;
		} else {
			fprintf(stderr, "aps-ecu query: more than one host ('%s', '%s')\n", host, a);
			goto bad;
		}
	}
	if (host == NULL) {
		fprintf(stderr, "aps-ecu query: no HOST given\n");
		goto bad;
	}
	if (ecu_target_parse(host, &o->target, why, sizeof(why)) != 0) {
		fprintf(stderr, "aps-ecu query: %s\n", why);
		goto bad;
	}
	return 0;
bad:
	usage(stderr);
	return 2;
}

static void fail_line(const struct query_options *o, const char *what, const char *reason)
{
	fprintf(stderr, "aps-ecu: %s: %s: %s\n", o->target.label, what, reason);
}

static void warn_line(const struct query_options *o, const char *what, const char *reason,
                      const char *consequence)
{
	fprintf(stderr, "aps-ecu: warning: %s: %s: %s; %s\n", o->target.label, what, reason, consequence);
}

/* mkdir -p: each missing parent in turn. */
static int make_dirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0') continue;
		char keep = buf[i];
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
		buf[i] = keep;
	}
	struct stat st;
	if (stat(path, &st) != 0) return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void save_raw(const struct query_options *o, const char *name, const struct ecu_reply *r)
{
	char path[4200];
	if (o->raw_dir == NULL || r->len == 0) return;
	snprintf(path, sizeof(path), "%s/%s", o->raw_dir, name);
	if (hexfile_write(path, r->buf, r->len) != 0)
		fprintf(stderr, "aps-ecu: warning: cannot write %s: %s\n", path, strerror(errno));
}

static void pause_ms(int ms)
{
	if (ms <= 0) return;
	struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&left, &left) != 0 && errno == EINTR) {
	}
}

/* One request on its own connection; the reply is saved for --raw whatever happened. */
static int request(const struct query_options *o, const struct addrinfo *addrs, enum aps_command cmd,
                   const char *ecu_id, const char *raw_name, struct ecu_reply *reply, char *why,
                   size_t why_cap)
{
	char req[APS_REQUEST_MAX];
	int n = aps_build_request(cmd, ecu_id, req, sizeof(req));
	if (n <= 0) {
		snprintf(why, why_cap, "cannot build the request for ECU id '%s'", ecu_id ? ecu_id : "");
		return -1;
	}
	int rc = ecu_exchange(addrs, req, (size_t)n, cmd, o->timeout_ms, reply, why, why_cap);
	save_raw(o, raw_name, reply);
	return rc;
}

static void parse_reason(int rc, const struct aps_error *err, char *why, size_t why_cap)
{
	snprintf(why, why_cap, "%s: %s", aps_strerror(rc), err->reason);
}

static int print_cycle(const struct query_options *o, struct cycle_data *d)
{
	struct aps_cycle cycle = {
		.info = &d->info,
		.inv = d->has_inv ? &d->inv : NULL,
		.inverters = d->has_inv ? d->inverters : NULL,
		.signals = d->has_signal ? d->signals : NULL,
		.signal_count = d->signal_count,
		.zone = o->zone,
	};
	/* Topic -> payload, as the plugin publishes them (without a topic_prefix). */
	char topic[64];
	cJSON *out = cJSON_CreateObject(), *ecu = aps_payload_ecu(&cycle);
	snprintf(topic, sizeof(topic), "aps/%s", d->info.ecu_id);
	bool ok = out != NULL && ecu != NULL && cJSON_AddItemToObject(out, topic, ecu);
	if (!ok) cJSON_Delete(ecu);

	for (size_t i = 0; ok && d->has_inv && i < d->inv.count; i++) {
		const char *uid = d->inverters[i].uid;
		snprintf(topic, sizeof(topic), "aps/%s/%s", d->info.ecu_id, uid);
		if (cJSON_GetObjectItemCaseSensitive(out, topic) != NULL) {
			warn_line(o, "inverter data", "UID listed twice", "later record left out");
			continue;
		}
		cJSON *payload = aps_payload_inverter(&cycle, i);
		ok = payload != NULL && cJSON_AddItemToObject(out, topic, payload);
		if (!ok) cJSON_Delete(payload);
	}
	char *text = ok ? cJSON_Print(out) : NULL;
	if (text != NULL) printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(out);
	if (text == NULL) {
		fail_line(o, "output", "out of memory");
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int run_cycle(const struct query_options *o, const struct addrinfo *addrs, struct cycle_data *d)
{
	char why[512];
	struct aps_error err;
	int rc;

	if (request(o, addrs, APS_CMD_ECU_INFO, NULL, "ecu.hex", &d->reply, why, sizeof(why)) != 0) {
		fail_line(o, "ECU info", why);
		return 1;
	}
	rc = aps_parse_ecu_info(d->reply.buf, d->reply.len, &d->info, &err);
	if (rc != 0) {
		parse_reason(rc, &err, why, sizeof(why));
		fail_line(o, "ECU info", why);
		return 1;
	}

	pause_ms(o->gap_ms);
	if (request(o, addrs, APS_CMD_INVERTERS, d->info.ecu_id, "inverters.hex", &d->reply, why,
	            sizeof(why)) != 0) {
		fail_line(o, "inverter data", why);
		return 1;
	}
	rc = aps_parse_inverters(d->reply.buf, d->reply.len, &d->inv, d->inverters, APS_MAX_RECORDS, &err);
	if (rc == -APS_E_NO_DATA) {
		/* A replaced or starting ECU: it answered, it just has nothing yet. */
		parse_reason(rc, &err, why, sizeof(why));
		warn_line(o, "inverter data", why, "no inverters to show");
	} else if (rc != 0) {
		parse_reason(rc, &err, why, sizeof(why));
		fail_line(o, "inverter data", why);
		return 1;
	} else {
		d->has_inv = true;
		if (err.code == APS_E_UNKNOWN_TYPE) {
			parse_reason(err.code, &err, why, sizeof(why));
			warn_line(o, "inverter data", why, "showing the records before it");
		}
	}

	/* Signal strengths only label inverters: without inverter data, spare the ECU. */
	if (d->has_inv) {
		pause_ms(o->gap_ms);
		if (request(o, addrs, APS_CMD_SIGNAL, d->info.ecu_id, "signal.hex", &d->reply, why,
		            sizeof(why)) != 0) {
			warn_line(o, "signal", why, "inverters shown without signal");
		} else if ((rc = aps_parse_signal(d->reply.buf, d->reply.len, d->signals, APS_MAX_SIGNALS,
		                                  &d->signal_count, &err)) != 0) {
			parse_reason(rc, &err, why, sizeof(why));
			warn_line(o, "signal", why, "inverters shown without signal");
		} else {
			d->has_signal = true;
		}
	}
	return print_cycle(o, d);
}

int aps_query_main(int argc, char **argv)
{
	struct query_options o;
	char why[300];
	int rc = parse_args(argc, argv, &o);
	if (rc != 0) return rc == 1 ? 0 : 2;

	if (o.raw_dir != NULL && make_dirs(o.raw_dir) != 0) {
		fprintf(stderr, "aps-ecu: --raw %s: %s\n", o.raw_dir, strerror(errno));
		return 1;
	}
	struct addrinfo *addrs = NULL;
	if (ecu_target_resolve(&o.target, &addrs, why, sizeof(why)) != 0) {
		fail_line(&o, "ECU info", why);
		return 1;
	}
	struct cycle_data *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		fail_line(&o, "ECU info", "out of memory");
		freeaddrinfo(addrs);
		return 1;
	}
	rc = run_cycle(&o, addrs, d);
	free(d);
	freeaddrinfo(addrs);
	return rc;
}
