"""What a write to a pipe costs the writer when it wakes a sleeping reader (waitbench's
reader thread, when a client writes its `r` lines): a writer that works 0.5 ms between
writes, as a client does between requests, against a reader process asleep in read().
With ``echo`` the reader answers each write with eight tickets, which the writer takes
with a select() and a read(), as Python's blocking workers do after writing.

    python3 scripts/pipe-wake-cost.py [echo]
"""

import os
import select
import sys
import time

ECHO = sys.argv[1:] == ["echo"]
WRITES = 2000
records = b"r 123456 81234568000000 81234568120000 http 200\n" * 8
down, up = os.pipe()
back_down, back_up = os.pipe()
if os.fork() == 0:
    os.close(up)
    os.close(back_down)
    while os.read(down, 65536):
        if ECHO:
            os.write(back_up, b"t 1\n" * 8)
    os._exit(0)
os.close(down)
os.close(back_up)
cpu = time.thread_time_ns
spent = {"write": 0, "select": 0, "read": 0}
for _ in range(WRITES):
    busy_until = time.monotonic_ns() + 500_000
    while time.monotonic_ns() < busy_until:
        pass
    c0 = cpu()
    os.write(up, records)
    c1 = cpu()
    readable = select.select([back_down], [], [], 0)[0]
    c2 = cpu()
    if readable:
        os.read(back_down, 4096)
    c3 = cpu()
    for step, ns in zip(spent, (c1 - c0, c2 - c1, c3 - c2)):
        spent[step] += ns
c0 = cpu()
for _ in range(WRITES):
    cpu()
timer = (cpu() - c0) / WRITES
print(", ".join(f"{step} {(ns / WRITES - timer) / 1000:.1f} µs" for step, ns in spent.items())
      + f" of the writer's CPU per write (timer {timer / 1000:.2f} µs taken off)")
