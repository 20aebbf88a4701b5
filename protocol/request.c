// SPDX-License-Identifier: MIT
#include "fields.h"

#include <string.h>

int aps_build_request(enum aps_command cmd, const char *ecu_id, char *buf, size_t cap)
{
	const char *code = aps_command_code(cmd);

	if (!buf || cap == 0) return -APS_E_ARG;
	buf[0] = '\0';
	if (!code) return -APS_E_ARG;

	bool with_id = cmd != APS_CMD_ECU_INFO;
	if (with_id) {
		/* The loop stops at the first non-digit, so a short string's NUL
		 * ends it before any byte past the string is read. */
		if (!ecu_id) return -APS_E_ARG;
		for (size_t i = 0; i < APS_ECU_ID_LEN; i++) {
			if (ecu_id[i] < '0' || ecu_id[i] > '9') return -APS_E_ARG;
		}
		if (ecu_id[APS_ECU_ID_LEN] != '\0') return -APS_E_ARG;
	}

	size_t total = APS_HEADER_LEN + (with_id ? APS_ECU_ID_LEN : 0) + APS_END_LEN;
	if (cap < total + 1) return -APS_E_ARG;

	/* Like a reply, a request's length field leaves out the final '\n'. */
	size_t declared = total - 1;
	char *p = buf;
	memcpy(p, "APS11", 5);
	p += 5;
	for (size_t div = 1000; div > 0; div /= 10) *p++ = (char)('0' + declared / div % 10);
	memcpy(p, code, 4);
	p += 4;
	if (with_id) {
		memcpy(p, ecu_id, APS_ECU_ID_LEN);
		p += APS_ECU_ID_LEN;
	}
	memcpy(p, "END\n", APS_END_LEN + 1);
	return (int)total;
}
