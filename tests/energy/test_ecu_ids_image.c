// SPDX-License-Identifier: MIT
/* Which ECU answered at which address, as kept in the state file
 * (plugin/store/ecu_ids_image.c): a round trip; every cut, a bad byte in each
 * field, a duplicate and a count too large refused; and a version 1 state
 * file (the energy image alone, from before the addresses) still read. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aps_check.h"
#include "alloc.h"
#include "ecu_ids_image.h"
#include "state_file.h"

static struct ecu_id_entry out[ECU_IDS_MAX];

static void test_round_trip(void)
{
	const struct ecu_id_entry in[3] = {
		{ "192.168.1.42:8899", "216200000001" },
		{ "[fd00::1]:8899", "215000000002" },
		{ "ecu.lan:9000", "216300000003" },
	};
	uint8_t buf[1024];
	size_t size = ecu_ids_image_size(in, 3), n = 99;
	char why[128];
	CHECK(size < sizeof(buf));
	ecu_ids_image_encode(in, 3, buf);
	CHECK(ecu_ids_image_decode(buf, size, out, &n, why, sizeof(why)) == 0);
	CHECK(n == 3);
	for (size_t i = 0; i < 3 && i < n; i++)
		CHECK(strcmp(out[i].addr, in[i].addr) == 0 && strcmp(out[i].ecu_id, in[i].ecu_id) == 0);
	/* Every shorter or longer buffer is refused, with a reason. */
	for (size_t cut = 0; cut < size; cut++) {
		why[0] = '\0';
		CHECK(ecu_ids_image_decode(buf, cut, out, &n, why, sizeof(why)) == -1 && why[0]);
	}
	buf[size] = 0;
	CHECK(ecu_ids_image_decode(buf, size + 1, out, &n, why, sizeof(why)) == -1);
	/* A bad byte in the address, in the id; a zero-length address. */
	uint8_t bad[1024];
	memcpy(bad, buf, size);
	bad[4 + 2] = ' ';
	CHECK(ecu_ids_image_decode(bad, size, out, &n, why, sizeof(why)) == -1);
	memcpy(bad, buf, size);
	bad[4 + 2 + strlen(in[0].addr)] = 'a';
	CHECK(ecu_ids_image_decode(bad, size, out, &n, why, sizeof(why)) == -1);
	memcpy(bad, buf, size);
	bad[4] = 0;
	bad[5] = 0;
	CHECK(ecu_ids_image_decode(bad, size, out, &n, why, sizeof(why)) == -1);
	/* The same address twice. */
	const struct ecu_id_entry twice[2] = { in[0], { "192.168.1.42:8899", "216200000009" } };
	ecu_ids_image_encode(twice, 2, bad);
	CHECK(ecu_ids_image_decode(bad, ecu_ids_image_size(twice, 2), out, &n, why, sizeof(why)) == -1);
	CHECK(strstr(why, "twice") != NULL);
	/* More entries than the table holds. */
	const uint8_t many[4] = { 0x01, 0x01, 0, 0 };
	CHECK(ecu_ids_image_decode(many, 4, out, &n, why, sizeof(why)) == -1);
	/* None at all is a valid, empty table. */
	const uint8_t none[4] = { 0 };
	CHECK(ecu_ids_image_decode(none, 4, out, &n, why, sizeof(why)) == 0 && n == 0);
}

/* A frame as version 1 wrote it: still read, and says it is version 1. */
static void test_version_1_read(void)
{
	char dir[] = "/tmp/aps-ids-XXXXXX", path[64];
	if (!CHECK(mkdtemp(dir) != NULL)) return;
	snprintf(path, sizeof(path), "%s/state", dir);
	const uint8_t payload[4] = { 0, 0, 0, 0 }; /* an energy image of no ECU */
	uint8_t frame[STATE_FILE_HEADER + sizeof(payload) + STATE_FILE_TRAILER] = { 'A', 'P', 'S', 'E',
		                                                                     'S', 'T', 'A', 'T' };
	frame[8] = 1;               /* version 1 */
	frame[12] = sizeof(payload); /* payload length */
	frame[16] = 7;              /* generation 7 */
	memcpy(frame + STATE_FILE_HEADER, payload, sizeof(payload));
	uint32_t crc = state_file_crc32(frame, sizeof(frame) - STATE_FILE_TRAILER);
	for (int b = 0; b < 4; b++) frame[sizeof(frame) - 4 + b] = (uint8_t)(crc >> (8 * b));
	FILE *f = fopen(path, "wb");
	if (!CHECK(f != NULL)) return;
	CHECK(fwrite(frame, 1, sizeof(frame), f) == sizeof(frame));
	fclose(f);
	struct state_gen gens[2];
	CHECK(state_file_load(path, gens) == 1);
	CHECK(gens[0].ok && gens[0].version == 1 && gens[0].seq == 7 && gens[0].len == sizeof(payload));
	state_file_gens_free(gens);
	/* A version from the future is refused, not misread. */
	frame[8] = STATE_FILE_VERSION + 1;
	crc = state_file_crc32(frame, sizeof(frame) - STATE_FILE_TRAILER);
	for (int b = 0; b < 4; b++) frame[sizeof(frame) - 4 + b] = (uint8_t)(crc >> (8 * b));
	f = fopen(path, "wb");
	if (!CHECK(f != NULL)) return;
	CHECK(fwrite(frame, 1, sizeof(frame), f) == sizeof(frame));
	fclose(f);
	CHECK(state_file_load(path, gens) == 0 && strstr(gens[0].why, "format version") != NULL);
	state_file_gens_free(gens);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_round_trip();
	test_version_1_read();
	return aps_check_report("test_ecu_ids_image");
}
