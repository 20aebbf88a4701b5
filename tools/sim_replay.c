// SPDX-License-Identifier: MIT
/* sim_replay.c - captured replies served by `aps-ecu simulate --replay DIR`. */
#include "sim_replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hexfile.h"
#include "sim_reply.h"

#define SYNTH_ECU_ID "216300000001"

/* 0: loaded; 1: the file does not exist; -1: unreadable (why set). */
static int load_blob(struct sim_blob *b, const char *dir, const char *name, char *why, size_t why_cap)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
		snprintf(why, why_cap, "path too long: %s/%s", dir, name);
		return -1;
	}
	uint8_t *buf = malloc(SIM_REPLAY_FILE_MAX);
	if (!buf) {
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	size_t len = 0;
	if (hexfile_read(path, buf, SIM_REPLAY_FILE_MAX, &len) != 0) {
		int e = errno;
		free(buf);
		if (e == ENOENT) return 1;
		snprintf(why, why_cap, "%s: %s", path,
		         e == EINVAL ? "not a hex string" : e == EFBIG ? "more than 64 KiB" : strerror(e));
		return -1;
	}
	uint8_t *shrunk = realloc(buf, len ? len : 1);
	b->data = shrunk ? shrunk : buf;
	b->len = len;
	return 0;
}

/* An inverters-only capture still needs an ECU info reply before a client
 * asks for inverters: describe the inverter reply, as an ECU-B would. */
static int synthesize_ecu(struct sim_replay *rp, const char *ecu_id, char *why, size_t why_cap)
{
	struct sim_ecu ecu = {
		.version = "11",
		.firmware = "SIMULATOR",
		.zone = "Etc/UTC",
		.mac = {0x80, 0x97, 0x1b, 0x00, 0x00, 0x01},
	};
	snprintf(ecu.ecu_id, sizeof ecu.ecu_id, "%s", ecu_id ? ecu_id : SYNTH_ECU_ID);

	if (rp->inverters.data) {
		struct aps_inverter *inv = calloc(APS_MAX_RECORDS, sizeof *inv);
		if (!inv) {
			snprintf(why, why_cap, "out of memory");
			return -1;
		}
		struct aps_inverter_data data;
		int rc = aps_parse_inverters(rp->inverters.data, rp->inverters.len, &data, inv,
		                             APS_MAX_RECORDS, NULL);
		if (rc == 0) {
			ecu.inverters = data.count_declared;
			for (size_t i = 0; i < data.count; i++) {
				if (!inv[i].online) continue;
				ecu.inverters_online++;
				for (unsigned c = 0; c < inv[i].channels && c < APS_MAX_CHANNELS; c++)
					ecu.power_w += inv[i].power_w[c];
			}
		}
		free(inv);
	}

	uint8_t buf[APS_REPLY_MAX];
	size_t len = sim_encode_ecu_info(&ecu, buf, sizeof buf);
	rp->ecu[0].data = len ? malloc(len) : NULL;
	if (!rp->ecu[0].data) {
		snprintf(why, why_cap, len ? "out of memory" : "bad ECU id '%s'", ecu.ecu_id);
		return -1;
	}
	memcpy(rp->ecu[0].data, buf, len);
	rp->ecu[0].len = len;
	rp->ecu_count = 1;
	rp->ecu_synthesized = 1;
	return 0;
}

int sim_replay_load(struct sim_replay *rp, const char *dir, const char *ecu_id,
                    char *why, size_t why_cap)
{
	memset(rp, 0, sizeof *rp);
	struct stat st;
	if (stat(dir, &st) != 0) {
		snprintf(why, why_cap, "--replay %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_cap, "--replay %s: not a directory", dir);
		return -1;
	}
	int rc = load_blob(&rp->ecu[0], dir, "ecu.hex", why, why_cap);
	if (rc < 0) goto fail;
	if (rc == 0) {
		rp->ecu_count = 1;
		for (int n = 2; n <= SIM_REPLAY_ECU_MAX; n++) {
			char name[32];
			snprintf(name, sizeof name, "ecu.%d.hex", n);
			rc = load_blob(&rp->ecu[rp->ecu_count], dir, name, why, why_cap);
			if (rc < 0) goto fail;
			if (rc > 0) break;
			rp->ecu_count++;
		}
	}
	rc = load_blob(&rp->inverters, dir, "inverters.hex", why, why_cap);
	if (rc < 0) goto fail;
	if (rc > 0 && rp->ecu_count == 0) {
		snprintf(why, why_cap, "%s holds neither ecu.hex nor inverters.hex", dir);
		goto fail;
	}
	if (load_blob(&rp->signal, dir, "signal.hex", why, why_cap) < 0) goto fail;
	if (rp->ecu_count == 0 && synthesize_ecu(rp, ecu_id, why, why_cap) != 0) goto fail;
	return 0;
fail:
	sim_replay_free(rp);
	return -1;
}

void sim_replay_free(struct sim_replay *rp)
{
	for (size_t i = 0; i < SIM_REPLAY_ECU_MAX; i++) free(rp->ecu[i].data);
	free(rp->inverters.data);
	free(rp->signal.data);
	memset(rp, 0, sizeof *rp);
}

const struct sim_blob *sim_replay_reply(struct sim_replay *rp, enum aps_command cmd)
{
	const struct sim_blob *b = NULL;
	switch (cmd) {
	case APS_CMD_ECU_INFO:
		if (rp->ecu_count == 0) return NULL;
		b = &rp->ecu[rp->ecu_next];
		rp->ecu_next = (rp->ecu_next + 1) % rp->ecu_count;
		break;
	case APS_CMD_INVERTERS: b = &rp->inverters; break;
	case APS_CMD_SIGNAL: b = &rp->signal; break;
	}
	return b && b->data ? b : NULL;
}
