// SPDX-License-Identifier: MIT
/*
 * alloc.h - the plugin's memory, routed through the broker's allocator when
 * running inside it (so memory_limit and the broker's accounting see it), and
 * through libc in unit tests.  Never mix the two for one pointer.
 */
#ifndef APS_ALLOC_H
#define APS_ALLOC_H

#include <stddef.h>

void *aps_calloc(size_t nmemb, size_t size);
void *aps_realloc(void *ptr, size_t size);
void aps_free(void *ptr);

#endif
