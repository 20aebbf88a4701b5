// SPDX-License-Identifier: MIT
/* fuzz_ecu_web.c - the checks of the ECU's web answers and the meter graph
 * reader (common/ecu_web.c) on raw input: never a crash, a read past len or
 * a reading from garbage. */
#include "fuzz_check.h"

#include <stdbool.h>
#include <stdint.h>

#include "ecu_web.h"

static bool zeroed(const struct ecu_meter_reading *m)
{
	return fuzz_all_bytes(m, sizeof(*m), 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: ASan sees any read past len. */
	char *body = malloc(size ? size : 1);
	if (body == NULL) return 0;
	memcpy(body, data, size);

	struct ecu_web_error err;
	struct ecu_meter_reading m;
	int rc = ecu_web_parse_meter_graph(body, size, &m, &err);
	FUZZ_CHECK(memchr(err.reason, '\0', sizeof(err.reason)) != NULL);
	if (rc == 0) {
		FUZZ_CHECK(err.code == ECU_WEB_OK);
		FUZZ_CHECK(m.has_production || m.has_grid);
		FUZZ_CHECK(m.has_consumption == (m.has_production && m.has_grid));
		for (int i = 0; i < 3; i++) {
			FUZZ_CHECK(m.production_w[i] >= -ECU_METER_WATTS_LIMIT && m.production_w[i] <= ECU_METER_WATTS_LIMIT);
			FUZZ_CHECK(m.grid_w[i] >= -ECU_METER_WATTS_LIMIT && m.grid_w[i] <= ECU_METER_WATTS_LIMIT);
			if (m.has_consumption) FUZZ_CHECK(m.consumption_w[i] == m.production_w[i] + m.grid_w[i]);
		}
	} else {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(err.code == ECU_WEB_E_GARBAGE || err.code == ECU_WEB_E_NO_DATA);
		FUZZ_CHECK(err.reason[0] != '\0');
		FUZZ_CHECK(zeroed(&m) || err.code == ECU_WEB_E_NO_DATA);
	}

	char msg[ECU_WEB_MESSAGE_MAX];
	rc = ecu_web_check_switch(body, size, msg, sizeof(msg), &err);
	FUZZ_CHECK(rc == 0 || (rc == -1 && (err.code == ECU_WEB_E_GARBAGE || err.code == ECU_WEB_E_REFUSED)));
	FUZZ_CHECK(rc != 0 || strcmp(msg, ECU_WEB_SWITCH_ACCEPTED) == 0);
	for (const char *c = msg; *c != '\0'; c++) FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
	rc = ecu_web_check_maxpower(body, size, msg, sizeof(msg), &err);
	FUZZ_CHECK(rc == 0 || err.code == ECU_WEB_E_GARBAGE);
	rc = ecu_web_check_meter_funcs(body, size, msg, sizeof(msg), &err);
	FUZZ_CHECK(rc == 0 || err.code == ECU_WEB_E_GARBAGE || err.code == ECU_WEB_E_REFUSED);
	long value = 12345;
	rc = ecu_web_check_reboot(body, size, &value, &err);
	FUZZ_CHECK(rc != 0 || value == 0);

	char field[64];
	rc = ecu_web_form_field(body, size, "ids[]", field, sizeof(field));
	FUZZ_CHECK(rc >= -2 && rc < (int)sizeof(field));
	if (rc >= 0) FUZZ_CHECK(field[rc] == '\0');
	free(body);
	return 0;
}
