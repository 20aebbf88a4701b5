# SPDX-License-Identifier: MIT
"""Every broker function the plugin calls must be one that every Mosquitto 2.0
build exports.  Debian builds the broker with CMake, which exports all of its
functions; the broker's own Makefile (used by the eclipse-mosquitto image)
exports only the list in its src/linker.syms, and the broker loads plugins
with RTLD_NOW, so a call to anything else makes the plugin fail to load there
("undefined symbol") although every test on Debian passes.

Mosquitto 2.1 exports more (its own src/linker.syms); a plugin built against
2.1's headers must keep to the same 2.0 list, since the same sources serve
both, and 2.1's additions are looked up at run time (dlsym), never linked.

usage: test_broker_exports.py PLUGIN_SO [LINKER_SYMS_2_1 PLUGIN_SO_BUILT_ON_2_1]"""

import re
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


def broker_calls(plugin):
    out = run(["nm", "-D", "--undefined-only", plugin])
    called = {l.split()[-1] for l in out.splitlines() if l.split()[-1].startswith("mosquitto_")}
    check(called, "the plugin calls no mosquitto_ function: is %s the plugin?" % plugin)
    return called


def linker_syms(path):
    """The names in a linker version script such as src/linker.syms."""
    text = open(path).read()
    return set(re.findall(r"\b(mosquitto_\w+)\s*;", text))


def main():
    plugins = [sys.argv[1]]
    exports_21 = None
    if len(sys.argv) == 4:
        exports_21 = linker_syms(sys.argv[2])
        check(MOSQUITTO_2_0_EXPORTS <= exports_21, "2.1.2's linker.syms lacks %s"
              % sorted(MOSQUITTO_2_0_EXPORTS - exports_21))
        plugins.append(sys.argv[3])
    for plugin in plugins:
        called = broker_calls(plugin)
        missing = sorted(called - MOSQUITTO_2_0_EXPORTS)
        check(not missing, "%s calls %s, which Mosquitto 2.0 built with its Makefile (as in the "
              "eclipse-mosquitto image) does not export: that broker cannot load the plugin" % (plugin, missing))
        if exports_21 is not None:
            missing = sorted(called - exports_21)
            check(not missing, "%s calls %s, which Mosquitto 2.1.2 does not export" % (plugin, missing))
        print("%s: %s calls %d broker functions, all exported by every Mosquitto 2.0 build%s"
              % (NAME, plugin, len(called), " and by 2.1.2" if exports_21 is not None else ""))


if __name__ == "__main__":
    pkgtest.main(NAME, main)
