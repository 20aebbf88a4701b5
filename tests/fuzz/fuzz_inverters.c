// SPDX-License-Identifier: MIT
/* fuzz_inverters.c - aps_parse_inverters on raw input and on the input
 * reframed as a well-formed inverter reply. */
#include "fuzz_check.h"

#include <stdint.h>

static struct aps_inverter inv[APS_MAX_RECORDS];

static void check_record(const struct aps_inverter *v)
{
	FUZZ_CHECK(fuzz_uid(v->uid));
	FUZZ_CHECK(fuzz_digits(v->type, 2));
	FUZZ_CHECK(v->channels <= APS_MAX_CHANNELS && v->voltages <= APS_MAX_VOLTAGES);
	FUZZ_CHECK(v->channels == 0 || v->channels == 2 || v->channels == 4);
	FUZZ_CHECK(v->temperature_c >= -100);
	if (strcmp(v->type, "00") == 0) {
		FUZZ_CHECK(v->channels == 0 && v->voltages == 0 && v->frequency_raw == 0 && v->temperature_c == 0);
	} else {
		FUZZ_CHECK(v->channels > 0 && v->voltages > 0);
	}
	for (size_t c = v->channels; c < APS_MAX_CHANNELS; c++) FUZZ_CHECK(v->power_w[c] == 0);
	for (size_t c = v->voltages; c < APS_MAX_VOLTAGES; c++) FUZZ_CHECK(v->voltage_v[c] == 0);
	const char *model = aps_inverter_model(v);
	FUZZ_CHECK(model && model[0] != '\0');
}

static void check_parse(const uint8_t *buf, size_t len)
{
	struct aps_inverter_data data;
	struct aps_error err;
	/* The smallest record is 9 bytes: no reply of len bytes fills more. */
	size_t watch = len / 9 + 1 < APS_MAX_RECORDS ? len / 9 + 1 : APS_MAX_RECORDS;

	memset(inv, 0xa5, watch * sizeof(inv[0]));
	memset(&data, 0x5a, sizeof(data));
	int rc = aps_parse_inverters(buf, len, &data, inv, APS_MAX_RECORDS, &err);
	if (rc != 0) {
		fuzz_check_failure(rc, &err, len);
		FUZZ_CHECK(fuzz_all_bytes(&data, sizeof(data), 0));
		/* Each entry is untouched or wiped, never half-filled. */
		for (size_t i = 0; i < watch; i++) {
			FUZZ_CHECK(fuzz_all_bytes(&inv[i], sizeof(inv[i]), 0xa5) ||
				   fuzz_all_bytes(&inv[i], sizeof(inv[i]), 0));
		}
		return;
	}
	FUZZ_CHECK(aps_frame_check(buf, len, APS_CMD_INVERTERS, NULL) == (long)len);
	FUZZ_CHECK(fuzz_valid_time(&data.timestamp));
	FUZZ_CHECK(data.count <= APS_MAX_RECORDS && data.count <= watch);
	FUZZ_CHECK(data.count <= data.count_declared);
	FUZZ_CHECK(26 + data.count * 9 + 4 <= len);
	if (data.truncated) {
		FUZZ_CHECK(err.code == APS_E_UNKNOWN_TYPE && err.reason[0] != '\0');
		FUZZ_CHECK(fuzz_printable_string(err.reason, sizeof(err.reason)));
		FUZZ_CHECK(err.offset == data.unknown_offset);
		FUZZ_CHECK(data.unknown_offset >= 26 && data.unknown_offset + 9 <= len - 4);
		FUZZ_CHECK(fuzz_printable_string(data.unknown_type, sizeof(data.unknown_type)));
		FUZZ_CHECK(strlen(data.unknown_type) == 2);
		FUZZ_CHECK(data.count < data.count_declared);
	} else {
		FUZZ_CHECK(err.code == APS_OK && err.reason[0] == '\0');
		FUZZ_CHECK(data.count == data.count_declared);
		FUZZ_CHECK(data.unknown_offset == 0 && data.unknown_type[0] == '\0');
	}
	for (size_t i = 0; i < data.count; i++) check_record(&inv[i]);
	for (size_t i = data.count; i < watch; i++) FUZZ_CHECK(fuzz_all_bytes(&inv[i], sizeof(inv[i]), 0xa5));

	/* One entry too few is a capacity error; no array at all is fine only
	 * when there is nothing to store. */
	struct aps_inverter_data again;
	if (data.count > 0) {
		FUZZ_CHECK(aps_parse_inverters(buf, len, &again, inv, data.count - 1, NULL) == -APS_E_CAPACITY);
		FUZZ_CHECK(fuzz_all_bytes(&again, sizeof(again), 0));
	} else {
		FUZZ_CHECK(aps_parse_inverters(buf, len, &again, NULL, 0, NULL) == 0);
		FUZZ_CHECK(again.truncated == data.truncated && again.count == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[APS_REPLY_MAX];

	check_parse(data, size);
	size_t n = fuzz_reframe(data, size, "0002", frame);
	if (n > 0) check_parse(frame, n);
	return 0;
}
