#!/usr/bin/env python3
"""Prints bench/compare.sh's table: per revision and round, each hot path as a ratio to its own
reference in the same JVM, then head against base (the median over rounds)."""
import json
import statistics
import sys


def get_ratios(path):
    """Throughput ratios from one GetBenchmark run: L1 hit / Caffeine, L2 hit / Lettuce+Jackson."""
    score = {}
    for result in json.load(open(path)):
        score[result["params"]["implementation"]] = result["primaryMetric"]["score"]
    return score["TIERSTATE_L1"] / score["CAFFEINE"], score["TIERSTATE_L2"] / score["LETTUCE_JACKSON"]


def getall_ratio(path):
    """p50 latency of Tierstate's getAll(100) over raw Lettuce's MGET + decode, from the scenario's table."""
    p50 = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] in ("`TIERSTATE_L2`", "`LETTUCE_JACKSON`"):
            p50[cells[0].strip("`")] = float(cells[1].replace(",", ""))
    return p50["TIERSTATE_L2"] / p50["LETTUCE_JACKSON"]


def main(out, base, head, rounds):
    rows = {}
    for sha in (base, head):
        for r in range(1, rounds + 1):
            l1, l2 = get_ratios(f"{out}/get-{sha}-{r}.json")
            ga = getall_ratio(f"{out}/getall-{sha}-{r}.md")
            rows.setdefault(sha, []).append((l1, l2, ga))
    print("| revision | round | L1 hit / Caffeine (throughput) | L2 hit / Lettuce+Jackson (throughput) "
          "| getAll(100) p50 / Lettuce MGET p50 (latency) |")
    print("|---|---|---|---|---|")
    for sha, values in rows.items():
        for r, (l1, l2, ga) in enumerate(values, 1):
            print(f"| {sha} | {r} | {l1:.2f}x | {l2:.2f}x | {ga:.2f}x |")
    med = {sha: [statistics.median(v[i] for v in values) for i in range(3)] for sha, values in rows.items()}
    b, h = med[base], med[head]
    print()
    print(f"head {head} against base {base} (medians over rounds; above 1 is better for the hits, below 1 for getAll): "
          f"L1 hit {h[0] / b[0]:.2f}x, L2 hit {h[1] / b[1]:.2f}x, getAll latency {h[2] / b[2]:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
