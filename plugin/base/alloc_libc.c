// SPDX-License-Identifier: MIT
#include "alloc.h"

#include <stdlib.h>

void *aps_calloc(size_t nmemb, size_t size) { return calloc(nmemb, size); }
void *aps_realloc(void *ptr, size_t size) { return realloc(ptr, size); }
void aps_free(void *ptr) { free(ptr); }
