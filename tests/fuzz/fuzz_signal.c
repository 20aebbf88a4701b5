// SPDX-License-Identifier: MIT
/* fuzz_signal.c - aps_parse_signal on raw input and on the input reframed
 * as a well-formed signal reply. */
#include "fuzz_check.h"

#include <stdint.h>

#define SIGNAL_CAP ((APS_REPLY_MAX - 19) / 7)

static struct aps_signal sig[SIGNAL_CAP];

static void check_parse(const uint8_t *buf, size_t len)
{
	struct aps_error err;
	size_t count = 12345;
	/* Only entries a reply of len bytes could fill need watching. */
	size_t watch = len / 7 + 1 < SIGNAL_CAP ? len / 7 + 1 : SIGNAL_CAP;

	memset(sig, 0xa5, watch * sizeof(sig[0]));
	int rc = aps_parse_signal(buf, len, sig, SIGNAL_CAP, &count, &err);
	if (rc != 0) {
		fuzz_check_failure(rc, &err, len);
		FUZZ_CHECK(count == 0);
		FUZZ_CHECK(fuzz_all_bytes(sig, watch * sizeof(sig[0]), 0xa5));
		return;
	}
	FUZZ_CHECK(err.code == APS_OK);
	FUZZ_CHECK(count <= SIGNAL_CAP && count <= watch);
	FUZZ_CHECK(19 + count * 7 == len);
	for (size_t i = 0; i < count; i++) {
		FUZZ_CHECK(fuzz_uid(sig[i].uid));
		int percent = aps_signal_percent(sig[i].strength);
		FUZZ_CHECK(percent >= 0 && percent <= 100);
	}
	FUZZ_CHECK(fuzz_all_bytes(sig + count, (watch - count) * sizeof(sig[0]), 0xa5));

	/* One entry too few is a capacity error, not a partial answer. */
	if (count > 0) {
		size_t again = 1;
		FUZZ_CHECK(aps_parse_signal(buf, len, sig, count - 1, &again, NULL) == -APS_E_CAPACITY);
		FUZZ_CHECK(again == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[APS_REPLY_MAX];

	check_parse(data, size);
	size_t n = fuzz_reframe(data, size, "0030", frame);
	if (n > 0) check_parse(frame, n);
	return 0;
}
