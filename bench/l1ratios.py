#!/usr/bin/env python3
"""Prints the L1-hit table of an L1HitBenchmark run from JMH's JSON results (-rf json, -prof gc).

Usage: l1ratios.py RESULTS.json
One row per shape (keys, distribution, threads); every ratio divides Tierstate's throughput by a
reference's measured in the same run: Caffeine alone (target >= 0.5) and Caffeine with a
per-entry expiry (target >= 0.9). Allocation is bytes per read from -prof gc; building the fresh
key allocates the same bytes in every subject, so Tierstate's figure minus Caffeine's is what
Tierstate itself allocates per hit (target 0). With TIERSTATE_L1_NO_SAMPLING in the run, the column
"sampling on / off" divides Tierstate's throughput with hot-key sampling (its default) by the same
node's without (target >= 0.95: sampling costs at most 5% of an L1 hit), and a last line gives
their geometric mean over the rows.
"""
import json
import math
import sys

SUBJECTS = ["CAFFEINE", "CAFFEINE_EXPIRY", "TIERSTATE_L1", "TIERSTATE_L1_NO_SAMPLING", "TIERSTATE_L1_REGISTRY"]


def main(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    rows = {}  # (keys, distribution, threads) -> subject -> (ops/s, B/op)
    for result in results:
        if ".L1HitBenchmark." not in result["benchmark"]:
            continue
        p = result["params"]
        alloc = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        shape = (int(p["keys"]), p["distribution"].lower(), result["threads"])
        rows.setdefault(shape, {})[p["subject"]] = (result["primaryMetric"]["score"], alloc)
    if not rows:
        sys.exit(f"no L1HitBenchmark results in {path}")
    present = [s for s in SUBJECTS if any(s in r for r in rows.values())]
    header = ["keys", "keys picked", "threads"] + [f"{s} (M reads/s)" for s in present]
    header += ["Tierstate / Caffeine", "Tierstate / Caffeine+expiry", "alloc B/read (Caffeine, Tierstate)"]
    if "TIERSTATE_L1_REGISTRY" in present:
        header.insert(len(header) - 1, "with a user registry / Caffeine")
    sampling = "TIERSTATE_L1_NO_SAMPLING" in present
    if sampling:
        header.insert(len(header) - 1, "sampling on / off")
    sampling_ratios = []
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    missed = []
    for shape in sorted(rows):
        r = rows[shape]
        cells = [f"{shape[0]:,}", shape[1], str(shape[2])]
        cells += [f"{r[s][0] / 1e6:.2f}" if s in r else "-" for s in present]
        ratio = lambda a, b: r[a][0] / r[b][0] if a in r and b in r else None
        alone, expiry = ratio("TIERSTATE_L1", "CAFFEINE"), ratio("TIERSTATE_L1", "CAFFEINE_EXPIRY")
        cells.append(mark(alone, 0.5, missed, shape, "Caffeine"))
        cells.append(mark(expiry, 0.9, missed, shape, "Caffeine+expiry"))
        if "TIERSTATE_L1_REGISTRY" in present:
            cells.append(mark(ratio("TIERSTATE_L1_REGISTRY", "CAFFEINE"), 0.5, missed, shape, "Caffeine (user registry)"))
        if sampling:
            on_off = ratio("TIERSTATE_L1", "TIERSTATE_L1_NO_SAMPLING")
            if on_off is not None:
                sampling_ratios.append(on_off)
            cells.append(mark(on_off, 0.95, missed, shape, "sampling off"))
        allocs = [r[s][1] for s in ("CAFFEINE", "TIERSTATE_L1") if s in r and r[s][1] is not None]
        cells.append(", ".join(f"{a:.0f}" for a in allocs) if allocs else "-")
        print("| " + " | ".join(cells) + " |")
    print()
    if sampling_ratios:
        mean = math.exp(sum(math.log(r) for r in sampling_ratios) / len(sampling_ratios))
        print(f"Hot-key sampling on / off, geometric mean of {len(sampling_ratios)} rows: {mean:.3f}x"
              f" (cost {100 * (1 - mean):.1f}% of L1-hit throughput; target at most 5%)")
        print()
    for line in missed:
        print("MISSED " + line)


def mark(ratio, target, missed, shape, what):
    if ratio is None:
        return "-"
    if ratio < target:
        missed.append(f"{shape}: {ratio:.2f}x {what}, target {target}")
        return f"**{ratio:.2f}x**"
    return f"{ratio:.2f}x"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
