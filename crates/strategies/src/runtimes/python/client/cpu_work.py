"""The CPU-bound response-handling step of claim F1, the twin of waitbench's Rust one
(``crates/strategies/src/cpu_work.rs``): after each response the worker burns a fixed
amount of CPU time on the thread (or pool process) that handles the response.

How it is sized: the scenario's ``cpu_work`` setting (1 ms in claim F1) is a budget of
*the calling thread's own CPU time*, read from CLOCK_THREAD_CPUTIME_ID
(``time.thread_time_ns``), the clock the Rust step reads. So one setting costs the same
CPU per response in Python as in Rust, and what differs between patterns is only where
that CPU runs: inline on the event loop, on a thread that must hold the GIL, or in
another process. A fixed number of iterations would have to be calibrated per machine
and interpreter (and pure Python gets through ~50× fewer bytes per millisecond than
Rust, so "the same iterations" would not be the same work); a wall clock would end early
whenever the thread waits for the GIL or is descheduled, so threads would seem to pay
less than asked. A thread waiting for the GIL is blocked, so its CPU clock stands still.

The work itself is deterministic: FNV-1a over a block seeded with the request's index (a
stand-in for parsing the response), the same hash the Rust step uses, pure Python so
that it holds the GIL as parsing in Python would. The clock is read every ``BLOCK``
bytes, 5–15 µs of hashing, so a response overshoots its budget by about that much
(1% of claim F1's 1 ms).
"""

import time

# Bytes hashed between two reads of the CPU clock.
BLOCK = 64
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def burn(seed, budget_ns):
    """Burns ``budget_ns`` of this thread's CPU time hashing a block seeded with
    ``seed``, and returns the digest; a budget of 0 does nothing."""
    if budget_ns <= 0:
        return seed
    clock = time.thread_time_ns
    start = clock()
    block = bytearray((seed + i) & 0xFF for i in range(BLOCK))
    digest = FNV_OFFSET ^ (seed & MASK)
    while True:
        for byte in block:
            digest = ((digest ^ byte) * FNV_PRIME) & MASK
        block[digest % BLOCK] ^= digest & 0xFF
        if clock() - start >= budget_ns:
            return digest
