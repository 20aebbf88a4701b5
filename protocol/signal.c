// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

#define OFF_RECORDS 15
#define RECORD_LEN 7 /* UID (6), strength (1) */

int aps_parse_signal(const uint8_t *buf, size_t len, struct aps_signal *sig, size_t cap, size_t *count,
		struct aps_error *err)
{
	if (!count) return aps_fail(err, APS_E_ARG, 0, "no count output");
	*count = 0;
	if (!sig && cap > 0) return aps_fail(err, APS_E_ARG, 0, "no signal array for capacity %zu", cap);

	long framed = aps_whole_reply(buf, len, APS_CMD_SIGNAL, err);
	if (framed < 0) return (int)framed;

	/* Bytes 13..14 read "00" in every capture, but nothing depends on them.
	 * The reply's own length gives the record count, not the ECU info. */
	size_t end = len - APS_END_LEN;
	size_t body = end - OFF_RECORDS;
	if (body % RECORD_LEN != 0) {
		return aps_fail(err, APS_E_RECORDS, OFF_RECORDS,
				"%zu bytes of records from offset %d to END at %zu: not a multiple of %d", body,
				OFF_RECORDS, end, RECORD_LEN);
	}
	size_t n = body / RECORD_LEN;
	if (n > cap) {
		return aps_fail(err, APS_E_CAPACITY, OFF_RECORDS + cap * RECORD_LEN,
				"%zu signal records, caller's array holds only %zu", n, cap);
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *rec = buf + OFF_RECORDS + i * RECORD_LEN;
		memset(&sig[i], 0, sizeof(sig[i]));
		aps_uid_hex(rec, sig[i].uid);
		sig[i].strength = rec[APS_UID_LEN / 2];
	}
	*count = n;
	aps_clear_error(err);
	return 0;
}
