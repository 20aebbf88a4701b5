// SPDX-License-Identifier: MIT
/* energy_split.c - the integration and reconciliation described in energy_split.h. */
#include "energy_split.h"

#include <math.h>
#include <string.h>

#include "alloc.h"

static bool leap_year(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

bool esplit_seconds(const struct aps_time *t, int64_t *out)
{
	static const int before_month[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (t->year < 2000 || t->year > 2099 || t->month < 1 || t->month > 12 || t->day < 1) return false;
	int dim = month_days[t->month - 1] + (t->month == 2 && leap_year(t->year));
	if (t->day > dim || t->hour > 23 || t->minute > 59 || t->second > 59) return false;
	int years = t->year - 2000;
	int64_t days = (int64_t)years * 365 + (years + 3) / 4 + before_month[t->month - 1] + (t->day - 1);
	if (t->month > 2 && leap_year(t->year)) days++;
	*out = days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
	return true;
}

void esplit_init(struct esplit *s, const char *ecu_id)
{
	memset(s, 0, sizeof(*s));
	if (ecu_id) {
		strncpy(s->ecu_id, ecu_id, APS_ECU_ID_LEN);
		s->ecu_id[APS_ECU_ID_LEN] = '\0';
	}
	s->factor = 1.0;
}

void esplit_free(struct esplit *s)
{
	aps_free(s->inv);
	s->inv = NULL;
	s->count = s->cap = 0;
}

/* Index of uid in the sorted array, or where it would go (*found false). */
static size_t locate(const struct esplit *s, const char *uid, bool *found)
{
	size_t lo = 0, hi = s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->inv[mid].uid, uid);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0) lo = mid + 1;
		else hi = mid;
	}
	*found = false;
	return lo;
}

const struct esplit_inverter *esplit_find(const struct esplit *s, const char *uid)
{
	bool found;
	size_t i = locate(s, uid, &found);
	return found ? &s->inv[i] : NULL;
}

/* The inverter's record, added (zeroed) if new; NULL when out of memory or full. */
static struct esplit_inverter *obtain(struct esplit *s, const char *uid)
{
	bool found;
	size_t i = locate(s, uid, &found);
	if (found) return &s->inv[i];
	if (s->count >= ESPLIT_INVERTERS_MAX) return NULL;
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct esplit_inverter *grown = aps_realloc(s->inv, cap * sizeof(*grown));
		if (!grown) return NULL;
		s->inv = grown;
		s->cap = cap;
	}
	memmove(&s->inv[i + 1], &s->inv[i], (s->count - i) * sizeof(*s->inv));
	s->count++;
	struct esplit_inverter *v = &s->inv[i];
	memset(v, 0, sizeof(*v));
	memcpy(v->uid, uid, APS_UID_LEN);
	v->uid[APS_UID_LEN] = '\0';
	return v;
}

int esplit_put(struct esplit *s, const struct esplit_inverter *v)
{
	struct esplit_inverter *slot = obtain(s, v->uid);
	if (!slot) return -1;
	*slot = *v;
	return 0;
}

double esplit_today_wh(const struct esplit_inverter *v)
{
	double sum = 0;
	for (unsigned c = 0; c < v->channels && c < ESPLIT_CHANNELS; c++) sum += v->ch[c].today_wh;
	return sum;
}

double esplit_lifetime_wh(const struct esplit_inverter *v)
{
	double sum = 0;
	for (unsigned c = 0; c < v->channels && c < ESPLIT_CHANNELS; c++) sum += v->ch[c].closed_wh + v->ch[c].today_wh;
	return sum;
}

double esplit_raw_wh(const struct esplit_inverter *v)
{
	double sum = 0;
	for (unsigned c = 0; c < v->channels && c < ESPLIT_CHANNELS; c++) sum += v->ch[c].raw_wh;
	return sum;
}

/* A new ECU date: today moves into the closed days, and no gap is bridged
 * across it (the energy around midnight belongs to no one day we could know). */
static void close_day(struct esplit *s, int32_t date)
{
	for (size_t i = 0; i < s->count; i++) {
		struct esplit_inverter *v = &s->inv[i];
		for (unsigned c = 0; c < ESPLIT_CHANNELS; c++) {
			v->ch[c].closed_wh += v->ch[c].today_wh;
			v->ch[c].today_wh = v->ch[c].raw_wh = 0;
		}
		v->sampled = false;
	}
	s->date = date;
	s->factor = 1.0;
}

/* Drops inverters absent from the list for more than ESPLIT_KEEP_DAYS. */
static void forget_old(struct esplit *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < s->count; i++) {
		int64_t away = (int64_t)s->date - s->inv[i].seen_date;
		if (away > ESPLIT_KEEP_DAYS) continue;
		if (kept != i) s->inv[kept] = s->inv[i];
		kept++;
	}
	s->count = kept;
}

/* A never-reported record (type 00) has no panels. */
static unsigned record_channels(const struct aps_inverter *r)
{
	if (strcmp(r->type, "00") == 0) return 0;
	return r->channels <= ESPLIT_CHANNELS ? r->channels : ESPLIT_CHANNELS;
}

static bool has_power(const struct aps_inverter *r)
{
	return r->online && strcmp(r->type, "00") != 0;
}

/* sum over channels of max(today, raw * g) */
static double scaled_sum(const struct esplit *s, double g)
{
	double sum = 0;
	for (size_t i = 0; i < s->count; i++)
		for (unsigned c = 0; c < s->inv[i].channels; c++)
			sum += fmax(s->inv[i].ch[c].today_wh, s->inv[i].ch[c].raw_wh * g);
	return sum;
}

/* Raises each channel's today to raw * g (never lowers it). */
static bool apply_factor(struct esplit *s, double g)
{
	bool changed = false;
	for (size_t i = 0; i < s->count; i++)
		for (unsigned c = 0; c < s->inv[i].channels; c++) {
			struct esplit_channel *ch = &s->inv[i].ch[c];
			double v = ch->raw_wh * g;
			if (v > ch->today_wh) {
				ch->today_wh = v;
				changed = true;
			}
		}
	return changed;
}

/* The g that makes the panels sum to target, if one does (see energy_split.h). */
static bool reconcile_factor(const struct esplit *s, double target, double *g)
{
	double raw = 0, published = 0;
	for (size_t i = 0; i < s->count; i++)
		for (unsigned c = 0; c < s->inv[i].channels; c++) {
			raw += s->inv[i].ch[c].raw_wh;
			published += s->inv[i].ch[c].today_wh;
		}
	/* Nothing measured to share the figure out by, or already there. */
	if (!(raw > 0) || published >= target) return false;
	double lo = 0, hi = target / raw;
	while (scaled_sum(s, hi) < target) hi *= 2;
	for (int k = 0; k < 80 && hi - lo > hi * 1e-15; k++) {
		double mid = lo + (hi - lo) / 2;
		if (scaled_sum(s, mid) < target) lo = mid;
		else hi = mid;
	}
	*g = hi;
	return true;
}

int esplit_feed(struct esplit *s, const struct esplit_sample *in, int64_t gap_cap_s)
{
	int64_t t;
	if (!esplit_seconds(&in->time, &t)) return -1;
	int32_t date = (int32_t)(t / 86400);
	int flags = 0;

	if (!s->dated) {
		s->dated = true;
		s->date = date;
		flags |= ESPLIT_CHANGED;
	} else if (date != s->date) {
		close_day(s, date);
		flags |= ESPLIT_DAY_CLOSED | ESPLIT_CHANGED;
	}
	/* The same timestamp again is the same sample: integrate nothing. */
	bool repeat = s->have_last && t == s->last_s;
	if (!repeat) {
		for (size_t k = 0; k < in->count; k++) {
			const struct aps_inverter *r = &in->inv[k];
			unsigned channels = record_channels(r);
			if (channels == 0) continue;
			struct esplit_inverter *v = obtain(s, r->uid);
			if (!v) return -1;
			if (v->seen_date != date) flags |= ESPLIT_CHANGED;
			v->seen_date = date;
			if (channels > v->channels) v->channels = (uint8_t)channels;
			double dt = v->sampled ? (double)(t - v->last_s) : 0;
			/* A clock that went back, or a gap too long to guess across. */
			bool bridge = v->sampled && dt > 0 && dt <= (double)gap_cap_s;
			if (!bridge) flags |= ESPLIT_NOT_BRIDGED;
			for (unsigned c = 0; c < channels; c++) {
				double p = has_power(r) ? r->power_w[c] : 0;
				if (bridge && (p > 0 || v->ch[c].last_w > 0)) {
					v->ch[c].raw_wh += (v->ch[c].last_w + p) / 2 * dt / 3600.0;
					flags |= ESPLIT_CHANGED;
				}
				v->ch[c].last_w = p;
			}
			v->sampled = true;
			v->last_s = t;
		}
		s->have_last = true;
		s->last_s = t;
		forget_old(s);
	} else {
		flags |= ESPLIT_NOT_BRIDGED;
	}

	/* The ECU's figure counts only for the date being integrated. */
	int64_t et;
	bool same_day = in->ecu_time.year == 0 || (esplit_seconds(&in->ecu_time, &et) && et / 86400 == date);
	double g;
	if (in->ecu_today_ok && same_day && isfinite(in->ecu_today_wh) &&
	    reconcile_factor(s, in->ecu_today_wh, &g)) {
		s->factor = g;
		flags |= ESPLIT_RECONCILED;
	}
	if (apply_factor(s, s->factor)) flags |= ESPLIT_CHANGED;
	return flags;
}
