// SPDX-License-Identifier: MIT
/* sim_reply.c - reply encoders and the synthetic installation of `aps-ecu simulate`. */
#define _DEFAULT_SOURCE /* gmtime_r, timegm */
#include "sim_reply.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_LEN 13   /* "APS" + version + length field + command */
#define TRAILER "END\n"
#define TRAILER_LEN 4
#define INVERTERS_HEADER_LEN 26
#define SIGNAL_HEADER_LEN 15
#define SIGNAL_RECORD_LEN 7

#define DEFAULT_ECU_ID "216200000001"
#define FIRMWARE "SIMULATOR_1.0"
#define ZONE "Etc/UTC"

/* Daylight: power from 06:00 to 20:00 UTC, peaking half way, at 13:00. */
#define SUN_RISE_H 6.0
#define SUN_SET_H 20.0
#define PEAK_W 300.0
/* Lifetime energy: a fixed base per inverter, plus every whole day since
 * LIFETIME_EPOCH, plus today, so it never drops at midnight. */
#define LIFETIME_BASE_WH_PER_INVERTER 1000000.0
#define LIFETIME_EPOCH 1577836800 /* 2020-01-01T00:00Z */

static const char *const kind_code[] = {
	[SIM_UNSEEN] = "00", [SIM_DS3] = "01", [SIM_QT2] = "02", [SIM_QS1] = "03",
};

static size_t kind_record_len(enum sim_kind kind)
{
	return aps_record_length(kind_code[kind], 0);
}

static unsigned kind_channels(enum sim_kind kind)
{
	return kind == SIM_DS3 ? 2 : kind == SIM_UNSEEN ? 0 : 4;
}

static uint8_t *put_u16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put_text(uint8_t *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static uint8_t *put_time(uint8_t *p, const struct aps_time *t)
{
	*p++ = bcd(t->year / 100u);
	*p++ = bcd(t->year % 100u);
	*p++ = bcd(t->month);
	*p++ = bcd(t->day);
	*p++ = bcd(t->hour);
	*p++ = bcd(t->minute);
	*p++ = bcd(t->second);
	return p;
}

/* Header with the length field covering everything but the final '\n'. */
static uint8_t *put_header(uint8_t *p, const char *version, size_t total, const char *command)
{
	char length[5];
	snprintf(length, sizeof length, "%04u", (unsigned)(total - 1));
	p = put_text(p, "APS", 3);
	p = put_text(p, version, 2);
	p = put_text(p, length, 4);
	return put_text(p, command, 4);
}

static bool fits(size_t total, size_t cap)
{
	return total <= cap && total <= APS_REPLY_MAX;
}

size_t sim_encode_ecu_info(const struct sim_ecu *ecu, uint8_t *buf, size_t cap)
{
	size_t fw_len = strlen(ecu->firmware);
	size_t zone_len = strlen(ecu->zone);
	if (fw_len > APS_FIRMWARE_MAX || zone_len > APS_ZONE_MAX) return 0;
	if (strlen(ecu->ecu_id) != APS_ECU_ID_LEN || strlen(ecu->version) != 2) return 0;

	size_t total = HEADER_LEN + APS_ECU_ID_LEN + 2 + 12 + 7 + 4 + 2 + 3 + fw_len + 3 + zone_len +
	               sizeof ecu->mac + TRAILER_LEN;
	if (!fits(total, cap)) return 0;

	char field_len[4];
	uint8_t *p = put_header(buf, ecu->version, total, "0001");
	p = put_text(p, ecu->ecu_id, APS_ECU_ID_LEN);
	p = put_text(p, "01", 2);
	p = put_u32(p, ecu->lifetime_raw);
	p = put_u32(p, ecu->power_w);
	p = put_u32(p, ecu->today_raw);
	if (ecu->has_timestamp) {
		p = put_time(p, &ecu->timestamp);
	} else {
		memset(p, 0xd0, 7);
		p += 7;
	}
	p = put_u16(p, ecu->inverters);
	p = put_u16(p, ecu->inverters_online);
	p = put_text(p, "10", 2); /* the Zigbee channel, as every capture has it */
	snprintf(field_len, sizeof field_len, "%03u", (unsigned)fw_len);
	p = put_text(p, field_len, 3);
	p = put_text(p, ecu->firmware, fw_len);
	snprintf(field_len, sizeof field_len, "%03u", (unsigned)zone_len);
	p = put_text(p, field_len, 3);
	p = put_text(p, ecu->zone, zone_len);
	p = put_text(p, (const char *)ecu->mac, sizeof ecu->mac);
	p = put_text(p, TRAILER, TRAILER_LEN);
	return (size_t)(p - buf);
}

size_t sim_inverters_reply_len(const struct sim_inverter *inv, size_t count)
{
	size_t total = INVERTERS_HEADER_LEN + TRAILER_LEN;
	for (size_t i = 0; i < count; i++) total += kind_record_len(inv[i].kind);
	return total;
}

size_t sim_signal_reply_len(size_t count)
{
	return SIGNAL_HEADER_LEN + count * SIGNAL_RECORD_LEN + TRAILER_LEN;
}

static uint8_t *put_record(uint8_t *p, const struct sim_inverter *v)
{
	p = put_text(p, (const char *)v->uid, sizeof v->uid);
	*p++ = v->online ? 1 : 0;
	p = put_text(p, kind_code[v->kind], 2);
	if (v->kind == SIM_UNSEEN) return p;

	p = put_u16(p, v->frequency_raw);
	p = put_u16(p, v->temperature_raw);
	switch (v->kind) {
	case SIM_DS3: /* p1 v1 p2 v2 */
		p = put_u16(p, v->power_w[0]);
		p = put_u16(p, v->voltage_v[0]);
		p = put_u16(p, v->power_w[1]);
		p = put_u16(p, v->voltage_v[1]);
		break;
	case SIM_QT2: /* p1 v1 p2 v2 p3 v3 p4 */
		for (int i = 0; i < 3; i++) {
			p = put_u16(p, v->power_w[i]);
			p = put_u16(p, v->voltage_v[i]);
		}
		p = put_u16(p, v->power_w[3]);
		break;
	case SIM_QS1: /* p1 v1 p2 p3 p4 */
		p = put_u16(p, v->power_w[0]);
		p = put_u16(p, v->voltage_v[0]);
		for (int i = 1; i < 4; i++) p = put_u16(p, v->power_w[i]);
		break;
	case SIM_UNSEEN:
		break;
	}
	return p;
}

size_t sim_encode_inverters(const struct aps_time *timestamp, const struct sim_inverter *inv,
                            size_t count, uint8_t *buf, size_t cap)
{
	size_t total = sim_inverters_reply_len(inv, count);
	if (count > UINT16_MAX || !fits(total, cap)) return 0;

	uint8_t *p = put_header(buf, "11", total, "0002");
	p = put_text(p, "0001", 4); /* status OK */
	p = put_u16(p, (uint32_t)count);
	p = put_time(p, timestamp);
	for (size_t i = 0; i < count; i++) p = put_record(p, &inv[i]);
	p = put_text(p, TRAILER, TRAILER_LEN);
	return (size_t)(p - buf);
}

size_t sim_encode_signal(const struct sim_inverter *inv, size_t count, uint8_t *buf, size_t cap)
{
	size_t total = sim_signal_reply_len(count);
	if (!fits(total, cap)) return 0;

	uint8_t *p = put_header(buf, "11", total, "0030");
	p = put_text(p, "00", 2);
	for (size_t i = 0; i < count; i++) {
		p = put_text(p, (const char *)inv[i].uid, sizeof inv[i].uid);
		*p++ = inv[i].signal;
	}
	p = put_text(p, TRAILER, TRAILER_LEN);
	return (size_t)(p - buf);
}

int sim_time_from_epoch(time_t t, struct aps_time *out)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || tm.tm_year < 100 || tm.tm_year > 199) return -1;
	out->year = (uint16_t)(tm.tm_year + 1900);
	out->month = (uint8_t)(tm.tm_mon + 1);
	out->day = (uint8_t)tm.tm_mday;
	out->hour = (uint8_t)tm.tm_hour;
	out->minute = (uint8_t)tm.tm_min;
	out->second = (uint8_t)(tm.tm_sec > 59 ? 59 : tm.tm_sec);
	return 0;
}

/* ---- The synthetic installation ---- */

/* A small integer hash: the same inputs always give the same "random" value. */
static uint32_t mix(uint32_t a, uint32_t b)
{
	uint32_t x = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u);
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static double unit(uint32_t a, uint32_t b)
{
	return (mix(a, b) & 0xffffu) / 65536.0;
}

/* Twelve decimal digits read as hex digits: 7040 00000001 -> 70 40 00 00 00 01. */
static void uid_from_digits(uint8_t uid[6], const char *prefix, unsigned serial)
{
	char digits[16];
	snprintf(digits, sizeof digits, "%s%08u", prefix, serial % 100000000u);
	for (int i = 0; i < 6; i++)
		uid[i] = (uint8_t)((digits[2 * i] - '0') << 4 | (digits[2 * i + 1] - '0'));
}

static bool valid_ecu_id(const char *id)
{
	if (strlen(id) != APS_ECU_ID_LEN) return false;
	for (const char *c = id; *c; c++)
		if (*c < '0' || *c > '9') return false;
	return true;
}

int sim_install_init(struct sim_install *si, const char *ecu_id, unsigned inverters,
                     unsigned unseen, char *why, size_t why_cap)
{
	memset(si, 0, sizeof *si);
	si->slot = -1;
	if (!ecu_id) ecu_id = DEFAULT_ECU_ID;
	if (!valid_ecu_id(ecu_id)) {
		snprintf(why, why_cap, "ECU id '%s' is not 12 digits", ecu_id);
		return -1;
	}
	if (inverters < 1 || inverters > SIM_INVERTERS_MAX || unseen > APS_MAX_RECORDS) {
		snprintf(why, why_cap, "--inverters must be 1..%d (got %u) and --unseen 0..%d (got %u)",
		         SIM_INVERTERS_MAX, inverters, APS_MAX_RECORDS, unseen);
		return -1;
	}

	si->count = (size_t)inverters + unseen;
	si->inv = calloc(si->count, sizeof *si->inv);
	if (!si->inv) {
		snprintf(why, why_cap, "out of memory");
		return -1;
	}
	/* Unseen records spread through the array, as real ECUs list them. */
	size_t r = 0;
	unsigned unseen_done = 0;
	for (unsigned i = 0; i < inverters; i++) {
		static const enum sim_kind mixture[] = {SIM_DS3, SIM_QS1, SIM_QT2};
		static const char *const prefix[] = {[SIM_DS3] = "7040", [SIM_QS1] = "8040", [SIM_QT2] = "9010"};
		struct sim_inverter *v = &si->inv[r++];
		v->kind = mixture[i % 3];
		uid_from_digits(v->uid, prefix[v->kind], i + 1);
		v->signal = (uint8_t)(150 + mix(i, 0x5167) % 106);
		while (unseen_done < (unsigned long)(i + 1) * unseen / inverters) {
			struct sim_inverter *u = &si->inv[r++];
			u->kind = SIM_UNSEEN;
			uid_from_digits(u->uid, "7041", ++unseen_done);
		}
	}

	size_t inv_len = sim_inverters_reply_len(si->inv, si->count);
	size_t sig_len = sim_signal_reply_len(si->count);
	if (inv_len > APS_REPLY_MAX || sig_len > APS_REPLY_MAX) {
		snprintf(why, why_cap,
		         "%u inverters + %u unseen need a %zu-byte inverter reply; the 4-digit length "
		         "field allows at most %d bytes", inverters, unseen, inv_len, APS_REPLY_MAX);
		sim_install_free(si);
		return -1;
	}

	struct sim_ecu *e = &si->ecu;
	memcpy(e->ecu_id, ecu_id, sizeof e->ecu_id);
	memcpy(e->version, "11", 3);
	e->has_timestamp = true;
	e->inverters = (uint16_t)si->count;
	e->firmware = FIRMWARE;
	e->zone = ZONE;
	static const uint8_t vendor[3] = {0x80, 0x97, 0x1b}; /* as in the captures */
	uint32_t h = mix(0xec, (uint32_t)strtoul(ecu_id + 4, NULL, 10));
	memcpy(e->mac, vendor, sizeof vendor);
	e->mac[3] = (uint8_t)(h >> 16);
	e->mac[4] = (uint8_t)(h >> 8);
	e->mac[5] = (uint8_t)h;
	return 0;
}

void sim_install_free(struct sim_install *si)
{
	free(si->inv);
	si->inv = NULL;
	si->count = 0;
}

/* Energy of one channel of peak p since sunrise, in Wh: the integral of the sine. */
static double channel_energy_wh(double peak_w, double hour)
{
	const double day_h = SUN_SET_H - SUN_RISE_H;
	if (hour <= SUN_RISE_H) return 0;
	if (hour >= SUN_SET_H) hour = SUN_SET_H;
	return peak_w * day_h / M_PI * (1 - cos(M_PI * (hour - SUN_RISE_H) / day_h));
}

static void set_inverter(struct sim_inverter *v, uint32_t index, uint32_t slot_id, double sun,
                         bool is_day)
{
	unsigned channels = kind_channels(v->kind);
	memset(v->power_w, 0, sizeof v->power_w);
	memset(v->voltage_v, 0, sizeof v->voltage_v);
	v->online = is_day && v->kind != SIM_UNSEEN;
	if (!v->online) {
		v->frequency_raw = 0;
		v->temperature_raw = v->kind == SIM_UNSEEN ? 0 : 100;
		return;
	}
	for (unsigned c = 0; c < channels; c++) {
		double peak = PEAK_W * (0.8 + 0.2 * unit(index, c));
		v->power_w[c] = (uint16_t)lround(peak * sun);
		/* What the web pages ordered (sim_web.c): off, or capped per channel. */
		if (v->switched_off) v->power_w[c] = 0;
		if (v->max_power_w != 0 && v->power_w[c] > v->max_power_w) v->power_w[c] = v->max_power_w;
	}
	unsigned base_v = v->kind == SIM_QT2 ? 380 : 225;
	for (unsigned c = 0; c < APS_MAX_VOLTAGES; c++)
		v->voltage_v[c] = (uint16_t)(base_v + mix(index ^ c << 20, slot_id) % 21);
	v->frequency_raw = (uint16_t)(499 + mix(index, slot_id ^ 0xf00d) % 3);
	v->temperature_raw = (uint16_t)(100 + 20 + lround(15 * sun) + mix(index, 0x7e) % 11);
}

void sim_install_refresh(struct sim_install *si, time_t sim_now, bool force_night)
{
	time_t slot = sim_now - sim_now % SIM_REFRESH_S;
	if (slot == si->slot && force_night == si->night) return;
	si->slot = slot;
	si->night = force_night;

	struct tm tm;
	gmtime_r(&slot, &tm);
	double hour = tm.tm_hour + tm.tm_min / 60.0;
	bool is_day = !force_night && hour >= SUN_RISE_H && hour < SUN_SET_H;
	double sun = is_day ? sin(M_PI * (hour - SUN_RISE_H) / (SUN_SET_H - SUN_RISE_H)) : 0;
	uint32_t slot_id = (uint32_t)(slot / SIM_REFRESH_S);

	uint32_t power = 0;
	uint16_t online = 0;
	double today_wh = 0, full_day_wh = 0;
	for (size_t i = 0; i < si->count; i++) {
		struct sim_inverter *v = &si->inv[i];
		set_inverter(v, (uint32_t)i, slot_id, sun, is_day);
		for (unsigned c = 0; c < kind_channels(v->kind); c++) {
			double peak = PEAK_W * (0.8 + 0.2 * unit((uint32_t)i, c));
			today_wh += channel_energy_wh(peak, hour);
			full_day_wh += channel_energy_wh(peak, SUN_SET_H);
			power += v->power_w[c];
		}
		online += v->online;
	}
	time_t days = slot > LIFETIME_EPOCH ? (slot - LIFETIME_EPOCH) / 86400 : 0;
	double lifetime_wh = LIFETIME_BASE_WH_PER_INVERTER * (double)si->count +
	                     (double)days * full_day_wh + today_wh;

	struct sim_ecu *e = &si->ecu;
	e->power_w = power;
	e->inverters_online = online;
	e->today_raw = (uint32_t)(today_wh / 10);
	e->lifetime_raw = (uint32_t)fmin(lifetime_wh / 100, UINT32_MAX);
	if (sim_time_from_epoch(slot, &e->timestamp) != 0) e->has_timestamp = false;

	si->ecu_len = sim_encode_ecu_info(e, si->ecu_reply, sizeof si->ecu_reply);
	si->inverters_len = sim_encode_inverters(&e->timestamp, si->inv, si->count,
	                                         si->inverters_reply, sizeof si->inverters_reply);
	si->signal_len = sim_encode_signal(si->inv, si->count, si->signal_reply, sizeof si->signal_reply);
}

double sim_channel_truth_wh(const struct sim_install *si, size_t i, unsigned c)
{
	if (i >= si->count || c >= kind_channels(si->inv[i].kind) || si->slot < 0) return 0;
	struct tm tm;
	time_t slot = si->slot;
	gmtime_r(&slot, &tm);
	double hour = tm.tm_hour + tm.tm_min / 60.0;
	if (si->night) return 0;
	return channel_energy_wh(PEAK_W * (0.8 + 0.2 * unit((uint32_t)i, c)), hour);
}

int sim_install_write_truth(const struct sim_install *si, const char *path)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
	FILE *f = fopen(tmp, "w");
	if (!f) return -1;
	double total = 0;
	for (size_t i = 0; i < si->count; i++)
		for (unsigned c = 0; c < kind_channels(si->inv[i].kind); c++) total += sim_channel_truth_wh(si, i, c);
	struct tm tm;
	time_t slot = si->slot;
	gmtime_r(&slot, &tm);
	fprintf(f, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02dZ\",\"today_energy\":%.6f,\"inverters\":{", tm.tm_year + 1900,
	        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, total / 1000);
	bool first = true;
	for (size_t i = 0; i < si->count; i++) {
		unsigned channels = kind_channels(si->inv[i].kind);
		if (channels == 0) continue;
		const uint8_t *u = si->inv[i].uid;
		double sum = 0;
		for (unsigned c = 0; c < channels; c++) sum += sim_channel_truth_wh(si, i, c);
		fprintf(f, "%s\"%02x%02x%02x%02x%02x%02x\":{\"today_energy\":%.6f,\"panels\":[", first ? "" : ",", u[0], u[1],
		        u[2], u[3], u[4], u[5], sum / 1000);
		for (unsigned c = 0; c < channels; c++)
			fprintf(f, "%s%.6f", c ? "," : "", sim_channel_truth_wh(si, i, c) / 1000);
		fputs("]}", f);
		first = false;
	}
	fputs("}}\n", f);
	if (fclose(f) != 0) return -1;
	return rename(tmp, path);
}
