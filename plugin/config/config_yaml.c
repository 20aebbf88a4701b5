// SPDX-License-Identifier: MIT
/*
 * config_yaml.c - reads aps2mqtt's YAML settings file: a mapping with ecu:
 * and mqtt: sections of KEY: value pairs.  aps2mqtt files may carry more
 * than we use, so unknown sections and keys are warned about and skipped;
 * anything not shaped like a settings file is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "alloc.h"
#include "config_internal.h"

/* A real file is a few hundred bytes; the cap keeps a wrong path (a log, a
 * disk image) from being read whole into the broker. */
#define YAML_FILE_MAX (64 * 1024)

#define LINE(node) ((unsigned long)(node)->start_mark.line + 1)
#define COLUMN(node) ((unsigned long)(node)->start_mark.column + 1)

static int read_file(struct loader *L, const char *path, unsigned char **data, size_t *len)
{
	unsigned char *buf;
	size_t used = 0;
	struct stat st;
	int fd, saved;

	/* O_NONBLOCK: a FIFO at that path must not hang the broker's start. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return config_fail(L, "%s: cannot open the aps2mqtt settings file: %s", path,
		                   strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return config_fail(L, "%s: not a regular file", path);
	}
	buf = aps_calloc(1, YAML_FILE_MAX + 1);
	if (buf == NULL) {
		close(fd);
		return config_fail(L, "%s: out of memory", path);
	}
	while (used <= YAML_FILE_MAX) {
		ssize_t n = read(fd, buf + used, YAML_FILE_MAX + 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			aps_free(buf);
			return config_fail(L, "%s: cannot read: %s", path, strerror(saved));
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > YAML_FILE_MAX) {
		aps_free(buf);
		return config_fail(L, "%s: larger than 64 KiB, not an aps2mqtt settings file", path);
	}
	*data = buf;
	*len = used;
	return 0;
}

static int syntax_error(struct loader *L, const yaml_parser_t *parser)
{
	const char *path = L->cfg->config_file;
	const char *problem = parser->problem != NULL ? parser->problem : "unknown problem";

	if (parser->error == YAML_MEMORY_ERROR)
		return config_fail(L, "%s: out of memory", path);
	if (parser->error == YAML_READER_ERROR)
		return config_fail(L, "%s: byte %lu: not valid YAML: %s", path,
		                   (unsigned long)parser->problem_offset, problem);
	if (parser->context != NULL)
		return config_fail(L, "%s:%lu:%lu: not valid YAML: %s (%s started at line %lu)", path,
		                   (unsigned long)parser->problem_mark.line + 1,
		                   (unsigned long)parser->problem_mark.column + 1, problem,
		                   parser->context, (unsigned long)parser->context_mark.line + 1);
	return config_fail(L, "%s:%lu:%lu: not valid YAML: %s", path,
	                   (unsigned long)parser->problem_mark.line + 1,
	                   (unsigned long)parser->problem_mark.column + 1, problem);
}

static const char *node_kind(const yaml_node_t *node)
{
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a single value";
	}
}

static const char *scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* aps2mqtt's example writes None for "not set"; YAML's own nulls count too. */
static bool is_null(const yaml_node_t *node)
{
	const char *text = scalar_text(node);

	if (node->type != YAML_SCALAR_NODE)
		return false;
	if (node->data.scalar.length == 0)
		return true;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return strcmp(text, "~") == 0 || strcasecmp(text, "null") == 0 ||
	       strcasecmp(text, "none") == 0;
}

/* A scalar may hold "\0" escapes, which C strings would silently cut. */
static bool has_nul(const yaml_node_t *node)
{
	return strlen(scalar_text(node)) != node->data.scalar.length;
}

static int read_setting(struct loader *L, const char *section, const yaml_node_t *key,
                        const yaml_node_t *value)
{
	const char *path = L->cfg->config_file;
	const char *name = scalar_text(key), *home, *why;
	struct origin from = {FROM_YAML, LINE(key)};
	char shown[CONFIG_SHOWN_SIZE];
	enum opt_id id;

	config_quote(name, shown, sizeof(shown));
	if (!has_nul(key) && config_find_aps2mqtt(name, &id, &home)) {
		if (strcasecmp(home, section) != 0) {
			config_log(L, APS_CONFIG_WARNING, "%s:%lu: %s belongs in the %s: section, ignored",
			           path, from.line, shown, home);
			return 0;
		}
		if (value->type != YAML_SCALAR_NODE)
			return config_fail_at(L, id, from, "is %s, not a single value", node_kind(value));
		if (is_null(value))
			return 0;
		if (has_nul(value)) {
			if (id != OPT_WIFI_PASSWD)
				config_quote(scalar_text(value), shown, sizeof(shown));
			return config_fail_at(L, id, from, "%s holds a NUL byte",
			                      id == OPT_WIFI_PASSWD ? "(hidden)" : shown);
		}
		return config_apply(L, id, scalar_text(value), from);
	}
	why = has_nul(key) ? NULL : config_ignored_key(name, &home);
	if (why != NULL && strcasecmp(home, section) == 0)
		config_log(L, APS_CONFIG_INFO, "%s:%lu: %s is ignored: %s", path, from.line, name, why);
	else
		config_log(L, APS_CONFIG_WARNING, "%s:%lu: unknown key %s in the %s: section, ignored",
		           path, from.line, shown, section);
	return 0;
}

static int read_section(struct loader *L, yaml_document_t *doc, const char *section,
                        const yaml_node_t *map)
{
	const char *path = L->cfg->config_file;
	const yaml_node_pair_t *pair;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return config_fail(L, "%s:%lu:%lu: %s: is %s, not a mapping of KEY: value settings",
		                   path, LINE(map), COLUMN(map), section, node_kind(map));
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *key = yaml_document_get_node(doc, pair->key);
		const yaml_node_t *value = yaml_document_get_node(doc, pair->value);

		if (key == NULL || value == NULL)
			continue;
		if (key->type != YAML_SCALAR_NODE)
			return config_fail(L, "%s:%lu:%lu: a key in %s: is %s, not a name", path,
			                   LINE(key), COLUMN(key), section, node_kind(key));
		if (read_setting(L, section, key, value) != 0)
			return -1;
	}
	return 0;
}

static int read_document(struct loader *L, yaml_document_t *doc)
{
	static const char *const sections[] = {"ecu", "mqtt"};
	const char *path = L->cfg->config_file;
	const yaml_node_t *root = yaml_document_get_root_node(doc);
	const yaml_node_pair_t *pair;
	char shown[CONFIG_SHOWN_SIZE];
	size_t i;

	if (root == NULL || is_null(root)) {
		config_log(L, APS_CONFIG_WARNING, "%s: empty, no settings read", path);
		return 0;
	}
	if (root->type != YAML_MAPPING_NODE)
		return config_fail(L, "%s:%lu:%lu: the file is %s, not a mapping with ecu: and mqtt:",
		                   path, LINE(root), COLUMN(root), node_kind(root));
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		const yaml_node_t *key = yaml_document_get_node(doc, pair->key);
		const yaml_node_t *value = yaml_document_get_node(doc, pair->value);
		const char *section = NULL;

		if (key == NULL || value == NULL)
			continue;
		if (key->type != YAML_SCALAR_NODE)
			return config_fail(L, "%s:%lu:%lu: a section name is %s, not a name", path,
			                   LINE(key), COLUMN(key), node_kind(key));
		for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
			if (!has_nul(key) && strcasecmp(scalar_text(key), sections[i]) == 0)
				section = sections[i];
		}
		if (section == NULL) {
			config_quote(scalar_text(key), shown, sizeof(shown));
			config_log(L, APS_CONFIG_WARNING, "%s:%lu: unknown section %s, ignored", path,
			           LINE(key), shown);
		} else if (read_section(L, doc, section, value) != 0) {
			return -1;
		}
	}
	return 0;
}

int config_read_yaml(struct loader *L)
{
	const char *path = L->cfg->config_file;
	yaml_parser_t parser;
	yaml_document_t doc;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = -1;

	if (read_file(L, path, &data, &len) != 0)
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		aps_free(data);
		return config_fail(L, "%s: out of memory", path);
	}
	yaml_parser_set_input_string(&parser, data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(L, &parser);
		goto out;
	}
	rc = read_document(L, &doc);
	yaml_document_delete(&doc);
	if (rc != 0)
		goto out;

	/* Like aps2mqtt's loader, refuse a second document rather than guess. */
	rc = -1;
	if (!yaml_parser_load(&parser, &doc)) {
		syntax_error(L, &parser);
		goto out;
	}
	if (yaml_document_get_root_node(&doc) != NULL)
		config_fail(L, "%s:%lu: a second YAML document; a settings file holds one", path,
		            (unsigned long)doc.start_mark.line + 1);
	else
		rc = 0;
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	aps_free(data);
	return rc;
}
