# SPDX-License-Identifier: MIT
"""Draws bench/latency.png from bench.py's samples: the distribution of the
publish round trip through the broker without and with the plugin.
usage: plot.py OUT_DIR [SAMPLES_DIR]   (samples default to OUT_DIR/samples)"""

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(path):
    with open(path) as f:
        return sorted(float(x) / 1000.0 for x in f)


def main():
    out = sys.argv[1]
    samples = sys.argv[2] if len(sys.argv) > 2 else os.path.join(out, "samples")
    pairs = []
    for name in sorted(os.listdir(samples)):
        if name.endswith("-without.txt"):
            stem = name[: -len("-without.txt")]
            if os.path.exists(os.path.join(samples, stem + "-with.txt")):
                pairs.append(stem)
    # The healthy ECU (discovery burst) and the largest scale run say the most.
    chosen = [p for p in pairs if p == "stall-healthy"]
    scale = sorted((p for p in pairs if p.startswith("scale-")), key=lambda p: int(p.split("-")[1]))
    chosen += scale[-1:]
    chosen = chosen or pairs[:2]
    fig, axes = plt.subplots(1, len(chosen), figsize=(6 * len(chosen), 4.2), squeeze=False)
    for ax, stem in zip(axes[0], chosen):
        curves = [("without", "-", "without the plugin"), ("with", "--", "with the plugin"),
                  ("bound", ":", "bound from tick time")]
        for kind, style, label in curves:
            path = os.path.join(samples, "%s-%s.txt" % (stem, kind))
            if kind == "bound" and not os.path.exists(path):
                continue  # only the stall benchmark models its worst case
            v = load(path)
            if not v:
                continue
            # Exceedance: the share of round trips slower than x, down to one in n.
            n = len(v)
            ax.step(v, [1 - i / n for i in range(n)], style, where="post",
                    label="%s (p99 %.2f ms, max %.2f ms)" % (label, v[(n - 1) * 99 // 100], v[-1]))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("publish round trip through the broker, ms")
        ax.set_ylabel("share of round trips slower")
        ax.set_title(stem.replace("stall-healthy", "1 ECU x 80 inverters, discovery, poll every 1 s")
                     .replace("scale-", "") + ("" if stem.startswith("stall") else " ECUs x 80 inverters, poll every 5 s"))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency.png"), dpi=110)
    print("wrote", os.path.join(out, "latency.png"))


if __name__ == "__main__":
    main()
