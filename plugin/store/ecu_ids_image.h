// SPDX-License-Identifier: MIT
/*
 * ecu_ids_image.h - which ECU answered at which configured address, as a
 * section of the state file (state_file.h): so that at start the plugin can
 * say "offline" on the status topic of an ECU that does not answer yet,
 * whose id only its replies tell.
 *
 * Little-endian:
 *   u32 entry count, then per entry:
 *     u16 address length, the address ("host:port", printable ASCII),
 *     12 ASCII digits ECU id
 * Read as hostile, like energy_image.h: counts against the bytes left,
 * alphabets checked, nothing left over.
 */
#ifndef APS_ECU_IDS_IMAGE_H
#define APS_ECU_IDS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "aps_protocol.h"

#define ECU_IDS_MAX 256
#define ECU_IDS_ADDR_MAX 272 /* "host:port", host up to 253 bytes, IPv6 in brackets */

struct ecu_id_entry {
	char addr[ECU_IDS_ADDR_MAX + 1];
	char ecu_id[APS_ECU_ID_LEN + 1];
};

size_t ecu_ids_image_size(const struct ecu_id_entry *ids, size_t n);
void ecu_ids_image_encode(const struct ecu_id_entry *ids, size_t n, uint8_t *out);

/* Fills out[0..*n) (room for ECU_IDS_MAX); 0, or -1 with why set. */
int ecu_ids_image_decode(const uint8_t *p, size_t len, struct ecu_id_entry *out, size_t *n, char *why, size_t cap);

#endif
