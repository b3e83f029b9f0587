"""What every Python pattern shares: client protocol 1 (docs/client-protocol.md), Python's side.

Python only executes; waitbench measures, and decides when each request leaves. A pattern
module builds its client the way the article does and calls ``run.ready()`` (waitbench
takes its baseline of this process then), starts its pools, and calls ``run.start()``,
which answers waitbench's clock handshake and returns at ``go``. Workers then take the tickets waitbench hands out, with
``run.next()`` on threads or ``await run.next_async()`` on an event loop (which never
blocks the loop), send, and report each request with ``run.record``; the pattern ends
with ``run.finish()``. After each response the worker does the job's CPU work (claim
F1; ``cpu_work.py``), inline unless the pattern hands it elsewhere, as waitbench's Rust
workers do after recording.

No thread reads stdin for the others: a blocking worker that needs a ticket reads it
itself, and an event loop reads its tickets when stdin is readable, so a ticket costs no
thread hand-off (no extra wake-up, no GIL switch).

Blocking workers take tickets ahead (``tickets_ahead`` in ``ready``): in a batch or a
closed loop that waits for every request, waitbench keeps TICKETS_AHEAD more tickets
outstanding than the workers can send, so the next one is already read when a request
ends, where one request at a time would otherwise wait a pipe round trip (a sleep and a
wake-up) for each. The workers' ``r`` lines are then held and written together, every
HOLD_RECORDS records or HOLD_NS after the first, and always before a worker waits for a
ticket (the credits they return are what brings more); each such write also looks for
waitbench's ``stop`` (and a closed loop's ``end``), so the tickets held are dropped at
once. So a request costs a share of a read and of a write, not one of each, and wakes
waitbench a share of a time. The times in the held lines were read around each
request: holding them changes none. A self-paced worker holds its records the same
way, and looks for ``end`` and ``stop`` only when it writes them. An open loop, and a
batch that stops at its first failure, keep one line per request and no ticket ahead.

Answering the first ``clock`` only once the pools are started keeps their start out of
both the memory baseline (taken at ``ready``, so that threads count as the run's, as a
Rust strategy's do) and the timed run (which starts at ``go``); waitbench relates the
clocks by the handshake's shortest round trip, so a slow first answer costs nothing.

There is no load model here: a batch, a closed loop and an open loop are waitbench's
hand-out, and whether a request falls in the measured window is decided there too.
"""

import array
import base64
import collections
import contextlib
import itertools
import json
import os
import platform
import select
import sys
import threading
import time

from cpu_work import burn

STDIN, STDOUT = 0, 1
PROTOCOL = 1
# Outcome classes, as protocol 1 names them: "http" is a response (its status says
# which), the others waitbench's error kinds.
RESPONSE, CONNECT, TLS, TIMEOUT, RESET, BODY, CANCELLED, OTHER = (
    "http", "connect", "tls", "timeout", "reset", "body", "cancelled", "other")
# Bytes asked of stdin per read: a few hundred tickets.
READ_BYTES = 4096
# Tickets blocking workers take ahead of the requests they can send, records they hold
# before writing them (no more than the tickets ahead, so that a worker never runs out
# while its records travel), and how long they hold the first (a bound on how late a
# ``stop`` is seen, and on how long a credit waits).
TICKETS_AHEAD = 16
HOLD_RECORDS = 8
HOLD_NS = 10_000_000
# How stdin is read; a pattern whose workers share one OS thread (py-gevent's greenlets)
# swaps in a read that waits on its hub instead of holding that thread.
read_stdin = os.read

now_ns = time.monotonic_ns


def say(line):
    """Writes one line: a single write of under PIPE_BUF bytes, so that lines from several
    threads never interleave."""
    os.write(STDOUT, line.encode())


def say_all(lines):
    """Writes ``lines`` together, in as few writes as the pipe takes (one while they stay
    under PIPE_BUF bytes; past it, the caller keeps other writers out meanwhile)."""
    data = "".join(lines).encode()
    while data:
        data = data[os.write(STDOUT, data):]


def failed(kind, status):
    return kind != RESPONSE or not 200 <= status < 300


class Inbox:
    """waitbench's lines on stdin, read by whoever needs the next one: a blocking worker
    or the event loop, never a thread of its own."""

    def __init__(self):
        self.lines = collections.deque()
        self.rest = b""
        self.closed = False

    def read(self):
        """Reads what stdin has (blocking until something is there); False at its end."""
        if self.closed:
            return False
        # A small buffer: os.read allocates the whole size asked for on every call, and a
        # read rarely finds more than a few tickets.
        data = read_stdin(STDIN, READ_BYTES)
        if not data:
            self.closed = True
            return False
        *lines, self.rest = (self.rest + data).split(b"\n")
        self.lines.extend(lines)
        return True

    def next_line(self):
        """The next line, or None at the end of stdin."""
        while not self.lines:
            if not self.read():
                return None
        return self.lines.popleft()


class Run:
    """The job waitbench sent, the tickets it hands out, and the lines written back."""

    def __init__(self, job):
        self.urls = job["urls"]
        request = job["request"]
        # The method, headers and body the user gave (-m, -H, --body), sent by every
        # pattern through its library's generic request call.
        self.method = request["method"]
        self.headers = dict(request["headers"])
        self.body = base64.b64decode(request["body_base64"]) or None
        self.load = job["load"]
        # A batch's size (a task per request needs it up front); None for a timed run.
        self.total = self.load.get("requests")
        self.options = job["options"]
        self.concurrency = self.options["workers"]
        self.connect_timeout_s = job["timeouts"]["connect_s"]
        self.request_timeout_s = job["timeouts"]["request_s"]
        self.cancel_on_error = job["on_error"] == "cancel"
        # Self-paced (protocol 1): no tickets; requests are numbered here.
        self.self_paced = job.get("self_paced", False)
        self.numbers = itertools.count()
        self.cpu_work_ns = self.options.get("cpu_work_ns", 0)
        self.extras = {}
        # Called with the extras at the end, to add their figures (TLS's handshakes).
        self.reporters = []
        self.messages_left = job["error_messages"]
        self.stopped = False
        self.issued_at_first_failure = None
        # Tickets taken on the event loop; a task per request reports its own count.
        self.taken = 0
        self.counts_issued = False
        self.lock = threading.Lock()
        self.inbox = Inbox()
        # Blocking workers read the next ticket themselves, one at a time; an event loop
        # reads them when stdin is readable and hands them to the tasks that wait.
        self.read_lock = threading.Lock()
        self.loop = None
        self.pending = collections.deque()
        self.waiters = collections.deque()
        self.ended = False
        self.out = []
        # Blocking workers' records, held (see the module's doc); ``holds`` is set by
        # ``ready(blocking=True)`` where waitbench grants tickets ahead.
        self.holds = False
        self.held = []
        self.held_since = 0
        self.held_lock = threading.Lock()
        # A closed loop drops the tickets it holds at ``end``; a batch's are its requests.
        self.drops_at_end = self.load["kind"] == "closed_loop"

    def url(self, index):
        return self.urls[index % len(self.urls)]

    def ready(self, blocking=False):
        """The client exists: waitbench takes its baseline now. ``blocking``: its workers
        take tickets with ``next()``, and take them ahead where waitbench grants it."""
        described = {"runtime": f"CPython {platform.python_version()}"}
        if blocking:
            described["tickets_ahead"] = TICKETS_AHEAD
            # As waitbench grants them: never in an open loop, nor under cancel-on-error
            # (a self-paced run, a batch or closed loop that waits for all, holds too).
            self.holds = self.load["kind"] != "open_loop" and not self.cancel_on_error
        say("ready " + json.dumps(described) + "\n")

    def start(self):
        """The pools are started: answers the clock handshake, and returns at ``go``.
        Called on a running event loop, that loop reads the tickets from then on."""
        import asyncio

        while (line := self.inbox.next_line()) is not None:
            word, _, rest = line.partition(b" ")
            if word == b"clock":
                say(f"clock {int(rest)} {now_ns()}\n")
            elif word == b"go":
                break
        else:
            sys.exit(0)  # waitbench let go before the run
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.loop.add_reader(STDIN, self.on_readable)
        if self.inbox.lines:
            self.loop.call_soon(self.hear_on_loop)

    def hear(self, line):
        """One line of the run: a ticket's index, or None for ``end`` and ``stop``
        (which end the run; ``stop`` drops the tickets not yet taken)."""
        word, _, rest = line.partition(b" ")
        if word == b"t":
            return int(rest)
        if word == b"stop":
            self.stopped = True
            self.pending.clear()
        self.ended = True
        return None

    def on_readable(self):
        if not self.inbox.read():
            self.loop.remove_reader(STDIN)
            self.ended = True
        self.hear_on_loop()

    def hear_on_loop(self):
        """Hands the lines read to the tasks waiting for a ticket, or keeps them."""
        lines = self.inbox.lines
        while lines:
            index = self.hear(lines.popleft())
            if index is None:
                continue
            while self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(index)
                    break
            else:
                self.pending.append(index)
        if self.ended:
            while self.waiters:
                waiter = self.waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)

    def numbered(self):
        """A self-paced client's next request, numbered here: None once a batch's size is
        reached or waitbench said ``end`` or ``stop``."""
        # A worker that holds its records looks when it writes them.
        if self.loop is None and not self.holds:
            self.poll()
        if self.stopped or self.ended:
            return None
        index = next(self.numbers)  # atomic under the GIL
        if self.total is not None and index >= self.total:
            return None
        return index

    def poll(self):
        """Takes what waitbench wrote, if anything, without waiting for it (a blocking
        worker that is self-paced or holds tickets; an event loop is told by its reader)."""
        if not self.read_lock.acquire(blocking=False):
            return
        try:
            while select.select([STDIN], [], [], 0)[0]:
                if not self.inbox.read():
                    self.ended = True
                    break
            self.heard()
        finally:
            self.read_lock.release()

    def heard(self):
        """Acts on what was read, under the read lock: a self-paced worker has no tickets
        to keep, and a ``stop`` (or a closed loop's ``end``) drops the tickets before it."""
        lines = self.inbox.lines
        if self.self_paced or b"stop" in lines or (self.drops_at_end and b"end" in lines):
            while lines:
                self.hear(lines.popleft())

    def next(self):
        """The next ticket's index, or None when the run is over (blocking workers): the
        worker that needs a ticket reads it, so no other thread is woken to pass it on."""
        if self.self_paced:
            return self.numbered()
        if not self.read_lock.acquire(blocking=False):
            # Another worker is reading: what this one holds must not wait with it.
            self.write_held()
            self.read_lock.acquire()
        try:
            while not self.stopped and not self.ended:
                if self.inbox.lines:
                    index = self.hear(self.inbox.lines.popleft())
                    if index is not None:
                        return index
                else:
                    self.write_held()
                    if not self.inbox.read():
                        self.ended = True
                    self.heard()
            return None
        finally:
            self.read_lock.release()

    async def next_async(self):
        """The next ticket's index, or None when the run is over, awaited on the event
        loop without blocking it."""
        if self.self_paced:
            index = self.numbered()
            self.taken += index is not None
            return index
        if self.stopped:
            return None
        if self.pending:
            index = self.pending.popleft()
        elif self.ended:
            return None
        else:
            waiter = self.loop.create_future()
            self.waiters.append(waiter)
            index = await waiter
            if index is None:
                return None
        self.taken += 1
        return index

    def record(self, index, sent_ns, ended_ns, kind, status):
        """Reports one request: from the event loop, with the other lines of the same
        loop iteration, in one write; from a blocking worker that holds its records,
        with the others held (see the module's doc); else at once."""
        line = f"r {index} {sent_ns} {ended_ns} {kind} {status}\n"
        if not self.holds or self.loop is not None:
            self.write(line)
            return
        with self.held_lock:
            if not self.held:
                self.held_since = ended_ns
            self.held.append(line)
            due = len(self.held) >= HOLD_RECORDS or ended_ns - self.held_since >= HOLD_NS
        if due:
            self.write_held()
            self.poll()

    def write_held(self):
        """Writes the records held, in one write."""
        with self.held_lock:
            if self.held:
                say_all(self.held)
                self.held.clear()

    def write(self, line):
        if self.loop is None:
            say(line)
            return
        if not self.out:
            self.loop.call_soon(self.flush)
        self.out.append(line)

    def flush(self):
        if self.out:
            # Several lines may pass PIPE_BUF; only the loop's thread writes meanwhile.
            say_all(self.out)
            self.out.clear()

    def work(self, index):
        """The CPU work after response ``index``, on the calling thread."""
        burn(index, self.cpu_work_ns)

    def issued(self):
        return self.taken

    def settle(self, kind, status):
        """Remembers the first failure; under cancel-on-error the workers stop taking
        tickets (waitbench stops handing them out)."""
        if not failed(kind, status):
            return False
        with self.lock:
            if self.issued_at_first_failure is None:
                self.issued_at_first_failure = self.issued()
        if self.cancel_on_error:
            self.stopped = True
        return self.cancel_on_error

    def note_error(self, kind, error):
        """Reports a failure's message, for the first few failures only (the job says
        how many); after that it costs one comparison."""
        if self.messages_left <= 0:
            return
        self.messages_left -= 1
        text = (str(error) or type(error).__name__).replace("\n", " ").replace("\r", " ")
        self.write(f"message {kind} {text}\n")

    def finish(self):
        """Reports the run's own figures and ``done``, then waits to be let go (so that
        waitbench reads this process's last CPU and memory figures while it lives)."""
        self.loop = None
        self.flush()
        self.write_held()
        for report in self.reporters:
            report(self.extras)
        if self.counts_issued and self.issued_at_first_failure is not None:
            self.extras["issued_after_first_failure"] = (
                self.issued() - self.issued_at_first_failure
            )
        for key, value in self.extras.items():
            say(f"extra {key} {value}\n")
        say("done\n")
        while self.inbox.read():
            pass


def blocking_worker(run, fetch, classify):
    """Takes tickets until the run is over; ``fetch(url)`` returns the status after the
    whole body is read, and ``classify(error)`` names a failure's kind. The CPU work
    after each response runs on the worker's thread."""
    while (index := run.next()) is not None:
        sent_ns = now_ns()
        try:
            kind, status = RESPONSE, fetch(run.url(index))
        except Exception as error:  # every failure is an outcome, never a crash
            kind, status = classify(error), 0
            run.note_error(kind, error)
        run.record(index, sent_ns, now_ns(), kind, status)
        run.work(index)
        if run.settle(kind, status):
            break


async def send(run, fetch, classify, index):
    """Sends request ``index`` and records its outcome, returning (kind, status, the
    exception or None). Every failure is an outcome, never a crash; a cancellation in
    flight is recorded as such and re-raised, so that the task still ends cancelled."""
    import asyncio

    sent_ns = now_ns()
    try:
        kind, status, error = RESPONSE, await fetch(run.url(index)), None
    except asyncio.CancelledError:
        run.record(index, sent_ns, now_ns(), CANCELLED, 0)
        raise
    except Exception as failure:
        kind, status, error = classify(failure), 0, failure
        run.note_error(kind, failure)
    run.record(index, sent_ns, now_ns(), kind, status)
    return kind, status, error


async def async_worker(run, fetch, classify, work=None):
    """The async twin of blocking_worker; ``fetch(url)`` is a coroutine. The CPU work
    after each response runs inline on the event loop, or is awaited as ``work(index)``
    when the pattern hands it elsewhere."""
    while (index := await run.next_async()) is not None:
        kind, status, _ = await send(run, fetch, classify, index)
        if work is None:
            run.work(index)
        else:
            await work(index)
        if run.settle(kind, status):
            break


class RequestFailed(Exception):
    """A request that did not succeed, raised by ``task_per_request`` after it is
    recorded: the exception that ``response.raise_for_status()`` (or the client's own
    error) raises in the article's pattern, so that ``gather`` or ``TaskGroup`` sees it."""

    def __init__(self, index, kind, status):
        super().__init__(f"request {index} failed (outcome {kind}, status {status})")


async def task_per_request(run, fetch, classify, slots):
    """One request as its own task (claim G), as in the article's
    ``tasks = [fetch(session, url) for url in urls]``: waits for one of the C ``slots``
    (an ``asyncio.Semaphore``), takes its ticket only then (so a task cancelled while it
    waits was never a request), sends, records, and raises RequestFailed if it failed.
    The first failure is noted but stops nothing: what stops the rest is the construct
    that awaits the tasks. The tasks count the tickets they take, so "issued after the
    first failure" is theirs."""
    run.counts_issued = True
    async with slots:
        index = await run.next_async()
        if index is None:
            return None
        kind, status, cause = await send(run, fetch, classify, index)
        run.work(index)
        run.settle(kind, status)
        if failed(kind, status):
            raise RequestFailed(index, kind, status) from cause
        return status


# The ticker's period (claim F2), in nanoseconds, as the Rust ticker's.
TICK_NS = 1_000_000


class Ticker:
    """A 1 ms ticker task on the running event loop (claim F2), the twin of waitbench's
    Rust ticker: how late it wakes shows whether something is blocking the loop.

    Ticks are scheduled at fixed 1 ms steps from the start and never skipped: after the
    loop was blocked for 20 ms the ticker fires the 20 overdue ticks at once, late by 20,
    19, … 1 ms, so the lateness distribution weighs a stall by its length. asyncio's
    timers wake through epoll, whose timeout has 1 ms granularity, so a free loop still
    shows up to about 1 ms of lateness, as tokio's does.

    As the Rust ticker, it ends at the first wake after the stop: a loop frozen until the
    workers are done (a blocking call inside ``async def`` whose awaits never suspend)
    gives one tick, late by the whole run."""

    def __init__(self):
        import asyncio

        # Lateness in µs, one per tick; an array of machine integers grows in place.
        self.lateness_us = array.array("q")
        self.stopping = False
        # The schedule starts now, not when the task first runs: a loop that is frozen
        # from the start makes the very first tick late.
        self.task = asyncio.get_running_loop().create_task(self.tick(now_ns() + TICK_NS))

    async def tick(self, scheduled):
        import asyncio

        while not self.stopping:
            wait_ns = scheduled - now_ns()
            # A sleep of 0 still yields once: overdue ticks fire in a burst, as tokio's.
            await asyncio.sleep(max(wait_ns, 0) / 1e9)
            self.lateness_us.append(max(now_ns() - scheduled, 0) // 1000)
            scheduled += TICK_NS

    async def finish(self, run):
        """Stops the ticker and adds ``ticker_lateness_{p50,p99,max}_us`` and
        ``ticker_ticks`` to the run's figures, under the Rust ticker's names."""
        self.stopping = True
        await self.task
        ticks = len(self.lateness_us)
        if ticks:
            ordered = sorted(self.lateness_us)
            # The value at quantile q, as hdrhistogram's value_at_quantile picks it.
            at = lambda q: ordered[max(int(-(-q * ticks // 1)) - 1, 0)]
            run.extras["ticker_lateness_p50_us"] = at(0.5)
            run.extras["ticker_lateness_p99_us"] = at(0.99)
            run.extras["ticker_lateness_max_us"] = ordered[-1]
        run.extras["ticker_ticks"] = ticks


@contextlib.asynccontextmanager
async def ticking(run):
    """Runs the ticker for the body of ``async with`` if the job asks for one; enter it
    before the workers' tasks are made, as the Rust ticker is spawned before them."""
    if not run.options.get("ticker"):
        yield
        return
    ticker = Ticker()
    try:
        yield
    finally:
        await ticker.finish(run)
