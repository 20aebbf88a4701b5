// SPDX-License-Identifier: MIT
/* ecu_ids_image.c - the codec described in ecu_ids_image.h. */
#include "ecu_ids_image.h"

#include <stdio.h>
#include <string.h>

size_t ecu_ids_image_size(const struct ecu_id_entry *ids, size_t n)
{
	size_t size = 4;
	for (size_t i = 0; i < n; i++) size += 2 + strlen(ids[i].addr) + APS_ECU_ID_LEN;
	return size;
}

void ecu_ids_image_encode(const struct ecu_id_entry *ids, size_t n, uint8_t *out)
{
	for (int b = 0; b < 4; b++) out[b] = (uint8_t)(n >> (8 * b));
	out += 4;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(ids[i].addr);
		out[0] = (uint8_t)len;
		out[1] = (uint8_t)(len >> 8);
		memcpy(out + 2, ids[i].addr, len);
		memcpy(out + 2 + len, ids[i].ecu_id, APS_ECU_ID_LEN);
		out += 2 + len + APS_ECU_ID_LEN;
	}
}

int ecu_ids_image_decode(const uint8_t *p, size_t len, struct ecu_id_entry *out, size_t *n, char *why, size_t cap)
{
	*n = 0;
	if (len < 4) {
		snprintf(why, cap, "ECU addresses: cut short");
		return -1;
	}
	uint32_t count = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	p += 4;
	len -= 4;
	if (count > ECU_IDS_MAX) {
		snprintf(why, cap, "ECU addresses: bad count %lu", (unsigned long)count);
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (len < 2) goto short_;
		size_t alen = (size_t)p[0] | (size_t)p[1] << 8;
		if (alen == 0 || alen > ECU_IDS_ADDR_MAX) {
			snprintf(why, cap, "ECU addresses: bad address length %zu", alen);
			return -1;
		}
		if (len < 2 + alen + APS_ECU_ID_LEN) goto short_;
		for (size_t k = 0; k < alen; k++)
			if (p[2 + k] < 0x21 || p[2 + k] > 0x7e) {
				snprintf(why, cap, "ECU addresses: an address is not printable ASCII");
				return -1;
			}
		for (size_t k = 0; k < APS_ECU_ID_LEN; k++)
			if (p[2 + alen + k] < '0' || p[2 + alen + k] > '9') {
				snprintf(why, cap, "ECU addresses: an ECU id is not 12 digits");
				return -1;
			}
		memcpy(out[i].addr, p + 2, alen);
		out[i].addr[alen] = '\0';
		memcpy(out[i].ecu_id, p + 2 + alen, APS_ECU_ID_LEN);
		out[i].ecu_id[APS_ECU_ID_LEN] = '\0';
		for (uint32_t k = 0; k < i; k++)
			if (strcmp(out[k].addr, out[i].addr) == 0) {
				snprintf(why, cap, "ECU addresses: %s listed twice", out[i].addr);
				return -1;
			}
		p += 2 + alen + APS_ECU_ID_LEN;
		len -= 2 + alen + APS_ECU_ID_LEN;
	}
	if (len != 0) {
		snprintf(why, cap, "ECU addresses: %zu bytes left over", len);
		return -1;
	}
	*n = count;
	return 0;
short_:
	snprintf(why, cap, "ECU addresses: cut short");
	return -1;
}
