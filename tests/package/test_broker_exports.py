# SPDX-License-Identifier: MIT
"""Every broker function the plugin calls must be one that every Mosquitto 2.0
build exports.  Debian builds the broker with CMake, which exports all of its
functions; the broker's own Makefile (used by the eclipse-mosquitto image)
exports only the list in its src/linker.syms, and the broker loads plugins
with RTLD_NOW, so a call to anything else makes the plugin fail to load there
("undefined symbol") although every test on Debian passes.

usage: test_broker_exports.py PLUGIN_SO"""

import sys

import pkgtest
from pkgtest import check, run

NAME = "container_broker_exports"

# src/linker.syms, the same 34 names in Mosquitto v2.0.0 to v2.0.20.
MOSQUITTO_2_0_EXPORTS = {
    "mosquitto_broker_publish", "mosquitto_broker_publish_copy", "mosquitto_callback_register",
    "mosquitto_callback_unregister", "mosquitto_calloc", "mosquitto_client_address",
    "mosquitto_client_certificate", "mosquitto_client_clean_session", "mosquitto_client_id",
    "mosquitto_client_keepalive", "mosquitto_client_protocol", "mosquitto_client_protocol_version",
    "mosquitto_client_sub_count", "mosquitto_client_username", "mosquitto_free",
    "mosquitto_kick_client_by_clientid", "mosquitto_kick_client_by_username", "mosquitto_log_printf",
    "mosquitto_malloc", "mosquitto_property_add_binary", "mosquitto_property_add_byte",
    "mosquitto_property_add_int16", "mosquitto_property_add_int32", "mosquitto_property_add_string",
    "mosquitto_property_add_string_pair", "mosquitto_property_add_varint", "mosquitto_property_free_all",
    "mosquitto_pub_topic_check", "mosquitto_realloc", "mosquitto_set_username", "mosquitto_strdup",
    "mosquitto_sub_topic_check", "mosquitto_topic_matches_sub", "mosquitto_validate_utf8",
}


def main():
    plugin = sys.argv[1]
    out = run(["nm", "-D", "--undefined-only", plugin])
    called = {l.split()[-1] for l in out.splitlines() if l.split()[-1].startswith("mosquitto_")}
    check(called, "the plugin calls no mosquitto_ function: is %s the plugin?" % plugin)
    missing = sorted(called - MOSQUITTO_2_0_EXPORTS)
    check(not missing, "the plugin calls %s, which Mosquitto 2.0 built with its Makefile (as in the "
          "eclipse-mosquitto image) does not export: that broker cannot load the plugin" % missing)
    print("%s: the plugin calls %d broker functions, all exported by every Mosquitto 2.0 build"
          % (NAME, len(called)))


if __name__ == "__main__":
    pkgtest.main(NAME, main)
