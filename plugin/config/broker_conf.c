// SPDX-License-Identifier: MIT
/*
 * broker_conf.c - reads our plugin options from the broker's configuration
 * file as the broker does (broker_conf.h says which rules of its parser).
 * Runs on the broker's thread at a reload, when the broker has just read the
 * same files itself.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "broker_conf.h"
#include "config_internal.h"

/* A name given by plugin_load, kept to follow plugin_use. */
#define NAME_MAX_LEN 128
/* More is no configuration of ours. */
#define OPTIONS_MAX 1024
#define INCLUDED_FILES_MAX 1024

struct reader {
	struct stat self;          /* our plugin file */
	bool found;                /* our plugin line has been seen */
	char name[NAME_MAX_LEN];   /* its plugin_load name, "" if none */
	struct broker_conf_opts *out;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static char *trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

/* Whether path names our plugin file; the first line that does is ours, a
 * second one (a plugin loaded twice) is another instance. */
static bool names_us(struct reader *r, const char *path)
{
	struct stat st;

	if (r->found || stat(path, &st) != 0)
		return false;
	if (st.st_dev != r->self.st_dev || st.st_ino != r->self.st_ino)
		return false;
	r->found = true;
	return true;
}

static int add_option(struct reader *r, const char *key, const char *value)
{
	struct broker_conf_opts *o = r->out;
	struct aps_config_opt *grown;
	char *k, *v;

	if (o->count >= OPTIONS_MAX)
		return fail(r, "more than %d plugin options", OPTIONS_MAX);
	grown = aps_realloc(o->opts, (size_t)(o->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return fail(r, "out of memory");
	o->opts = grown;
	k = config_strdup(key);
	v = config_strdup(value);
	if (k == NULL || v == NULL) {
		aps_free(k);
		aps_free(v);
		return fail(r, "out of memory");
	}
	o->opts[o->count].key = k;
	o->opts[o->count].value = v;
	o->count++;
	return 0;
}

static int read_file(struct reader *r, const char *path, int level);

/* Mosquitto's order for an include_dir: case-insensitive first, then case. */
static int include_order(const void *p1, const void *p2)
{
	const char *s1 = *(char *const *)p1, *s2 = *(char *const *)p2;

	for (; s1[0] && s2[0]; s1++, s2++) {
		int d = toupper((unsigned char)s1[0]) - toupper((unsigned char)s2[0]);
		if (d == 0)
			d = s1[0] - s2[0];
		if (d != 0)
			return d;
	}
	return s1[0] - s2[0];
}

static int read_dir(struct reader *r, const char *dir)
{
	DIR *d = opendir(dir);
	char **files = NULL;
	size_t count = 0, i;
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return fail(r, "include_dir %s: %s", dir, strerror(errno));
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **grown;

		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (count >= INCLUDED_FILES_MAX) {
			rc = fail(r, "include_dir %s: more than %d files", dir, INCLUDED_FILES_MAX);
			break;
		}
		grown = aps_realloc(files, (count + 1) * sizeof(*files));
		if (grown == NULL) {
			rc = fail(r, "out of memory");
			break;
		}
		files = grown;
		files[count] = aps_calloc(1, strlen(dir) + len + 2);
		if (files[count] == NULL) {
			rc = fail(r, "out of memory");
			break;
		}
		sprintf(files[count++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (rc == 0 && count > 1)
		qsort(files, count, sizeof(*files), include_order);
	for (i = 0; i < count; i++) {
		if (rc == 0)
			rc = read_file(r, files[i], 1);
		aps_free(files[i]);
	}
	aps_free(files);
	return rc;
}

/* One line, as the broker's parser splits it.  *ours: whether the plugin
 * started last in this file is ours (-1: no plugin yet, 0: another). */
static int read_line(struct reader *r, char *line, int level, int *ours)
{
	char *save = NULL, *key, *rest;

	key = strtok_r(line, " ", &save);
	if (key == NULL)
		return 0;
	rest = save != NULL ? save : (char *)"";

	if (strcmp(key, "plugin") == 0 || strcmp(key, "auth_plugin") == 0 || strcmp(key, "global_plugin") == 0) {
		*ours = names_us(r, trim(rest));
	} else if (strcmp(key, "plugin_load") == 0) {
		char *name = strtok_r(NULL, " ", &save);
		char *path = trim(save != NULL ? save : (char *)"");

		*ours = name != NULL && names_us(r, path);
		if (*ours)
			snprintf(r->name, sizeof(r->name), "%s", name);
	} else if (strcmp(key, "plugin_use") == 0) {
		rest = trim(rest);
		*ours = r->name[0] != '\0' && strcmp(rest, r->name) == 0;
	} else if (strncmp(key, "plugin_opt_", 11) == 0 || strncmp(key, "auth_opt_", 9) == 0) {
		const char *name = key + (key[0] == 'p' ? 11 : 9);

		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*ours == 1 && name[0] != '\0' && rest[0] != '\0')
			return add_option(r, name, rest);
	} else if (strcmp(key, "include_dir") == 0 && level == 0) {
		return read_dir(r, trim(rest));
	}
	return 0;
}

static int read_file(struct reader *r, const char *path, int level)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ours = -1, rc = 0;

	if (f == NULL)
		return fail(r, "%s: %s", path, strerror(errno));
	while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		rc = read_line(r, line, level, &ours);
	}
	free(line); /* getline()'s, from libc */
	fclose(f);
	return rc;
}

int broker_conf_plugin_options(const char *conf_path, const char *plugin_path, struct broker_conf_opts *out,
                               char *err, size_t errlen)
{
	struct reader r = { .out = out, .err = err, .errlen = errlen };

	out->opts = NULL;
	out->count = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (stat(plugin_path, &r.self) != 0)
		return fail(&r, "%s: %s", plugin_path, strerror(errno));
	if (read_file(&r, conf_path, 0) != 0 || (!r.found && fail(&r, "%s has no plugin line for %s any more",
	                                                           conf_path, plugin_path) != 0)) {
		broker_conf_free(out);
		return -1;
	}
	return 0;
}

void broker_conf_free(struct broker_conf_opts *o)
{
	for (int i = 0; i < o->count; i++) {
		aps_free((char *)o->opts[i].key);
		aps_free((char *)o->opts[i].value);
	}
	aps_free(o->opts);
	o->opts = NULL;
	o->count = 0;
}
