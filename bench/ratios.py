#!/usr/bin/env python3
"""Prints the ratio table of a GetBenchmark run from JMH's JSON results (-rf json).

Usage: ratios.py RESULTS.json
Each ratio divides Tierstate's throughput by its peer's, measured in the same run:
L1 hit against Caffeine alone (target >= 0.5), L2 hit against raw Lettuce + Jackson (target >= 0.9),
then against the peers a user would pick instead (no target; above 1 means Tierstate is faster):
L1 hit against a local hit of Redisson's RLocalCachedMap and JetCache's two-level cache, L2 hit
against a Redis hit of Redisson's RBucket and JetCache's remote cache.
"""
import json
import sys

PAIRS = [  # (label, Tierstate, peer, target)
    ("L1 hit: Tierstate / Caffeine", "TIERSTATE_L1", "CAFFEINE", 0.5),
    ("L2 hit: Tierstate / Lettuce+Jackson", "TIERSTATE_L2", "LETTUCE_JACKSON", 0.9),
    ("L1 hit: Tierstate / Redisson local map", "TIERSTATE_L1", "REDISSON_LOCAL_CACHED_MAP", None),
    ("L1 hit: Tierstate / JetCache local", "TIERSTATE_L1", "JETCACHE_LOCAL", None),
    ("L2 hit: Tierstate / Redisson RBucket", "TIERSTATE_L2", "REDISSON_BUCKET", None),
    ("L2 hit: Tierstate / JetCache remote", "TIERSTATE_L2", "JETCACHE_REMOTE", None),
    ("L2 hit: Tierstate / Spring Data Redis", "TIERSTATE_L2", "SPRING_DATA_REDIS", None),
    ("L2 hit: Tierstate / socket floor", "TIERSTATE_L2", "SOCKET_FLOOR", None),
    ("L2 hit: Tierstate / Tierstate on the shared connection", "TIERSTATE_L2", "TIERSTATE_L2_SHARED", None),
]


def main(path):
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    scores = {}  # (implementation, threads) -> (score, error, unit)
    for result in results:
        if ".GetBenchmark." not in result["benchmark"]:
            continue
        params = result.get("params", {})
        implementation = params.get("implementation")
        metric = result["primaryMetric"]
        # One row per key distribution: "4 zipf" reads as 4 threads, Zipf keys.
        threads = f"{result['threads']} {params.get('keys', 'uniform').lower()}"
        scores[(implementation, threads)] = (
            metric["score"], metric["scoreError"], metric["scoreUnit"])
    if not scores:
        sys.exit(f"no GetBenchmark results in {path}")

    print("Throughput")
    print(f"  {'implementation':<25} {'threads':>12} {'score':>14} {'error':>12}  unit")
    for (implementation, threads), (score, error, unit) in sorted(scores.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"  {implementation:<25} {threads:>12} {score:>14,.0f} {fmt_error(error):>12}  {unit}")
    print()
    print("Ratios (same run)")
    print(f"  {'':<40} {'threads':>12} {'ratio':>7} {'target':>7}")
    for label, ours, peer, target in PAIRS:
        for threads in sorted({t for (_, t) in scores}):
            if (ours, threads) not in scores or (peer, threads) not in scores:
                continue
            ratio = scores[(ours, threads)][0] / scores[(peer, threads)][0]
            if target is None:
                print(f"  {label:<40} {threads:>12} {ratio:>7.2f} {'-':>7}")
                continue
            verdict = "ok" if ratio >= target else "MISSED"
            print(f"  {label:<40} {threads:>12} {ratio:>7.2f} {'>= ' + str(target):>7}  {verdict}")


def fmt_error(error):
    # JMH reports NaN as the error of a single iteration.
    return "n/a" if error != error else f"± {error:,.0f}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
