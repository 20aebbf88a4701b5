// SPDX-License-Identifier: MIT
/*
 * json_flat.h - the text of a flat JSON object, the same bytes as
 * cJSON_PrintUnformatted() gives, without its sprintf/sscanf per number.
 *
 * cJSON formats every number with sprintf("%1.15g") and reads it back with
 * sscanf(): three quarters of a poll cycle's CPU time (tests/bench).  Our
 * state payloads are flat objects of small integers and tenths, so they are
 * written here, most numbers without any sprintf.
 */
#ifndef APS_JSON_FLAT_H
#define APS_JSON_FLAT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* The text of obj into buf (no NUL), its length in *len; false when obj is
 * not a flat object (a member is an array or object), or the text does not
 * fit cap: then ask cJSON. */
bool json_print_flat(const cJSON *obj, char *buf, size_t cap, size_t *len);

#endif
