// SPDX-License-Identifier: MIT
/* sim_reply.h - the replies `aps-ecu simulate` sends: encoders from a small
 * struct model, and the synthetic installation that feeds them. */
#ifndef APS_SIM_REPLY_H
#define APS_SIM_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "aps_protocol.h"

enum sim_kind {
	SIM_UNSEEN,  /* registered, never reported: 9-byte type "00" record */
	SIM_DS3,     /* type "01": 2 channels, 2 voltages */
	SIM_QT2,     /* type "02": 4 channels, 3 voltages (line to line) */
	SIM_QS1,     /* type "03": 4 channels, 1 voltage */
};

struct sim_inverter {
	uint8_t uid[6];
	enum sim_kind kind;
	bool online;
	uint16_t frequency_raw;    /* 0.1 Hz */
	uint16_t temperature_raw;  /* degrees C + 100 */
	uint16_t power_w[APS_MAX_CHANNELS];
	uint16_t voltage_v[APS_MAX_VOLTAGES];
	uint8_t signal;            /* 0..255 */
	/* Set through the web pages (sim_web.c); seen at the next refresh. */
	bool switched_off;         /* reports 0 W on every channel */
	uint16_t max_power_w;      /* per channel; 0: no cap */
};

struct sim_ecu {
	char ecu_id[APS_ECU_ID_LEN + 1];
	char version[3];              /* frame version, "11" */
	uint32_t lifetime_raw;        /* 0.1 kWh */
	uint32_t power_w;
	uint32_t today_raw;           /* 0.01 kWh */
	bool has_timestamp;           /* false: the d0d0.. filler of ECU-B/ECU-R */
	struct aps_time timestamp;
	uint16_t inverters;
	uint16_t inverters_online;
	const char *firmware;         /* <= APS_FIRMWARE_MAX chars */
	const char *zone;             /* <= APS_ZONE_MAX chars */
	uint8_t mac[12];
};

/* Encoders: each writes one whole reply (layout 01 for ECU info) and returns
 * its length, or 0 when it does not fit in cap or in the 4-digit length field. */
size_t sim_encode_ecu_info(const struct sim_ecu *ecu, uint8_t *buf, size_t cap);
size_t sim_encode_inverters(const struct aps_time *timestamp, const struct sim_inverter *inv,
                            size_t count, uint8_t *buf, size_t cap);
size_t sim_encode_signal(const struct sim_inverter *inv, size_t count, uint8_t *buf, size_t cap);

/* Reply lengths, for refusing an installation that cannot be encoded. */
size_t sim_inverters_reply_len(const struct sim_inverter *inv, size_t count);
size_t sim_signal_reply_len(size_t count);

/* Converts a UTC time to the protocol's broken-down time; -1 outside 2000..2099. */
int sim_time_from_epoch(time_t t, struct aps_time *out);

/* The synthetic installation: a fixed set of inverters whose values follow a
 * daylight curve, refreshed every SIM_REFRESH_S of sim time like a real ECU. */
#define SIM_REFRESH_S 300
#define SIM_INVERTERS_MAX 1000

struct sim_install {
	struct sim_ecu ecu;
	struct sim_inverter *inv;   /* seen and unseen records, in reply order */
	size_t count;
	time_t slot;                /* sim time the replies describe; -1: none yet */
	bool night;                 /* whether they were built as forced night */
	uint8_t ecu_reply[APS_REPLY_MAX];
	size_t ecu_len;
	uint8_t inverters_reply[APS_REPLY_MAX];
	size_t inverters_len;
	uint8_t signal_reply[APS_REPLY_MAX];
	size_t signal_len;
};

/* ecu_id: 12 digits, or NULL for the default.  Returns 0, or -1 with why set
 * (bad count, or replies that would exceed APS_REPLY_MAX). */
int sim_install_init(struct sim_install *si, const char *ecu_id, unsigned inverters,
                     unsigned unseen, char *why, size_t why_cap);
void sim_install_free(struct sim_install *si);

/* Rebuilds the replies when sim_now enters a new refresh slot, or when the
 * forced-night state changes; otherwise leaves them byte for byte alone. */
void sim_install_refresh(struct sim_install *si, time_t sim_now, bool force_night);

/* The true energy of channel c of record i since sunrise at the replies'
 * time, in Wh: the integral of the daylight curve, that the ECU's today
 * figure sums.  0 for an unseen record or a channel it lacks. */
double sim_channel_truth_wh(const struct sim_install *si, size_t i, unsigned c);

/* Writes {"time": ..., "today_energy": kWh, "inverters": {uid: {"today_energy":
 * kWh, "panels": [kWh, ...]}}} to path (through a temp file and a rename, so
 * a reader never sees half of it).  Returns 0 or -1. */
int sim_install_write_truth(const struct sim_install *si, const char *path);

#endif
