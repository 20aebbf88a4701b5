// SPDX-License-Identifier: MIT
/* state_file.c - the two-generation file described in state_file.h. */
#define _DEFAULT_SOURCE
#include "state_file.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"

/* Messages name the file: a long path is cut, not an error. */
__attribute__((format(printf, 3, 4))) static void say(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
}

static const char magic[8] = { 'A', 'P', 'S', 'E', 'S', 'T', 'A', 'T' };

/* Four bits at a time: a 16-entry constant table, nothing to initialise,
 * so the helper thread may run it. */
uint32_t state_file_crc32(const uint8_t *p, size_t n)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ nibble[crc & 15];
		crc = (crc >> 4) ^ nibble[crc & 15];
	}
	return ~crc;
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool slot_path(char *out, const char *path, unsigned slot)
{
	int n = slot ? snprintf(out, STATE_FILE_PATH_MAX, "%s.1", path) : snprintf(out, STATE_FILE_PATH_MAX, "%s", path);
	return n > 0 && n < STATE_FILE_PATH_MAX;
}

uint8_t *state_file_buffer(size_t payload_len, size_t *size)
{
	if (payload_len > STATE_FILE_PAYLOAD_MAX) return NULL;
	*size = STATE_FILE_HEADER + payload_len + STATE_FILE_TRAILER;
	return aps_calloc(1, *size);
}

/* Reads one slot; sets g->ok only for a whole, matching frame. */
static void read_slot(const char *path, unsigned slot, struct state_gen *g)
{
	char name[STATE_FILE_PATH_MAX];
	memset(g, 0, sizeof(*g));
	if (!slot_path(name, path, slot)) {
		say(g->why, sizeof(g->why), "path too long");
		return;
	}
	int fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT) {
			g->exists = true;
			say(g->why, sizeof(g->why), "%s: cannot open: %s", name, strerror(errno));
		}
		return;
	}
	g->exists = true;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < (off_t)(STATE_FILE_HEADER + STATE_FILE_TRAILER) ||
	    st.st_size > (off_t)(STATE_FILE_HEADER + STATE_FILE_PAYLOAD_MAX + STATE_FILE_TRAILER)) {
		say(g->why, sizeof(g->why), "%s: not a state file (size)", name);
		close(fd);
		return;
	}
	size_t size = (size_t)st.st_size, got = 0;
	uint8_t *buf = aps_calloc(1, size);
	if (!buf) {
		say(g->why, sizeof(g->why), "%s: out of memory", name);
		close(fd);
		return;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		got += (size_t)n;
	}
	close(fd);
	uint64_t len = got >= STATE_FILE_HEADER ? get_le(buf + 12, 4) : 0;
	if (got != size || memcmp(buf, magic, sizeof(magic)) != 0) {
		say(g->why, sizeof(g->why), "%s: not a state file", name);
	} else if (get_le(buf + 8, 4) < STATE_FILE_VERSION_OLDEST || get_le(buf + 8, 4) > STATE_FILE_VERSION) {
		say(g->why, sizeof(g->why), "%s: format version %u, not %u to %u", name, (unsigned)get_le(buf + 8, 4),
		    STATE_FILE_VERSION_OLDEST, STATE_FILE_VERSION);
	} else if (len != size - STATE_FILE_HEADER - STATE_FILE_TRAILER) {
		say(g->why, sizeof(g->why), "%s: cut short or extended (torn write?)", name);
	} else if (state_file_crc32(buf, size - STATE_FILE_TRAILER) != (uint32_t)get_le(buf + size - 4, 4)) {
		say(g->why, sizeof(g->why), "%s: checksum mismatch (torn or damaged)", name);
	} else {
		g->ok = true;
		g->seq = get_le(buf + 16, 8);
		g->version = (uint32_t)get_le(buf + 8, 4);
		g->payload = buf + STATE_FILE_HEADER;
		g->len = (size_t)len;
		g->buf = buf;
		return;
	}
	aps_free(buf);
}

int state_file_load(const char *path, struct state_gen gens[2])
{
	read_slot(path, 0, &gens[0]);
	read_slot(path, 1, &gens[1]);
	bool swap = (!gens[0].ok && gens[1].ok) || (gens[0].ok && gens[1].ok && gens[1].seq > gens[0].seq);
	if (swap) {
		struct state_gen t = gens[0];
		gens[0] = gens[1];
		gens[1] = t;
	}
	return gens[0].ok + gens[1].ok;
}

void state_file_gens_free(struct state_gen gens[2])
{
	for (int i = 0; i < 2; i++) {
		aps_free(gens[i].buf);
		gens[i].buf = gens[i].payload = NULL;
		gens[i].ok = false;
	}
}

static int fail(char *err, size_t cap, const char *step, const char *name)
{
	int e = errno;
	say(err, cap, "%s %s: %s", step, name, strerror(e));
	errno = e;
	return -1;
}

int state_file_write(const char *path, uint64_t seq, uint8_t *buf, size_t size, char *err, size_t cap)
{
	char tmp[STATE_FILE_PATH_MAX], final[STATE_FILE_PATH_MAX], dir[STATE_FILE_PATH_MAX];
	if (size < STATE_FILE_HEADER + STATE_FILE_TRAILER || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp) ||
	    !slot_path(final, path, (unsigned)(seq & 1))) {
		snprintf(err, cap, "state file path too long");
		return -1;
	}
	memcpy(buf, magic, sizeof(magic));
	put_le(buf + 8, STATE_FILE_VERSION, 4);
	put_le(buf + 12, size - STATE_FILE_HEADER - STATE_FILE_TRAILER, 4);
	put_le(buf + 16, seq, 8);
	put_le(buf + size - 4, state_file_crc32(buf, size - STATE_FILE_TRAILER), 4);

	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) return fail(err, cap, "cannot create", tmp);
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) {
			if (n == 0) errno = ENOSPC;
			fail(err, cap, "cannot write", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		done += (size_t)n;
	}
	/* The data must be on disk before the name points at it: otherwise a
	 * power cut can leave the new name on an empty or partial file. */
	if (fsync(fd) != 0) {
		fail(err, cap, "cannot sync", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		fail(err, cap, "cannot close", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, final) != 0) {
		fail(err, cap, "cannot rename to", final);
		unlink(tmp);
		return -1;
	}
	/* And the rename itself must reach the disk. */
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir) slash[1] = '\0';
	else if (slash) *slash = '\0';
	else snprintf(dir, sizeof(dir), ".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) return fail(err, cap, "cannot open directory", dir);
	int rc = fsync(dfd);
	int e = errno;
	close(dfd);
	errno = e;
	/* Some file systems refuse to sync a directory; the data is there. */
	if (rc != 0 && errno != EINVAL && errno != EBADF) return fail(err, cap, "cannot sync directory", dir);
	return 0;
}

static void *save_thread(void *arg)
{
	struct state_saver *sv = arg;
	sv->rc = state_file_write(sv->path, sv->seq, sv->buf, sv->size, sv->err, sizeof(sv->err));
	atomic_store_explicit(&sv->done, true, memory_order_release);
	return NULL;
}

bool state_saver_busy(const struct state_saver *sv)
{
	return sv->running;
}

int state_saver_start(struct state_saver *sv, uint8_t *buf, size_t size, uint64_t seq)
{
	if (sv->running) return 1;
	sv->buf = buf;
	sv->size = size;
	sv->seq = seq;
	sv->rc = 0;
	sv->err[0] = '\0';
	atomic_store(&sv->done, false);
	if (pthread_create(&sv->thread, NULL, save_thread, sv) != 0) {
		say(sv->err, sizeof(sv->err), "cannot start a thread to write %s", sv->path);
		aps_free(sv->buf);
		sv->buf = NULL;
		return -1;
	}
	sv->running = true;
	return 0;
}

int state_saver_poll(struct state_saver *sv)
{
	if (!sv->running || !atomic_load_explicit(&sv->done, memory_order_acquire)) return 0;
	pthread_join(sv->thread, NULL); /* already finished: returns at once */
	sv->running = false;
	aps_free(sv->buf);
	sv->buf = NULL;
	return sv->rc == 0 ? 1 : -1;
}

void state_saver_wait(struct state_saver *sv)
{
	if (!sv->running) return;
	pthread_join(sv->thread, NULL);
	sv->running = false;
	aps_free(sv->buf);
	sv->buf = NULL;
}
