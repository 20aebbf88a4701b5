// SPDX-License-Identifier: MIT
/*
 * state_file.h - a small file that survives crashes and power cuts.
 *
 * Two generations, in two files: <path> holds the even ones, <path>.1 the
 * odd ones.  A save writes <path>.tmp, fsyncs it, renames it over the older
 * generation's file and fsyncs the directory, so at every instant at least
 * one complete generation is on disk whatever was interrupted.  Load reads
 * both and takes the newest one whose frame is whole: a torn or corrupt file
 * falls back to the other generation, never to nothing.
 *
 * Frame: "APSESTAT", u32 version, u32 payload length, u64 generation (all
 * little-endian), the payload, then the CRC-32 (IEEE) of everything before it.
 *
 * The write (fsync above all: milliseconds on a disk, seconds on a tired SD
 * card) runs on a short-lived helper thread, one at a time, so the broker's
 * thread never waits for the disk.  No allocation off the caller's thread.
 */
#ifndef APS_STATE_FILE_H
#define APS_STATE_FILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STATE_FILE_HEADER 24
#define STATE_FILE_TRAILER 4
/* Version 1's payload is the energy image alone; 2 adds the ECU addresses
 * (energy_store.c puts them together).  Both are read; 2 is written. */
#define STATE_FILE_VERSION 2u
#define STATE_FILE_VERSION_OLDEST 1u
#define STATE_FILE_PAYLOAD_MAX (8u * 1024 * 1024)
#define STATE_FILE_PATH_MAX 4096

/* One generation as read. */
struct state_gen {
	bool ok;
	uint64_t seq;
	uint32_t version;   /* of the frame, and so of its payload */
	uint8_t *payload;   /* inside buf */
	size_t len;
	uint8_t *buf;       /* aps_free() it: state_file_gens_free() */
	char why[128];      /* when !ok and the file exists: what is wrong with it */
	bool exists;
};

/* Reads both generations; gens[0] is the newer valid one when any is valid.
 * Returns the number of valid generations (0..2). */
int state_file_load(const char *path, struct state_gen gens[2]);
void state_file_gens_free(struct state_gen gens[2]);

/* A buffer with room for the frame around payload_len bytes, the payload to
 * go at buf + STATE_FILE_HEADER; *size is the whole frame's size. */
uint8_t *state_file_buffer(size_t payload_len, size_t *size);

/* Writes one generation synchronously (the frame's header and CRC are filled
 * in here).  Returns 0, or -1 with a line in err naming the step and errno. */
int state_file_write(const char *path, uint64_t seq, uint8_t *buf, size_t size, char *err, size_t cap);

/* The helper thread. */
struct state_saver {
	char path[STATE_FILE_PATH_MAX];
	pthread_t thread;
	bool running;          /* a thread was started and not yet joined */
	atomic_bool done;
	uint8_t *buf;          /* owned by the thread while running */
	size_t size;
	uint64_t seq;
	int rc;
	char err[256];
};

/* Starts writing buf (ownership passes to the saver, freed after the write).
 * Returns 0, 1 when a save is still running (buf not taken), -1 when no
 * thread could be started (buf freed, err set). */
int state_saver_start(struct state_saver *sv, uint8_t *buf, size_t size, uint64_t seq);
/* 0: running or idle; 1: a save finished well; -1: it failed (sv->err). */
int state_saver_poll(struct state_saver *sv);
/* Waits for a running save. */
void state_saver_wait(struct state_saver *sv);
bool state_saver_busy(const struct state_saver *sv);

uint32_t state_file_crc32(const uint8_t *p, size_t n);

#endif
