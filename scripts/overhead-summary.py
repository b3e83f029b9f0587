"""Sums up scripts/python-overhead.sh or scripts/runtime-overhead.sh: reads their lines
on stdin (one per run: a client's bare loop, `waitbench run` with tickets, and with
--self-paced) and prints, per client, the median CPU per request of each and what the
recording adds over the bare loop, in µs and in % (the figure the 5% bound is about).

    scripts/python-overhead.sh 3 5 | tee runs.txt; python3 scripts/overhead-summary.py < runs.txt
"""

import re
import statistics
import sys

CPU = re.compile(r"client CPU\s+([\d.]+) µs/request")
runs = {}  # client -> {"bare": [...], "tickets": [...], "self-paced": [...]}
for line in sys.stdin:
    cpu = CPU.search(line)
    if not cpu:
        continue
    words = line.replace(":", " ").split()
    if words[0] == "waitbench":
        client, kind = words[1], "self-paced" if "--self-paced" in words else "tickets"
    else:
        client, kind = words[1] if words[0] == "bare" else words[0], "bare"
    runs.setdefault(client, {}).setdefault(kind, []).append(float(cpu.group(1)))

print(f"{'client':<22} {'bare µs':>8} {'tickets µs':>11} {'self-paced µs':>14} "
      f"{'tickets':>16} {'self-paced':>16}")
for client, kinds in runs.items():
    bare = statistics.median(kinds.get("bare", [float("nan")]))

    def cell(kind):
        if kind not in kinds:
            return "", ""
        median = statistics.median(kinds[kind])
        return f"{median:.1f}", f"{median - bare:+.1f} µs {100 * (median / bare - 1):+.1f}%"

    (tickets, tickets_diff), (paced, paced_diff) = cell("tickets"), cell("self-paced")
    print(f"{client:<22} {bare:>8.1f} {tickets:>11} {paced:>14} {tickets_diff:>16} "
          f"{paced_diff:>16}   (runs: {', '.join(f'{k} {len(v)}' for k, v in kinds.items())})")
