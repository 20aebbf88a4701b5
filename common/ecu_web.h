// SPDX-License-Identifier: MIT
/*
 * ecu_web.h - the ECU's web pages as data: the form bodies the plugin posts,
 * the checks of what each page answers, the meter graph's reading, and the
 * form reading the simulator needs.  Pure functions over buffers (no I/O, no
 * globals); every length is checked; garbage is an error code and a reason.
 *
 * The pages (ECU-R-PRO, id 2162..., and ECU-C, 215..., on port 80; the older
 * ECU-R 2160... and ECU-B have none): each request is HTTP with the header
 * X-Requested-With: XMLHttpRequest; the POSTs are form-encoded.
 *
 *   page                                        body                                  success
 *   POST /index.php/configuration/set_switch_state  ids[]=<UID>1 (on) | <UID>2 (off)   JSON "message"
 *   POST /index.php/configuration/set_maxpower      id=<UID>&maxpower=<W>              JSON "message"
 *   POST /index.php/meter/set_meter_display_funcs   meter_func=1|0&this_func=1&power_limit=<W>   body 0
 *   POST /index.php/management/set_wlan_ap          SSID=..&channel=0&method=2&psk_wep=&psk_wpa=..  {"value":0}
 *   GET  /index.php/meter/old_meter_power_graph     -                                  JSON power1/power2
 *
 * No page is known that reads back an inverter's on/off state, its max
 * power or the zero-export setting: what the plugin sets is "assumed" until
 * the inverters' own replies show it (see /work/coord/web-api.md).
 */
#ifndef APS_ECU_WEB_H
#define APS_ECU_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ECU_WEB_PAGE_SWITCH "/index.php/configuration/set_switch_state"
#define ECU_WEB_PAGE_MAXPOWER "/index.php/configuration/set_maxpower"
#define ECU_WEB_PAGE_METER_FUNCS "/index.php/meter/set_meter_display_funcs"
#define ECU_WEB_PAGE_REBOOT "/index.php/management/set_wlan_ap"
#define ECU_WEB_PAGE_METER_GRAPH "/index.php/meter/old_meter_power_graph"

/* The message set_switch_state answers when it took the order. */
#define ECU_WEB_SWITCH_ACCEPTED "See the results 5 minutes later !"

#define ECU_WEB_UID_LEN 12         /* an inverter's UID: 12 decimal digits */
#define ECU_WEB_MAXPOWER_MIN 20    /* W per panel channel; the ECU's page refuses less ... */
#define ECU_WEB_MAXPOWER_MAX 500   /* ... and more; 0 lifts the cap */
#define ECU_WEB_POWER_LIMIT_MAX 100000 /* W, ECU-C export limit: far above any home's */
#define ECU_WEB_SSID_MAX 32        /* 802.11 limit, bytes */
#define ECU_WEB_PASSWD_MIN 8       /* WPA2: a shorter one would leave the hotspot open */
#define ECU_WEB_PASSWD_MAX 63
#define ECU_WEB_FORM_MAX 384       /* the longest form (reboot, every byte encoded) and its NUL */
#define ECU_WEB_MESSAGE_MAX 96     /* a page's "message", as kept (longer ones are cut) */
#define ECU_WEB_SMALL_ANSWER_MAX 4096          /* answer bound for the POSTs, headers included */
#define ECU_WEB_METER_ANSWER_MAX (128 * 1024)  /* the meter graph: a day of 5-minute points */

enum ecu_web_code {
	ECU_WEB_OK = 0,
	ECU_WEB_E_ARGUMENT,   /* a builder was given a bad value (UID, watts, SSID ...) */
	ECU_WEB_E_SPACE,      /* the output buffer is too small */
	ECU_WEB_E_REFUSED,    /* the page answered in its own format and said no */
	ECU_WEB_E_GARBAGE,    /* the answer is not in the page's format */
	ECU_WEB_E_NO_DATA,    /* the meter graph has no point yet (or no series) */
};

struct ecu_web_error {
	enum ecu_web_code code;
	char reason[128]; /* our own words and numbers only, never the answer's bytes */
};

/* ---- form bodies: each returns the length written (NUL excluded), or -1
 * with err set.  uid: exactly 12 decimal digits. */
int ecu_web_switch_form(char *out, size_t cap, const char *uid, bool on, struct ecu_web_error *err);
/* watts: 0 (no cap) or ECU_WEB_MAXPOWER_MIN..MAX. */
int ecu_web_maxpower_form(char *out, size_t cap, const char *uid, unsigned watts, struct ecu_web_error *err);
/* limit_w: 0..ECU_WEB_POWER_LIMIT_MAX (0 with zero export on: no export at all). */
int ecu_web_meter_funcs_form(char *out, size_t cap, bool zero_export, unsigned limit_w,
                             struct ecu_web_error *err);
/* ssid 1..32 bytes, passwd 8..63; any bytes, URL-encoded. */
int ecu_web_reboot_form(char *out, size_t cap, const char *ssid, const char *passwd, struct ecu_web_error *err);

/* ---- answer checks (the body of an HTTP 200), each 0 or -1 with err set
 * (ECU_WEB_E_REFUSED or ECU_WEB_E_GARBAGE).
 *
 * set_switch_state: a JSON object whose "message" is ECU_WEB_SWITCH_ACCEPTED;
 * another message is REFUSED.  The message (cut to ECU_WEB_MESSAGE_MAX - 1
 * bytes, control bytes replaced by '?') goes to message when not NULL. */
int ecu_web_check_switch(const char *body, size_t len, char *message, size_t message_cap,
                         struct ecu_web_error *err);
/* set_maxpower: a JSON object with a string "message" (its text is not
 * known to differ between success and failure: any message is OK). */
int ecu_web_check_maxpower(const char *body, size_t len, char *message, size_t message_cap,
                           struct ecu_web_error *err);
/* set_meter_display_funcs: the body 0 (blanks around allowed) is OK, another
 * integer is REFUSED; a JSON object with a string "message" (what one client
 * reads) is OK too. */
int ecu_web_check_meter_funcs(const char *body, size_t len, char *message, size_t message_cap,
                              struct ecu_web_error *err);
/* set_wlan_ap: exactly {"value":N} (blanks between tokens); N 0 is OK, any
 * other N REFUSED (*value gets N when not NULL). */
int ecu_web_check_reboot(const char *body, size_t len, long *value, struct ecu_web_error *err);

/* ---- the meter graph: {"power1":[{"time":ms,"powerA":W,"powerB":W,"powerC":W},...],
 * "power2":[...]}; power1 is production, power2 the grid (positive: drawn
 * from the grid, negative: fed in).  The last point of each series counts;
 * consumption = production + grid per phase. */
struct ecu_meter_reading {
	bool has_production, has_grid;   /* the series had a point */
	int64_t production_time_ms, grid_time_ms;
	int32_t production_w[3];         /* phases A, B, C */
	int32_t grid_w[3];
	int32_t consumption_w[3];        /* set when both series had a point */
	bool has_consumption;
};
#define ECU_METER_WATTS_LIMIT 1000000 /* |W| beyond this per phase is garbage */

/* 0 (at least one series had a point), or -1: GARBAGE (not JSON, wrong
 * types, a value out of range, an element not an object), NO_DATA (both
 * series empty or missing). */
int ecu_web_parse_meter_graph(const char *body, size_t len, struct ecu_meter_reading *out,
                              struct ecu_web_error *err);

/* ---- reading a form (the simulator's side): the value of the first field
 * called name, URL-decoded ('+' is a space, %XX a byte) into out (NUL-
 * terminated).  Returns its length, -1 when absent, -2 when malformed
 * (bad %XX, a NUL byte) or longer than cap - 1. */
int ecu_web_form_field(const char *form, size_t len, const char *name, char *out, size_t cap);

/* Whether a UID is 12 decimal digits. */
bool ecu_web_uid_ok(const char *uid);

const char *ecu_web_code_name(enum ecu_web_code code);

#endif
