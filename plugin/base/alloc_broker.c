// SPDX-License-Identifier: MIT
#include "alloc.h"

#include "broker_api.h"

void *aps_calloc(size_t nmemb, size_t size) { return mosquitto_calloc(nmemb, size); }
void *aps_realloc(void *ptr, size_t size) { return mosquitto_realloc(ptr, size); }
void aps_free(void *ptr) { mosquitto_free(ptr); }
