# SPDX-License-Identifier: MIT
"""The fault matrix, end to end: for each fault the simulated ECU can play, a
real mosquitto with the (sanitized) plugin keeps serving a steady stream of
client messages, says what happened in one log line per change of trouble,
publishes `offline` after `offline_after` failed polls, and has the data back
one cycle after the fault clears.

Usage: test_faults.py APS_ECU PLUGIN_SO FIXTURES_DIR MODE   (see rel.py for the environment)"""

import time

import rel
from rel import check, wait_for

ECU = "aps/" + rel.SIM_ECU
INVERTERS = 4


def _json(m):
    return rel.strict_json(m.payload)


def first(sub, pred, after, timeout, what):
    def find():
        for m in rel.received(sub):
            if m.t >= after and pred(m):
                return m
        return None
    return wait_for(find, timeout, what)


def is_data(m, online):
    return m.topic == ECU and _json(m).get("inverters_online") == online


def expected_log_lines(diags):
    """Lines the plugin must log for this sequence of diagnostics: one when a
    run of failures starts, and one each time its reason changes."""
    n, last = 0, None
    for d in diags:
        f = d["consecutive_failures"]
        if f == 0:
            last = None
            continue
        if f == 1 or d["last_error"] != last:
            n += 1
        last = d["last_error"]
    return n


def fault_case(fault, offline_after=3, night=False, heals_after_s=None):
    def test(env):
        control = env.path("control")
        rel.write_control(control, "none")
        sim = env.simulator("--inverters", str(INVERTERS), "--start", "2026-06-21T12:00", "--control", control)
        b = rel.broker(env, rel.opts([sim.port], offline_after=offline_after))
        sub = rel.watch_all(env, b.port)
        stream = rel.Stream(env, b.port)
        t0 = time.monotonic()
        first(sub, lambda m: m.topic == ECU + "/status" and m.payload == b"online", t0 - 5, 10, "the ECU online")
        first(sub, lambda m: is_data(m, INVERTERS), t0 - 5, 10, "the ECU's data")

        t_fault = time.monotonic()
        rel.write_control(control, fault)
        figures = {"fault": fault}
        if night:
            night_msg = first(sub, lambda m: is_data(m, 0), t_fault, 10, "the night payload")
            invs = {}
            def all_offline():
                for m in rel.received(sub):
                    if m.t >= night_msg.t and m.topic.startswith(ECU + "/") and len(m.topic) == len(ECU) + 13:
                        invs[m.topic] = _json(m)
                # Offline, and nothing but energy (which stays true at night) beside it.
                return len(invs) == INVERTERS and all(
                    v.get("online") is False and all(k == "online" or k.endswith(("_energy", "_measured")) for k in v)
                    for v in invs.values())
            wait_for(all_offline, 5, "every inverter {\"online\": false}: %s" % invs)
            time.sleep(2)
            statuses = [m.payload for m in rel.received(sub) if m.topic == ECU + "/status" and m.t >= t_fault]
            check(b"offline" not in statuses, "the ECU went offline at night")
            trouble = rel.log_lines(env, "broker", "aps-ecu: ECU at")
            check(not trouble, "failures logged at night: %s" % trouble)
        else:
            off = first(sub, lambda m: m.topic == ECU + "/status" and m.payload == b"offline", t_fault, 25,
                        "offline on " + ECU + "/status")
            figures["offline_after_s"] = round(off.t - t_fault, 2)
            time.sleep(1.5)  # more failures, which must not be logged again

            msgs = rel.received(sub)
            i_off = next(i for i, m in enumerate(msgs) if m is off or (m.t == off.t and m.topic == off.topic
                                                                      and m.payload == off.payload))
            before = [_json(m) for m in msgs[:i_off] if m.topic == ECU + "/diagnostics"]
            after = [_json(m) for m in msgs[i_off:] if m.topic == ECU + "/diagnostics"]
            check(before and before[-1]["consecutive_failures"] == offline_after - 1,
                  "offline published after %s failures, not %d" %
                  (before[-1]["consecutive_failures"] if before else "?", offline_after))
            check(after and after[0]["consecutive_failures"] == offline_after,
                  "the cycle that went offline says %s failures" % (after[0] if after else "?"))
            figures["error"] = after[0]["last_error"]

        if heals_after_s:
            time.sleep(max(0.0, t_fault + heals_after_s - time.monotonic()))
            t_clear = time.monotonic()
        else:
            t_clear = time.monotonic()
            rel.write_control(control, "none")
        back = first(sub, lambda m: is_data(m, INVERTERS), t_clear, 10, "data after the fault cleared")
        figures["back_after_s"] = round(back.t - t_clear, 2)
        # The simulator re-reads its control file every 100 ms: a cycle that
        # started in that gap still meets the fault.  The one after it is good.
        failed_after = [m for m in rel.received(sub) if m.topic == ECU + "/diagnostics" and
                        t_clear + 0.15 < m.t < back.t and _json(m)["consecutive_failures"] > 0]
        check(len(failed_after) <= 1, "%d more failed cycles after the fault cleared" % len(failed_after))
        check(back.t - t_clear <= 1 + 0.1 + 0.5 + 0.6,
              "data back %.2f s after the fault cleared: more than one retry interval" % (back.t - t_clear))
        if not night:
            first(sub, lambda m: m.topic == ECU + "/status" and m.payload == b"online", t_clear, 5, "online again")

        check(b.poll() is None, "the broker died")
        figures["stream"] = stream.stop()

        msgs = rel.received(sub)
        figures["payloads_checked"] = rel.check_payloads(msgs, {rel.SIM_ECU})
        if not night:
            diags = [_json(m) for m in msgs if m.topic == ECU + "/diagnostics"]
            want = expected_log_lines(diags)
            lines = rel.log_lines(env, "broker", "aps-ecu: ECU at 127.0.0.1:%d: " % sim.port)
            check(len(lines) == want, "%d trouble lines logged, %d changes of trouble:\n%s" %
                  (len(lines), want, "\n".join(lines)))
            check(all("(next try in " in l for l in lines), "a trouble line without its retry time")
            check(rel.log_lines(env, "broker", "answers again"), "no 'answers again' line")
            figures["log_lines"] = len(lines)
            figures["failed_cycles"] = sum(1 for d in diags if d["consecutive_failures"] > 0)

        log, ticks = rel.stop_broker(env, b)
        figures["ticks"], figures["tick_max_ms"], figures["tick_mean_ms"] = ticks
        time.sleep(0.3)
        final = rel.received(sub, strict=False)
        check([m.payload for m in final if m.topic == "aps/status"][-1:] == [b"offline"], "no offline on aps/status")
        check([m.payload for m in final if m.topic == ECU + "/status"][-1:] == [b"offline"],
              "no offline on the ECU status at shutdown")
        figures["sanitized"] = rel.sanitized()
        rel.summary("fault_" + fault.split(":")[0], **figures)
    return test


TESTS = {
    "refuse": fault_case("refuse", offline_after=2),
    "hang": fault_case("hang"),
    "drip": fault_case("drip:150"),
    "truncate": fault_case("truncate", offline_after=2),
    "garbage": fault_case("garbage"),
    "oversize": fault_case("oversize", offline_after=2),
    "badlength": fault_case("badlength"),
    "badsig": fault_case("badsig", offline_after=2),
    "badcmd": fault_case("badcmd"),
    "reset": fault_case("reset", offline_after=2),
    "reboot": fault_case("reboot:5", heals_after_s=5),
    "night": fault_case("night", night=True),
    "mutate": fault_case("mutate:3", offline_after=2),
}

if __name__ == "__main__":
    rel.run(TESTS)
