// SPDX-License-Identifier: MIT
/* guard.c - see guard.h. */
#include "guard.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "broker_api.h"

#include "aps_plugin.h"
#include "discovery.h"

static bool is_uid(const char *s, size_t len)
{
	if (len != APS_UID_LEN) return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
	return true;
}

static const struct ecu *ecu_by_id(const struct aps_plugin *pl, const char *id, size_t len)
{
	if (len != APS_ECU_ID_LEN) return NULL;
	for (size_t i = 0; i < pl->ecu_count; i++)
		if (memcmp(pl->ecus[i].health.ecu_id, id, len) == 0 && pl->ecus[i].health.ecu_id[len] == '\0')
			return &pl->ecus[i];
	return NULL;
}

/* P aps/<ECU_ID>[/<leaf>], the ECU being one of ours. */
static bool state_topic_ours(const struct aps_plugin *pl, const char *t)
{
	size_t base = strlen(pl->topic_base);
	if (strncmp(t, pl->topic_base, base) != 0 || strncmp(t + base, "aps/", 4) != 0) return false;
	const char *id = t + base + 4, *slash = strchr(id, '/');
	size_t id_len = slash ? (size_t)(slash - id) : strlen(id);
	if (!ecu_by_id(pl, id, id_len)) return false;
	if (!slash) return true;
	const char *leaf = slash + 1, *deeper = strchr(leaf, '/');
	/* Two levels down: a command's result and an inverter's control state
	 * (control.h); the commands themselves, cmd/<name>, are clients' to send. */
	if (deeper)
		return strcmp(leaf, "cmd/result") == 0 ||
		       (is_uid(leaf, (size_t)(deeper - leaf)) && strcmp(deeper + 1, APS_ECU_STATUS_TOPIC) == 0);
	/* control and meter: the ECU-C's export settings and meter (control.h). */
	return strcmp(leaf, APS_ECU_STATUS_TOPIC) == 0 || strcmp(leaf, APS_DIAG_TOPIC) == 0 ||
	       strcmp(leaf, APS_POWER_CYCLE_TOPIC) == 0 || strcmp(leaf, "control") == 0 || strcmp(leaf, "meter") == 0 ||
	       is_uid(leaf, strlen(leaf));
}

/* <discovery_prefix>/device/aps_<id>/config, id being one of our ECUs or one
 * of their inverters. */
static bool config_topic_ours(const struct aps_plugin *pl, const char *t)
{
	static const char mid[] = "/device/aps_", end[] = "/config";
	size_t dp = strlen(pl->cfg.discovery_prefix);
	if (!pl->cfg.discovery || strncmp(t, pl->cfg.discovery_prefix, dp) != 0 ||
	    strncmp(t + dp, mid, sizeof(mid) - 1) != 0)
		return false;
	const char *id = t + dp + sizeof(mid) - 1, *slash = strchr(id, '/');
	if (!slash || strcmp(slash, end) != 0) return false;
	size_t len = (size_t)(slash - id);
	if (ecu_by_id(pl, id, len)) return true;
	if (!is_uid(id, len)) return false;
	for (size_t i = 0; i < pl->ecu_count; i++) {
		const struct ecu_poller *p = &pl->ecus[i].poller;
		for (size_t k = 0; p->have_inverters && k < p->inv.count; k++)
			if (memcmp(p->inverters[k].uid, id, len) == 0) return true;
	}
	return false;
}

/* Whether this client was told already; remembers it if not.  id: the
 * client id as logged (cut, anything but printable ASCII as '?'). */
static bool told(struct guard *g, const char *client, char id[GUARD_ID_MAX + 1])
{
	size_t n = strnlen(client, GUARD_ID_MAX);
	for (size_t k = 0; k < n; k++) id[k] = client[k] >= 0x20 && client[k] < 0x7f ? client[k] : '?';
	id[n] = '\0';
	for (size_t i = 0; i < GUARD_CLIENTS; i++)
		if (g->told[i][0] && strcmp(g->told[i], id) == 0) return true;
	memcpy(g->told[g->next], id, GUARD_ID_MAX + 1);
	g->next = (g->next + 1) % GUARD_CLIENTS;
	return false;
}

int guard_message(struct aps_plugin *pl, const struct mosquitto_evt_message *msg)
{
	const char *t = msg->topic;
	if (!t || (strcmp(t, pl->status_topic) != 0 && !state_topic_ours(pl, t) && !config_topic_ours(pl, t)))
		return MOSQ_ERR_SUCCESS;
	pl->guard.refused++;
	const char *client = msg->client ? mosquitto_client_id(msg->client) : NULL;
	if (!client) client = "";
	char id[GUARD_ID_MAX + 1];
	if (!told(&pl->guard, client, id))
		mosquitto_log_printf(MOSQ_LOG_WARNING,
		                     "aps-ecu: client \"%s\" published on %s, a topic this plugin owns: refused, "
		                     "and from now on without a line (an acl_file can stop it at the door: see "
		                     "README, Our topics are ours)",
		                     id, t);
	return MOSQ_ERR_ACL_DENIED;
}
