// SPDX-License-Identifier: MIT
/* The two-generation state file (plugin/store/state_file.c): torn and
 * damaged files fall back to the other generation, 1,000 writers killed at
 * random moments never leave less than what they had reported saved, and
 * (with --tmpfs, as root) a full disk and a read-only file system keep the
 * last generation readable. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "aps_check.h"
#include "aps_random.h"
#include "alloc.h"
#include "state_file.h"

/* A state of about 80 inverters: each 8-byte word holds the generation. */
#define PAYLOAD 12000

static int save(const char *path, uint64_t seq, char *err, size_t cap)
{
	size_t size;
	uint8_t *buf = state_file_buffer(PAYLOAD, &size);
	for (size_t i = 0; i + 8 <= PAYLOAD; i += 8) memcpy(buf + STATE_FILE_HEADER + i, &seq, 8);
	int rc = state_file_write(path, seq, buf, size, err, cap);
	aps_free(buf);
	return rc;
}

/* The newest valid generation, checked to hold what was written with it; 0 when none. */
static uint64_t newest(const char *path, int *valid)
{
	struct state_gen g[2];
	*valid = state_file_load(path, g);
	uint64_t seq = 0;
	if (*valid > 0) {
		seq = g[0].seq;
		bool same = g[0].len == PAYLOAD;
		for (size_t i = 0; same && i + 8 <= PAYLOAD; i += 8) same = memcmp(g[0].payload + i, &seq, 8) == 0;
		CHECKF(same, "generation %llu does not hold its own data", (unsigned long long)seq);
		if (*valid == 2) CHECK(g[1].seq < g[0].seq);
	}
	state_file_gens_free(g);
	return seq;
}

static void make_dir(char *dir, size_t cap)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(dir, cap, "%s/aps-state-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static void test_damage(const char *dir)
{
	char path[512], err[256], slot0[520];
	snprintf(path, sizeof(path), "%s/damage.state", dir);
	snprintf(slot0, sizeof(slot0), "%s", path);
	int valid;
	CHECK(newest(path, &valid) == 0 && valid == 0); /* missing: nothing, no error */
	CHECK(save(path, 1, err, sizeof(err)) == 0);
	CHECK(save(path, 2, err, sizeof(err)) == 0);
	CHECK(newest(path, &valid) == 2 && valid == 2);
	/* Generation 2 is in <path> (even): damage each byte of it in turn. */
	FILE *f = fopen(slot0, "rb");
	static uint8_t orig[PAYLOAD + 64];
	size_t n = fread(orig, 1, sizeof(orig), f);
	fclose(f);
	CHECK(n == PAYLOAD + STATE_FILE_HEADER + STATE_FILE_TRAILER);
	for (size_t i = 0; i < n; i += (i < 64 || i > n - 64) ? 1 : 97) {
		orig[i] ^= 0x20;
		f = fopen(slot0, "wb");
		fwrite(orig, 1, n, f);
		fclose(f);
		orig[i] ^= 0x20;
		CHECKF(newest(path, &valid) == 1 && valid == 1, "byte %zu damaged: not generation 1", i);
	}
	/* Torn: cut short at every length. */
	for (size_t len = 0; len < n; len += len < 64 ? 1 : 211) {
		f = fopen(slot0, "wb");
		fwrite(orig, 1, len, f);
		fclose(f);
		CHECKF(newest(path, &valid) == 1, "cut at %zu: not generation 1", len);
	}
	/* Both damaged: nothing valid, both reported. */
	char slot1[530];
	snprintf(slot1, sizeof(slot1), "%s.1", path);
	truncate(slot1, 10);
	struct state_gen g[2];
	CHECK(state_file_load(path, g) == 0 && g[0].exists && g[1].exists && g[0].why[0] && g[1].why[0]);
	state_file_gens_free(g);
}

static void test_saver(const char *dir)
{
	struct state_saver sv;
	memset(&sv, 0, sizeof(sv));
	snprintf(sv.path, sizeof(sv.path), "%s/saver.state", dir);
	size_t size;
	uint8_t *buf = state_file_buffer(PAYLOAD, &size);
	uint64_t seq = 7;
	for (size_t i = 0; i + 8 <= PAYLOAD; i += 8) memcpy(buf + STATE_FILE_HEADER + i, &seq, 8);
	CHECK(state_saver_start(&sv, buf, size, 7) == 0);
	uint8_t *other = state_file_buffer(16, &size);
	CHECK(state_saver_start(&sv, other, size, 8) == 1); /* never two at once */
	aps_free(other);
	int r;
	while ((r = state_saver_poll(&sv)) == 0) usleep(100);
	CHECK(r == 1 && !state_saver_busy(&sv));
	int valid;
	CHECK(newest(sv.path, &valid) == 7);
	/* A failed save says why. */
	snprintf(sv.path, sizeof(sv.path), "%s/no/such/dir/x.state", dir);
	buf = state_file_buffer(16, &size);
	CHECK(state_saver_start(&sv, buf, size, 1) == 0);
	while ((r = state_saver_poll(&sv)) == 0) usleep(100);
	CHECK(r == -1 && strstr(sv.err, "cannot create") != NULL);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { return aps_xorshift64(&rng); }

/* A writer saving generation after generation, killed at a random moment;
 * it reports each finished save on a pipe.  What is read back afterwards is
 * never older than the last reported save, and both generations are whole. */
static void test_kills(const char *dir, int rounds)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/kill.state", dir);
	int valid, lost = 0, mid = 0;
	uint64_t confirmed_total = 0;
	for (int k = 0; k < rounds; k++) {
		uint64_t start = newest(path, &valid);
		int fds[2];
		if (pipe(fds) != 0) return;
		pid_t pid = fork();
		if (pid == 0) {
			close(fds[0]);
			char err[256];
			for (uint64_t seq = start + 1;; seq++) {
				if (save(path, seq, err, sizeof(err)) != 0) _exit(3);
				if (write(fds[1], &seq, 8) != 8) _exit(4);
			}
		}
		close(fds[1]);
		usleep((useconds_t)(next() % 4000));
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		CHECKF(WIFSIGNALED(status), "round %d: the writer stopped by itself (%d)", k, status);
		uint64_t seq, confirmed = start;
		while (read(fds[0], &seq, 8) == 8) confirmed = seq;
		close(fds[0]);
		uint64_t got = newest(path, &valid);
		CHECKF(got >= confirmed, "round %d: read generation %llu, %llu was reported saved", k,
		       (unsigned long long)got, (unsigned long long)confirmed);
		if (got > 0) CHECKF(got >= start, "round %d: went back from %llu to %llu", k, (unsigned long long)start,
		                    (unsigned long long)got);
		if (confirmed >= 2) CHECKF(valid == 2, "round %d: %d generations whole", k, valid);
		lost += got > confirmed; /* saved, killed before it could say so */
		struct stat st;
		char tmp[520];
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		mid += stat(tmp, &st) == 0;
		confirmed_total += confirmed - start;
	}
	printf("test_state_file: %d kills, %llu saves reported, %d killed with a temp file left, %d between save and "
	       "report\n", rounds, (unsigned long long)confirmed_total, mid, lost);
}

/* A full disk, then a read-only file system, on a small tmpfs. */
static int test_tmpfs(void)
{
	if (geteuid() != 0) {
		printf("test_state_file --tmpfs: not root: skipped\n");
		return 77;
	}
	char dir[256], path[300], filler[300], err[256];
	make_dir(dir, sizeof(dir));
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
		printf("test_state_file --tmpfs: cannot mount a tmpfs (%s): skipped\n", strerror(errno));
		remove_dir(dir);
		return 77;
	}
	snprintf(path, sizeof(path), "%s/full.state", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	int valid;
	CHECK(save(path, 1, err, sizeof(err)) == 0);
	int fd = open(filler, O_WRONLY | O_CREAT, 0600);
	static uint8_t block[4096];
	while (write(fd, block, sizeof(block)) > 0) {}
	while (write(fd, block, 1) > 0) {}
	close(fd);
	CHECK(save(path, 2, err, sizeof(err)) != 0);
	CHECKF(strstr(err, "No space") != NULL, "disk full: %s", err);
	CHECK(newest(path, &valid) == 1);
	char tmp[310];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	CHECK(access(tmp, F_OK) != 0); /* the partial temp file is gone, its space back */
	unlink(filler);
	CHECK(save(path, 2, err, sizeof(err)) == 0);
	CHECK(newest(path, &valid) == 2 && valid == 2);
	CHECK(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	CHECK(save(path, 3, err, sizeof(err)) != 0);
	CHECKF(strstr(err, "Read-only") != NULL, "read-only: %s", err);
	CHECK(newest(path, &valid) == 2 && valid == 2);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return aps_check_report("test_state_file --tmpfs");
}

/* Our CRC-32 (kept hand-written: a constant table, safe on the saver's
 * thread, no library for 15 lines) is zlib's, byte for byte. */
static void test_crc32(void)
{
	CHECK(state_file_crc32((const uint8_t *)"123456789", 9) == 0xcbf43926u);
	CHECK(state_file_crc32(NULL, 0) == (uint32_t)crc32(0L, Z_NULL, 0));
	uint64_t seed = 0x2545f4914f6cdd1du;
	static uint8_t buf[4096];
	for (size_t len = 1; len <= sizeof(buf); len = len * 3 / 2 + 1) {
		for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)aps_xorshift64(&seed);
		uint32_t want = (uint32_t)crc32(0L, buf, (uInt)len);
		CHECKF(state_file_crc32(buf, len) == want, "length %zu", len);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--tmpfs") == 0) return test_tmpfs();
	char dir[256];
	make_dir(dir, sizeof(dir));
	rng ^= (uint64_t)time(NULL);
	test_crc32();
	test_damage(dir);
	test_saver(dir);
	test_kills(dir, argc > 1 ? atoi(argv[1]) : 1000);
	remove_dir(dir);
	return aps_check_report("test_state_file");
}
