// SPDX-License-Identifier: MIT
/* fuzz_ecu_info.c - aps_parse_ecu_info on raw input and on the input
 * reframed as a well-formed ECU info reply. */
#include "fuzz_check.h"

#include <stdint.h>

static void check_parse(const uint8_t *buf, size_t len)
{
	struct aps_ecu_info info;
	struct aps_error err;

	memset(&info, 0x5a, sizeof(info));
	memset(&err, 0x5a, sizeof(err));
	int rc = aps_parse_ecu_info(buf, len, &info, &err);
	if (rc != 0) {
		fuzz_check_failure(rc, &err, len);
		FUZZ_CHECK(fuzz_all_bytes(&info, sizeof(info), 0));
		return;
	}
	FUZZ_CHECK(err.code == APS_OK && err.reason[0] == '\0');
	FUZZ_CHECK(aps_frame_check(buf, len, APS_CMD_ECU_INFO, NULL) == (long)len);
	FUZZ_CHECK(fuzz_digits(info.ecu_id, APS_ECU_ID_LEN));
	FUZZ_CHECK(fuzz_digits(info.version, 2));
	FUZZ_CHECK(info.layout == 1 || info.layout == 2);
	FUZZ_CHECK(info.lifetime_glitch == (info.lifetime_energy_raw == 0));
	FUZZ_CHECK(fuzz_printable_string(info.firmware, sizeof(info.firmware)));
	FUZZ_CHECK(fuzz_printable_string(info.zone, sizeof(info.zone)));
	if (info.has_timestamp) {
		FUZZ_CHECK(info.layout == 1 && fuzz_valid_time(&info.timestamp));
	} else {
		FUZZ_CHECK(fuzz_all_bytes(&info.timestamp, sizeof(info.timestamp), 0));
	}
	if (info.layout == 2) FUZZ_CHECK(info.zone[0] == '\0');
	/* Both strings came out of the reply, before its END trailer. */
	FUZZ_CHECK(strlen(info.firmware) + strlen(info.zone) + 43 <= len);
	FUZZ_CHECK(aps_ecu_model(info.ecu_id) != NULL);

	/* Any byte more or less is rejected, never reparsed differently. */
	FUZZ_CHECK(aps_parse_ecu_info(buf, len - 1, &info, NULL) == -APS_E_TOO_SHORT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[APS_REPLY_MAX];

	check_parse(data, size);
	size_t n = fuzz_reframe(data, size, "0001", frame);
	if (n > 0) check_parse(frame, n);
	return 0;
}
