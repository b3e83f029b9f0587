#!/usr/bin/env python3
"""Do two runs of the suite give the same verdicts?

    scripts/compare-verdicts.py A/results.json B/results.json

Prints each claim's verdict in both runs (and each trial's, where a claim had several),
and exits 1 if any verdict differs: a verdict that depends on which run you look at is
not a finding.
"""
import json
import sys


def verdicts(path):
    with open(path) as f:
        doc = json.load(f)
    return {row["id"]: row for row in doc["claims"]}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    a, b = (verdicts(p) for p in sys.argv[1:])
    differ = 0
    print(f"{'claim':6} {'run A':30} {'run B':30} same")
    for claim in sorted(set(a) | set(b), key=lambda c: (len(c), c)):
        va = a.get(claim, {}).get("verdict", "—")
        vb = b.get(claim, {}).get("verdict", "—")
        same = va == vb
        differ += not same
        print(f"{claim:6} {va:30} {vb:30} {'yes' if same else 'NO'}")
        for name, row in (("A", a.get(claim)), ("B", b.get(claim))):
            trials = (row or {}).get("trial_verdicts") or []
            if len(set(trials)) > 1:
                print(f"       run {name} trials: {', '.join(trials)}")
    print(f"{differ} of {len(set(a) | set(b))} verdicts differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
