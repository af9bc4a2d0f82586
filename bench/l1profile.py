#!/usr/bin/env python3
"""Splits a JFR profile of L1HitInterleaved by subject and method.

Reads `jfr print --events jdk.ExecutionSample` from standard input (bench/run.sh --l1-profile).
Each sample belongs to the subject whose read type is on its stack (L1HitInterleaved$TierstateL1Hit,
...$CaffeineWithExpiry, ...). For each subject it prints how many samples it has and, for the
methods it names, the share of that subject's samples whose stack holds the method (inclusive) or
ends in it (self). Inclusive shares of Tierstate's samples say where a hit's time goes: Caffeine's
own lookup, the hit counter, hot-key sampling, the entry checks, the key's construction.
"""
import re
import sys
from collections import Counter, defaultdict

SUBJECTS = ["CaffeineAlone", "CaffeineAgain", "CaffeineWithExpiry", "CaffeineWithExpiryAndStats",
            "TierstateL1Hit"]

# Methods whose inclusive share is printed for every subject that has them: (label, frame prefix).
PARTS = [
    ("the loop: key built (string concatenation)", "java.lang.StringConcatHelper"),
    ("the loop: key built (invokedynamic concat)", "java.lang.invoke."),
    ("Caffeine BoundedLocalCache.getIfPresent", "com.github.benmanes.caffeine.cache.BoundedLocalCache.getIfPresent"),
    ("  ConcurrentHashMap.get", "java.util.concurrent.ConcurrentHashMap.get"),
    ("  String.hashCode / equals", "java.lang.String."),
    ("  Caffeine expiry on read", "com.github.benmanes.caffeine.cache.BoundedLocalCache.hasExpired"),
    ("  Caffeine afterRead (buffers, stats)", "com.github.benmanes.caffeine.cache.BoundedLocalCache.afterRead"),
    ("  Caffeine stats counter", "com.github.benmanes.caffeine.cache.stats."),
    ("Tierstate DefaultTieredCache.get", "io.tierstate.internal.cache.DefaultTieredCache.get"),
    ("  L1.get (Caffeine + trust check)", "io.tierstate.internal.cache.L1.get"),
    ("  hit counter (Micrometer)", "io.micrometer."),
    ("  hit counter (striped adder)", "java.util.concurrent.atomic."),
    ("  hot-key sampling", "io.tierstate.internal.hotkeys."),
    ("  entry checks (fresh, type)", "io.tierstate.internal.cache.L1Entry."),
    ("  coarse clock", "io.tierstate.internal.cache.CoarseClock."),
    ("  Optional.orElse", "java.util.Optional."),
]

FRAME = re.compile(r"^\s+([\w.$<>/]+)\(")


def samples(lines):
    stack, inside = [], False
    for line in lines:
        if line.startswith("jdk.ExecutionSample"):
            stack, inside = [], False
        elif "stackTrace = [" in line:
            inside = True
        elif inside and line.strip() == "]":
            inside = False
            yield stack
        elif inside:
            m = FRAME.match(line)
            if m:
                stack.append(m.group(1))


def main():
    total = Counter()
    inclusive = defaultdict(Counter)
    self_time = defaultdict(Counter)
    for stack in samples(sys.stdin):
        subject = next((s for s in SUBJECTS for f in stack if f.endswith("$" + s + ".get")), None)
        if subject is None:
            continue
        total[subject] += 1
        self_time[subject][stack[0]] += 1
        seen = set()
        for label, prefix in PARTS:
            if any(f.startswith(prefix) for f in stack) and label not in seen:
                seen.add(label)
                inclusive[subject][label] += 1
    if not total:
        sys.exit("no sample named a subject: was the run a L1HitInterleaved one, with JFR on?")
    for subject in SUBJECTS:
        n = total[subject]
        if n == 0:
            continue
        print(f"\n{subject}: {n} samples")
        print("| part (inclusive) | share of samples |\n|---|---|")
        for label, _ in PARTS:
            if inclusive[subject][label]:
                print(f"| {label} | {100.0 * inclusive[subject][label] / n:.1f} % |")
        print("\ntop methods by self samples:")
        for method, count in self_time[subject].most_common(8):
            print(f"  {100.0 * count / n:5.1f} %  {method}")


if __name__ == "__main__":
    main()
