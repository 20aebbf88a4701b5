// SPDX-License-Identifier: MIT
/*
 * aps_random.h - reproducible pseudo-random numbers for the unit tests: the
 * same sequence on every run (a failure can be replayed), no libc state, the
 * state in the caller's hands.
 */
#ifndef APS_RANDOM_H
#define APS_RANDOM_H

#include <stdint.h>

/* Marsaglia's xorshift64: state must not be 0. */
static inline uint64_t aps_xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* xorshift64*: the same, with its low bits better mixed. */
static inline uint64_t aps_xorshift64star(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1du;
}

#endif
