// SPDX-License-Identifier: MIT
/* state_path.c - see state_path.h. */
#define _DEFAULT_SOURCE
#include "state_path.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int join(char *out, size_t cap, const char *dir)
{
	size_t n = strlen(dir);
	int len = snprintf(out, cap, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", STATE_PATH_NAME);
	return len > 0 && (size_t)len < cap ? 0 : -1;
}

int state_path_from_conf(const char *conf, char *out, size_t cap)
{
	FILE *f = fopen(conf, "re");
	if (!f) return -1;
	char line[4096];
	int found = -1;
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		while (isspace((unsigned char)*s)) s++;
		static const char key[] = "persistence_location";
		if (strncmp(s, key, sizeof(key) - 1) != 0 || !isspace((unsigned char)s[sizeof(key) - 1])) continue;
		s += sizeof(key) - 1;
		while (isspace((unsigned char)*s)) s++;
		size_t n = strlen(s);
		while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
		if (n > 0 && n < cap) {
			memcpy(out, s, n + 1);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* The argument after -c / --config-file in the broker's command line. */
static int conf_from_cmdline(const char *cmd, size_t len, char *out, size_t cap)
{
	const char *end = cmd + len;
	for (const char *a = cmd; a < end; a += strnlen(a, (size_t)(end - a)) + 1) {
		if (strcmp(a, "-c") != 0 && strcmp(a, "--config-file") != 0) continue;
		const char *v = a + strlen(a) + 1;
		if (v >= end) return -1;
		size_t n = strnlen(v, (size_t)(end - v));
		if (n == 0 || n >= cap) return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

int state_path_default(const char *broker_location, const char *cmdline, size_t cmdline_len,
                       const char *fallback_dir, char *out, size_t cap, const char **source)
{
	out[0] = '\0';
	if (broker_location && broker_location[0] && join(out, cap, broker_location) == 0) {
		*source = "the broker's persistence location";
		return 0;
	}
	char buf[8192], conf[4096], dir[4096];
	if (!cmdline) {
		int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0) close(fd);
		cmdline = buf;
		cmdline_len = n > 0 ? (size_t)n : 0;
	}
	if (conf_from_cmdline(cmdline, cmdline_len, conf, sizeof(conf)) == 0 &&
	    state_path_from_conf(conf, dir, sizeof(dir)) == 0 && join(out, cap, dir) == 0) {
		*source = "persistence_location in mosquitto.conf";
		return 0;
	}
	if (fallback_dir && access(fallback_dir, W_OK) == 0 && join(out, cap, fallback_dir) == 0) {
		*source = "the default directory";
		return 0;
	}
	out[0] = '\0';
	*source = "nowhere";
	return -1;
}
