// SPDX-License-Identifier: MIT
/*
 * aps_protocol.h - the APsystems ECU protocol (TCP 8899) as pure functions.
 *
 * Everything here works on caller-owned byte buffers and caller-owned structs:
 * no globals, no I/O, no allocation, no logging.  Every offset and width read
 * from a reply is checked against the reply's real length first.  A reply that
 * does not validate gives a negative error code and a reason naming the field
 * and offset; the output struct is then zeroed, never half-filled.
 *
 * Replies are framed by their own length field (bytes 5..8, total length - 1),
 * never by a timeout or by what one recv() happened to return.
 */
#ifndef APS_PROTOCOL_H
#define APS_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define APS_ECU_PORT 8899

/* The length field is 4 ASCII digits, so no reply can exceed 9999 + 1 bytes. */
#define APS_REPLY_MAX 10000
/* Longest request we build ("APS1100280002" + id + "END\n"), plus one NUL. */
#define APS_REQUEST_MAX 32

#define APS_ECU_ID_LEN 12 /* 12 ASCII digits */
#define APS_UID_LEN 12    /* 6 bytes as 12 lowercase hex digits */
#define APS_FIRMWARE_MAX 63
#define APS_ZONE_MAX 63
/* Per inverter: at most 4 power channels and 3 AC voltages (YC1000/QT2). */
#define APS_MAX_CHANNELS 4
#define APS_MAX_VOLTAGES 3
/* Smallest record is 9 bytes (type 00): the most records a reply can hold. */
#define APS_MAX_RECORDS ((APS_REPLY_MAX - 26 - 4) / 9)
/* Signal records are 7 bytes from offset 15: the most a signal reply can hold. */
#define APS_MAX_SIGNALS ((APS_REPLY_MAX - 15 - 4) / 7)

enum aps_command {
	APS_CMD_ECU_INFO = 1,   /* "0001" */
	APS_CMD_INVERTERS = 2,  /* "0002" */
	APS_CMD_SIGNAL = 30,    /* "0030" */
};

enum aps_err {
	APS_OK = 0,
	APS_E_ARG,            /* bad argument from the caller (NULL, bad id, small buffer) */
	APS_E_SIGNATURE,      /* does not start with "APS" */
	APS_E_VERSION,        /* protocol version is not two ASCII digits */
	APS_E_LENGTH_FIELD,   /* length field is not 4 ASCII digits */
	APS_E_TOO_SHORT,      /* declared length below the command's fixed header */
	APS_E_TOO_LONG,       /* more bytes than the declared length, or above a bound */
	APS_E_COMMAND,        /* command code differs from the request */
	APS_E_NO_END,         /* the frame does not end with "END\n" */
	APS_E_NO_DATA,        /* ECU answered with a status other than OK (no records) */
	APS_E_ECU_ID,         /* ECU id is not 12 ASCII digits */
	APS_E_LAYOUT,         /* unknown ECU info layout variant */
	APS_E_TIMESTAMP,      /* BCD timestamp invalid (not BCD, or out of range) */
	APS_E_FIELD,          /* a field runs past the end of the frame, or is malformed */
	APS_E_RECORDS,        /* records do not fill the reply exactly up to END */
	APS_E_CAPACITY,       /* more records than the caller's array holds */
	APS_E_UNKNOWN_TYPE,   /* non-fatal: unknown inverter type, later records dropped */
	APS_E_COUNT
};

/* What went wrong, where.  reason is always NUL-terminated and self-contained. */
struct aps_error {
	enum aps_err code;
	size_t offset;  /* byte offset in the reply the reason refers to */
	char reason[128];
};

/* A wall-clock time as the ECU reports it (its local time, no zone). */
struct aps_time {
	uint16_t year;   /* 2000..2099 */
	uint8_t month;   /* 1..12 */
	uint8_t day;     /* 1..31, and valid for the month */
	uint8_t hour;    /* 0..23 */
	uint8_t minute;  /* 0..59 */
	uint8_t second;  /* 0..59 */
};

struct aps_ecu_info {
	char ecu_id[APS_ECU_ID_LEN + 1];   /* 12 ASCII digits, NUL-terminated */
	char version[3];                   /* frame version, "11" or "12" */
	uint8_t layout;                    /* 1 or 2 */
	uint32_t lifetime_energy_raw;      /* 0.1 kWh units */
	uint32_t current_power_w;
	uint32_t today_energy_raw;         /* 0.01 kWh units */
	bool has_timestamp;                /* false for the d0d0.. filler */
	struct aps_time timestamp;
	uint16_t inverters;                /* as the ECU says: 0 on ECU-R-PRO */
	uint16_t inverters_online;
	char firmware[APS_FIRMWARE_MAX + 1]; /* printable ASCII, may be empty */
	char zone[APS_ZONE_MAX + 1];         /* IANA zone name as sent, may be empty */
	bool lifetime_glitch;              /* lifetime energy 0: glitch or brand-new ECU */
};

struct aps_inverter {
	char uid[APS_UID_LEN + 1];   /* 12 lowercase hex digits, NUL-terminated */
	char type[3];                /* ASCII type code, e.g. "01" */
	bool online;
	uint8_t channels;            /* power values in power_w[] (0, 2 or 4) */
	uint8_t voltages;            /* values in voltage_v[] (0..3) */
	uint16_t frequency_raw;      /* 0.1 Hz units */
	int16_t temperature_c;       /* raw - 100; meaningless when offline */
	uint16_t power_w[APS_MAX_CHANNELS];
	uint16_t voltage_v[APS_MAX_VOLTAGES];
};

struct aps_inverter_data {
	struct aps_time timestamp;
	uint16_t count_declared;     /* the record count field */
	size_t count;                /* records stored in the caller's array */
	bool truncated;              /* an unknown type stopped parsing early */
	char unknown_type[3];        /* that type code, when truncated */
	size_t unknown_offset;       /* its record's offset, when truncated */
};

struct aps_signal {
	char uid[APS_UID_LEN + 1];
	uint8_t strength;            /* 0..255 as sent */
};

/* ---- Requests ---- */

/* Writes the request for cmd into buf (NUL-terminated; the NUL is not sent).
 * ecu_id is ignored for APS_CMD_ECU_INFO and must be 12 ASCII digits otherwise.
 * Returns the number of bytes to send (> 0), or -APS_E_ARG. */
int aps_build_request(enum aps_command cmd, const char *ecu_id, char *buf, size_t cap);

/* ---- Framing ---- */

/* Incremental frame check over the bytes received so far (re-call on the grown
 * buffer).  Returns > 0: a complete frame of that many bytes is at buf[0];
 * 0: need more bytes; < 0: -APS_E_*, the stream is invalid (err says why).
 * Checks the signature, version, length field (and bounds for cmd), the echoed
 * command and, once complete, the END trailer. */
long aps_frame_check(const uint8_t *buf, size_t len, enum aps_command cmd, struct aps_error *err);

/* The frame's total length as its length field says (bytes 5..8 + 1), or 0
 * while those have not all arrived or are not digits.  For progress reports;
 * aps_frame_check() is what decides. */
size_t aps_frame_length(const uint8_t *buf, size_t len);

/* ---- Parsers ----
 * Each takes one whole reply (len must be exactly the frame's length), fills *out
 * and returns 0, or returns -APS_E_* with *out zeroed and err set.  err may be NULL.
 * On success err->code is APS_OK, except for the non-fatal note APS_E_UNKNOWN_TYPE. */

int aps_parse_ecu_info(const uint8_t *buf, size_t len, struct aps_ecu_info *out, struct aps_error *err);

/* inv: caller's array of cap records; out->count records are filled on success.
 * A reply with more records than cap fails with APS_E_CAPACITY.  Status bytes
 * 13..14 other than "00" give APS_E_NO_DATA; bytes 15..16 must read "01". */
int aps_parse_inverters(const uint8_t *buf, size_t len, struct aps_inverter_data *out,
                        struct aps_inverter *inv, size_t cap, struct aps_error *err);

/* sig: caller's array of cap entries; *count is set to the entries filled. */
int aps_parse_signal(const uint8_t *buf, size_t len, struct aps_signal *sig, size_t cap,
                     size_t *count, struct aps_error *err);

/* ---- Helpers ---- */

/* Short constant name of an error code ("bad signature", ...). Never NULL. */
const char *aps_strerror(int code);

/* Bytes of an inverter record of type code type[0..1]: 9 for "00" (never
 * seen), 21, 27 or 23 for "01" to "03", 21 for "04", len05 for "05" (21 or
 * 27, found from the reply); 0 for a type we do not know. */
size_t aps_record_length(const char *type, size_t len05);

/* Signal strength 0..255 as the percentage aps2mqtt publishes (truncated). */
int aps_signal_percent(uint8_t strength);

/* ECU model from its id prefix: "ECU-B", "ECU-R", "ECU-R-PRO", "ECU-C", "ECU-3",
 * or "ECU" when unknown.  Never NULL. */
const char *aps_ecu_model(const char *ecu_id);

/* Inverter model from its UID prefix, else from its type code ("DS3", "QS1",
 * "YC1000/QT2", ...).  Never NULL. */
const char *aps_inverter_model(const struct aps_inverter *inv);


#ifdef __cplusplus
}
#endif

#endif
