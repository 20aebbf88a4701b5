// SPDX-License-Identifier: MIT
/*
 * harness.c - see harness.h; main() runs every configuration test.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "tz.h"

#define LOG_MAX 32

int aps_check_passed, aps_check_failed; /* declared by aps_check.h */
char aps_check_label[APS_CHECK_LABEL_MAX];
char err[ERR_SIZE];
char tmpdir[64];

/* --- log capture --- */

struct logbook {
	int count;
	int level[LOG_MAX];
	char line[LOG_MAX][ERR_SIZE];
};

static struct logbook book;

static void record(void *ctx, int level, const char *msg)
{
	struct logbook *b = ctx;

	CHECK(strstr(msg, PASSWORD) == NULL);
	CHECK(strstr(msg, BROKER_PASSWORD) == NULL);
	CHECK(strchr(msg, '\n') == NULL);
	if (b->count < LOG_MAX) {
		b->level[b->count] = level;
		snprintf(b->line[b->count], ERR_SIZE, "%s", msg);
	}
	b->count++;
}

int logged(int level, const char *part)
{
	int i, n = 0;

	for (i = 0; i < book.count && i < LOG_MAX; i++) {
		if ((level < 0 || book.level[i] == level) && strstr(book.line[i], part) != NULL)
			n++;
	}
	return n;
}

int log_count(void)
{
	return book.count;
}

/* --- files --- */

static char paths[32][128];
static int path_count;

const char *write_file_n(const char *name, const char *text, size_t len)
{
	char *path = paths[path_count < 31 ? path_count++ : 31];
	FILE *f;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

const char *write_file(const char *name, const char *text)
{
	return write_file_n(name, text, strlen(text));
}

/* --- loading --- */

int load_env(struct aps_config *cfg, const struct aps_config_opt *opts, int count,
             const char *const *env)
{
	char *envp[16];
	int i, rc;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		envp[i] = strdup(env[i]);
	envp[i] = NULL;
	memset(&book, 0, sizeof(book));
	memset(err, 'x', sizeof(err));
	rc = aps_config_load(cfg, opts, count, envp, record, &book, err, sizeof(err));
	for (i = 0; envp[i] != NULL; i++)
		free(envp[i]); /* the config must not point into it */
	CHECK(strstr(err, PASSWORD) == NULL);
	CHECK(strstr(err, BROKER_PASSWORD) == NULL);
	CHECK(strchr(err, '\n') == NULL);
	if (rc == 0)
		CHECK(err[0] == '\0');
	else
		CHECK(cfg->ecus == NULL && cfg->ecu_count == 0 && cfg->config_file == NULL);
	return rc;
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	int i;

	snprintf(tmpdir, sizeof(tmpdir), "%s/aps-config-XXXXXX",
	         base != NULL && strlen(base) < 40 ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_options();
	test_yaml();
	test_reload();

	for (i = 0; i < path_count; i++)
		unlink(paths[i]);
	char dir[96];
	snprintf(dir, sizeof(dir), "%s/conf.d", tmpdir);
	rmdir(dir); /* test_reload's include_dir */
	rmdir(tmpdir);
	/* Zone checks read zones through common/tz.c, which keeps them parsed
	 * until told otherwise (as the plugin does at unload). */
	aps_tz_forget();
	return aps_check_report("test_config");
}
