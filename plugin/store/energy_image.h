// SPDX-License-Identifier: MIT
/*
 * energy_image.h - the per-ECU energy state (energy_split.h) as the payload
 * of the state file (state_file.h), and back.
 *
 * Little-endian, doubles as IEEE 754 bits:
 *   u32 ECU count, then per ECU:
 *     12 ASCII digits ECU id, u8 flags (1 dated, 2 have_last), i32 date,
 *     i64 last_s, f64 factor, u32 inverter count, then per inverter:
 *       12 lowercase hex digits UID, u8 channels (0..4), u8 sampled,
 *       i64 last_s, i32 seen_date, then per channel:
 *         f64 raw_wh, f64 today_wh, f64 closed_wh, f64 last_w
 * A file is read as hostile: every count against the bytes left and the
 * limits, every id and UID by its alphabet, every number finite, >= 0 and
 * below a bound no installation reaches, nothing left over.
 */
#ifndef APS_ENERGY_IMAGE_H
#define APS_ENERGY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "energy_split.h"

/* At most this many ECUs in one file (the plugin's own limit). */
#define ENERGY_IMAGE_ECUS_MAX 256

size_t energy_image_size(const struct esplit *const *ecus, size_t n);
void energy_image_encode(const struct esplit *const *ecus, size_t n, uint8_t *out);

/* On success *out is a new array of *n states (esplit_free each, then
 * aps_free the array) and 0 is returned; else -1 with why set. */
int energy_image_decode(const uint8_t *p, size_t len, struct esplit **out, size_t *n, char *why, size_t cap);

#endif
