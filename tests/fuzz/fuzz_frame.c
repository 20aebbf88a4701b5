// SPDX-License-Identifier: MIT
/* fuzz_frame.c - the incremental frame check, plus the small helpers that
 * take caller strings (request builder, model names, error names). */
#include "fuzz_check.h"

#include <stdint.h>

static const enum aps_command commands[] = {APS_CMD_ECU_INFO, APS_CMD_INVERTERS, APS_CMD_SIGNAL};

static void check_frame(const uint8_t *data, size_t size, enum aps_command cmd)
{
	struct aps_error err;
	long n = aps_frame_check(data, size, cmd, &err);

	if (n < 0) {
		fuzz_check_failure((int)n, &err, size);
		return;
	}
	FUZZ_CHECK(err.code == APS_OK);
	if (n == 0) {
		/* Incomplete now means every shorter prefix was incomplete too. */
		for (size_t k = size > 16 ? size - 16 : 0; k < size; k++) {
			FUZZ_CHECK(aps_frame_check(data, k, cmd, NULL) == 0);
		}
		return;
	}
	FUZZ_CHECK((size_t)n <= size && n >= 16 && n <= APS_REPLY_MAX);
	FUZZ_CHECK(memcmp(data, "APS", 3) == 0);
	/* The verdict depends on the frame's own bytes only. */
	FUZZ_CHECK(aps_frame_check(data, (size_t)n, cmd, NULL) == n);
	FUZZ_CHECK(aps_frame_check(data, (size_t)n - 1, cmd, NULL) == 0);
	FUZZ_CHECK(aps_frame_check(data, 9, cmd, NULL) == 0);
}

static void check_request(const uint8_t *data, size_t size)
{
	char id[APS_ECU_ID_LEN + 4];
	char buf[APS_REQUEST_MAX];
	size_t n = size < sizeof(id) - 1 ? size : sizeof(id) - 1;

	memcpy(id, data, n);
	id[n] = '\0';
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int rc = aps_build_request(commands[i], id, buf, sizeof(buf));
		if (rc < 0) {
			FUZZ_CHECK(rc == -APS_E_ARG && commands[i] != APS_CMD_ECU_INFO);
			continue;
		}
		FUZZ_CHECK((size_t)rc == strlen(buf) && (rc == 17 || rc == 29));
		FUZZ_CHECK(memcmp(buf + rc - 4, "END\n", 4) == 0);
		/* A request frames like a reply, except that the ECU info request
		 * is shorter than any ECU info reply. */
		long framed = aps_frame_check((const uint8_t *)buf, (size_t)rc, commands[i], NULL);
		FUZZ_CHECK(framed == (commands[i] == APS_CMD_ECU_INFO ? -APS_E_TOO_SHORT : rc));
	}
	const char *model = aps_ecu_model(id);
	FUZZ_CHECK(model && model[0] != '\0');
}

static void check_helpers(const uint8_t *data, size_t size)
{
	struct aps_inverter inv;
	int code = 0;

	/* Unterminated uid/type arrays: the lookup must stay inside them. */
	memset(&inv, 0, sizeof(inv));
	memcpy(inv.uid, data, size < sizeof(inv.uid) ? size : sizeof(inv.uid));
	if (size > sizeof(inv.uid)) {
		size_t rest = size - sizeof(inv.uid);
		memcpy(inv.type, data + sizeof(inv.uid), rest < sizeof(inv.type) ? rest : sizeof(inv.type));
	}
	FUZZ_CHECK(aps_inverter_model(&inv) != NULL);

	memcpy(&code, data, size < sizeof(code) ? size : sizeof(code));
	const char *name = aps_strerror(code);
	FUZZ_CHECK(name && name[0] != '\0' && fuzz_printable_string(name, strlen(name) + 1));
	if (size > 0) FUZZ_CHECK(aps_signal_percent(data[0]) >= 0 && aps_signal_percent(data[0]) <= 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) check_frame(data, size, commands[i]);
	check_request(data, size);
	check_helpers(data, size);
	return 0;
}
