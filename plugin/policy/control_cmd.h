// SPDX-License-Identifier: MIT
/*
 * control_cmd.h - commands from MQTT as data: reading a command topic and
 * its payload, which ECU models take which command, and the per-ECU queue
 * that spaces them out.  Pure functions of their inputs and a clock: no
 * broker, no sockets (control.c does the sending).
 *
 * Topics, under the topic prefix (OpenDTU's shape):
 *   aps/<ECU>/<UID>/cmd/power        ON | OFF
 *   aps/<ECU>/<UID>/cmd/max_power    W per panel channel: 20..500, or 0 = no cap
 *   aps/<ECU>/cmd/zero_export        ON | OFF          (ECU-C only)
 *   aps/<ECU>/cmd/power_limit        W, 0..100000      (ECU-C only)
 *   aps/<ECU>/cmd/reboot             PRESS
 * Only ECU-R-PRO (id 2162...) and ECU-C (215...) have the web pages; ECU-B
 * and the older ECU-R (2160...) take none.
 */
#ifndef APS_CONTROL_CMD_H
#define APS_CONTROL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONTROL_ID_LEN 12          /* ECU ids and inverter UIDs: 12 characters */
#define CONTROL_MAX_POWER_MIN 20u  /* W per panel channel, the ECU page's range ... */
#define CONTROL_MAX_POWER_MAX 500u /* ... ; 0 lifts the cap */
#define CONTROL_POWER_LIMIT_MAX 100000u
#define CONTROL_QUEUE_MAX 64       /* commands waiting per ECU; more drops the oldest */
#define CONTROL_SPACING_MS 10000u  /* the vendor's advice: 10 s between commands */
#define CONTROL_REASON_MAX 160

enum control_kind {
	CONTROL_POWER,       /* value 1 on, 0 off */
	CONTROL_MAX_POWER,   /* value W */
	CONTROL_ZERO_EXPORT, /* value 1 on, 0 off */
	CONTROL_POWER_LIMIT, /* value W */
	CONTROL_REBOOT,      /* no value */
	CONTROL_KIND_COUNT
};

struct control_cmd {
	enum control_kind kind;
	char ecu_id[CONTROL_ID_LEN + 1];
	char uid[CONTROL_ID_LEN + 1];   /* lowercase hex as the ECU reports it; "" for the ECU's own commands */
	unsigned value;
};

enum control_parse {
	CONTROL_NOT_COMMAND, /* not a topic of ours: someone else's message */
	CONTROL_VALID,
	CONTROL_INVALID,     /* ours but wrong: reason says why (and cmd has what could be read) */
};

/* The leaf's name ("power", "max_power", ...). */
const char *control_kind_name(enum control_kind kind);
/* Whether the command is about one inverter (has a UID). */
bool control_kind_per_inverter(enum control_kind kind);

/* Reads topic, which must start with base ("<topic_prefix>/" or "") then
 * aps/<ECU>/[<UID>/]cmd/<leaf>.  Anything else under aps/<ECU>/.../cmd/ is
 * INVALID (unknown command); anything not ending in cmd/<leaf> is not ours.
 * On INVALID cmd->ecu_id is set whenever the topic had one (for the result
 * topic), else "". */
enum control_parse control_parse_topic(const char *topic, const char *base, struct control_cmd *cmd,
                                       char *reason, size_t reason_cap);

/* Reads the payload into cmd->value.  ON/OFF and PRESS in any case; watts as
 * a decimal integer, "300.0" accepted (Home Assistant's number may send it).
 * Returns true, or false with reason set. */
bool control_parse_value(struct control_cmd *cmd, const char *payload, size_t len, char *reason,
                         size_t reason_cap);

/* Whether an ECU of this id has the pages for the command: false with
 * reason set ("ECU-B ... has no control"). */
bool control_model_allows(const char *ecu_id, enum control_kind kind, char *reason, size_t reason_cap);
/* Whether the ECU model has control pages at all / a CT meter (ECU-C). */
bool control_model_has_pages(const char *ecu_id);
bool control_model_has_meter(const char *ecu_id);

/* One ECU's waiting commands, oldest first, and when the last one was sent. */
struct control_queue {
	struct control_cmd items[CONTROL_QUEUE_MAX];
	size_t head, count;
	bool sent_any;
	uint64_t last_sent_ms;
};

enum control_push {
	CONTROL_QUEUED,
	CONTROL_REPLACED,     /* a waiting command of the same kind and target took the new value */
	CONTROL_DROPPED_OLDEST, /* the queue was full: *dropped is the oldest, now gone */
};

/* Adds cmd.  A waiting command of the same kind for the same target is
 * replaced in place (its old value goes to *dropped): a slider dragged in
 * Home Assistant becomes one command, not dozens 10 s apart. */
enum control_push control_queue_push(struct control_queue *q, const struct control_cmd *cmd,
                                     struct control_cmd *dropped);

/* Whether the oldest command may be sent at now_ms (spacing_ms since the
 * last one sent). */
bool control_queue_due(const struct control_queue *q, uint64_t now_ms, uint32_t spacing_ms);
/* Milliseconds until it is due (0: now), UINT64_MAX when empty. */
uint64_t control_queue_wait_ms(const struct control_queue *q, uint64_t now_ms, uint32_t spacing_ms);
/* Takes the oldest command out and records now_ms as its sending time. */
bool control_queue_pop(struct control_queue *q, struct control_cmd *out, uint64_t now_ms);

#endif
