// SPDX-License-Identifier: MIT
/* energy_image.c - the codec described in energy_image.h. */
#include "energy_image.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

#define ECU_BYTES (APS_ECU_ID_LEN + 1 + 4 + 8 + 8 + 4)
#define INV_BYTES (APS_UID_LEN + 1 + 1 + 8 + 4)
#define CH_BYTES (4 * 8)
/* 100 GWh: far above any installation's lifetime, far below where doubles
 * lose the Wh. */
#define WH_MAX 1e11
#define W_MAX 100000.0
/* Days since 2000-01-01 up to 2099-12-31, as the protocol's years allow. */
#define DATE_MAX 36524

static uint8_t *put(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(v >> (8 * i));
	return p + bytes;
}

static uint8_t *put_double(uint8_t *p, double d)
{
	uint64_t v;
	memcpy(&v, &d, sizeof(v));
	return put(p, v, 8);
}

size_t energy_image_size(const struct esplit *const *ecus, size_t n)
{
	size_t size = 4;
	for (size_t e = 0; e < n; e++) {
		size += ECU_BYTES;
		for (size_t i = 0; i < ecus[e]->count; i++) size += INV_BYTES + ecus[e]->inv[i].channels * CH_BYTES;
	}
	return size;
}

void energy_image_encode(const struct esplit *const *ecus, size_t n, uint8_t *out)
{
	uint8_t *p = put(out, n, 4);
	for (size_t e = 0; e < n; e++) {
		const struct esplit *s = ecus[e];
		memcpy(p, s->ecu_id, APS_ECU_ID_LEN);
		p += APS_ECU_ID_LEN;
		p = put(p, (s->dated ? 1u : 0u) | (s->have_last ? 2u : 0u), 1);
		p = put(p, (uint32_t)s->date, 4);
		p = put(p, (uint64_t)s->last_s, 8);
		p = put_double(p, s->factor);
		p = put(p, s->count, 4);
		for (size_t i = 0; i < s->count; i++) {
			const struct esplit_inverter *v = &s->inv[i];
			memcpy(p, v->uid, APS_UID_LEN);
			p += APS_UID_LEN;
			p = put(p, v->channels, 1);
			p = put(p, v->sampled, 1);
			p = put(p, (uint64_t)v->last_s, 8);
			p = put(p, (uint32_t)v->seen_date, 4);
			for (unsigned c = 0; c < v->channels; c++) {
				p = put_double(p, v->ch[c].raw_wh);
				p = put_double(p, v->ch[c].today_wh);
				p = put_double(p, v->ch[c].closed_wh);
				p = put_double(p, v->ch[c].last_w);
			}
		}
	}
}

struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
	char *why;
	size_t cap;
};

static bool need(struct reader *r, size_t n, const char *what)
{
	if (r->bad) return false;
	if (n > r->left) {
		snprintf(r->why, r->cap, "cut short in %s", what);
		r->bad = true;
		return false;
	}
	return true;
}

static uint64_t get(struct reader *r, int bytes)
{
	uint64_t v = 0;
	if (!need(r, (size_t)bytes, "a number")) return 0;
	for (int i = 0; i < bytes; i++) v |= (uint64_t)r->p[i] << (8 * i);
	r->p += bytes;
	r->left -= (size_t)bytes;
	return v;
}

static double get_double(struct reader *r, double max, const char *what)
{
	uint64_t v = get(r, 8);
	double d;
	memcpy(&d, &v, sizeof(d));
	if (!r->bad && !(isfinite(d) && d >= 0 && d <= max)) {
		snprintf(r->why, r->cap, "%s out of range", what);
		r->bad = true;
	}
	return r->bad ? 0 : d;
}

static bool get_id(struct reader *r, char *out, size_t len, const char *alphabet, const char *what)
{
	if (!need(r, len, what)) return false;
	for (size_t i = 0; i < len; i++) {
		if (r->p[i] == 0 || !strchr(alphabet, r->p[i])) {
			snprintf(r->why, r->cap, "%s is not %zu of [%s]", what, len, alphabet);
			r->bad = true;
			return false;
		}
		out[i] = (char)r->p[i];
	}
	out[len] = '\0';
	r->p += len;
	r->left -= len;
	return true;
}

static int32_t get_date(struct reader *r, const char *what)
{
	uint32_t d = (uint32_t)get(r, 4);
	if (!r->bad && d > DATE_MAX) {
		snprintf(r->why, r->cap, "%s out of range", what);
		r->bad = true;
	}
	return (int32_t)d;
}

static int64_t get_seconds(struct reader *r, const char *what)
{
	uint64_t s = get(r, 8);
	if (!r->bad && s > (uint64_t)(DATE_MAX + 1) * 86400) {
		snprintf(r->why, r->cap, "%s out of range", what);
		r->bad = true;
	}
	return (int64_t)s;
}

static bool read_inverter(struct reader *r, struct esplit *s)
{
	struct esplit_inverter v;
	memset(&v, 0, sizeof(v));
	if (!get_id(r, v.uid, APS_UID_LEN, "0123456789abcdef", "an inverter UID")) return false;
	unsigned channels = (unsigned)get(r, 1);
	unsigned sampled = (unsigned)get(r, 1);
	v.last_s = get_seconds(r, "an inverter's sample time");
	v.seen_date = get_date(r, "an inverter's date");
	if (r->bad) return false;
	if (channels > ESPLIT_CHANNELS || sampled > 1) {
		snprintf(r->why, r->cap, "inverter %s: bad channel count or flag", v.uid);
		r->bad = true;
		return false;
	}
	v.channels = (uint8_t)channels;
	v.sampled = sampled == 1;
	for (unsigned c = 0; c < channels; c++) {
		v.ch[c].raw_wh = get_double(r, WH_MAX, "a raw integral");
		v.ch[c].today_wh = get_double(r, WH_MAX, "a today value");
		v.ch[c].closed_wh = get_double(r, WH_MAX, "a closed-days value");
		v.ch[c].last_w = get_double(r, W_MAX, "a power");
	}
	if (r->bad) return false;
	if (esplit_find(s, v.uid)) {
		snprintf(r->why, r->cap, "inverter %s listed twice", v.uid);
		r->bad = true;
		return false;
	}
	if (esplit_put(s, &v) != 0) {
		snprintf(r->why, r->cap, "out of memory");
		r->bad = true;
		return false;
	}
	return true;
}

static bool read_ecu(struct reader *r, struct esplit *s)
{
	char id[APS_ECU_ID_LEN + 1];
	if (!get_id(r, id, APS_ECU_ID_LEN, "0123456789", "an ECU id")) return false;
	esplit_init(s, id);
	unsigned flags = (unsigned)get(r, 1);
	s->date = get_date(r, "an ECU date");
	s->last_s = get_seconds(r, "an ECU sample time");
	double factor = get_double(r, 1e12, "a reconciliation factor");
	uint64_t count = get(r, 4);
	if (r->bad) return false;
	if (flags > 3 || count > ESPLIT_INVERTERS_MAX || count * INV_BYTES > r->left) {
		snprintf(r->why, r->cap, "ECU %s: bad flags or inverter count %llu", id, (unsigned long long)count);
		r->bad = true;
		return false;
	}
	s->dated = flags & 1;
	s->have_last = (flags & 2) != 0;
	s->factor = factor;
	for (uint64_t i = 0; i < count; i++)
		if (!read_inverter(r, s)) return false;
	return true;
}

int energy_image_decode(const uint8_t *p, size_t len, struct esplit **out, size_t *n, char *why, size_t cap)
{
	struct reader r = { .p = p, .left = len, .bad = false, .why = why, .cap = cap };
	*out = NULL;
	*n = 0;
	uint64_t count = get(&r, 4);
	if (r.bad) return -1;
	if (count > ENERGY_IMAGE_ECUS_MAX || count * ECU_BYTES > r.left) {
		snprintf(why, cap, "bad ECU count %llu", (unsigned long long)count);
		return -1;
	}
	struct esplit *ecus = count ? aps_calloc((size_t)count, sizeof(*ecus)) : NULL;
	if (count && !ecus) {
		snprintf(why, cap, "out of memory");
		return -1;
	}
	size_t done = 0;
	for (; done < count; done++) {
		bool ok = read_ecu(&r, &ecus[done]);
		for (size_t k = 0; ok && k < done; k++)
			if (strcmp(ecus[k].ecu_id, ecus[done].ecu_id) == 0) {
				snprintf(why, cap, "ECU %s listed twice", ecus[k].ecu_id);
				ok = false;
			}
		if (!ok) {
			done++;
			goto bad;
		}
	}
	if (r.left != 0) {
		snprintf(why, cap, "%zu bytes left over", r.left);
		goto bad;
	}
	*out = ecus;
	*n = (size_t)count;
	return 0;
bad:
	for (size_t k = 0; k < done; k++) esplit_free(&ecus[k]);
	aps_free(ecus);
	return -1;
}
