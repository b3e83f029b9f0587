"""A client of protocol 1 (docs/client-protocol.md) on the standard library alone, that
can be broken on purpose, one way at a time, to show that `waitbench client-check` fails
exactly the rows of what is broken:

    deviant_client.py                conforming: http.client on C threads
    deviant_client.py hedges         sends every request twice at once (2C in flight)
    deviant_client.py wrong-class    catches OSError before TimeoutError: a timeout is a reset
    deviant_client.py ignores-stop   reads on after `stop` and never writes `done` for it
    deviant_client.py drops-first    never reports its first request
    deviant_client.py stale-clock    reports times 2 s behind the clock it answered with
    deviant_client.py ahead          conforming, and takes 3 tickets ahead (tickets_ahead)
    deviant_client.py greedy         takes 3 tickets ahead, and sends them at once (C + 3)

Every mode reports, as ``extra tickets_held_max``, the most tickets it held at once (read
and not yet reported): what waitbench had outstanding, seen from the client.
"""
import http.client, json, queue, sys, threading, time
from urllib.parse import urlsplit

BREAK = sys.argv[1] if len(sys.argv) > 1 else None
AHEAD = 3 if BREAK in ("ahead", "greedy") else 0
out_lock = threading.Lock()
reported = 0


def say(*fields):
    global reported
    with out_lock:
        reported += fields[0] == "r"
        sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
        sys.stdout.flush()


def now():
    skew = 2_000_000_000 if BREAK == "stale-clock" else 0
    return time.monotonic_ns() - skew


def outcome(error):
    if BREAK == "wrong-class" and isinstance(error, OSError):
        return "reset"  # TimeoutError is an OSError: this swallows timeouts
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "connect"
    if isinstance(error, (ConnectionError, http.client.RemoteDisconnected)):
        return "reset"
    return "other"


class Sender:
    """One kept-alive connection, reopened after a failure."""

    def __init__(self, job):
        self.job, self.conn = job, None

    def send(self, url):
        parts = urlsplit(url)
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.job["timeouts"]["request_s"])
        try:
            path = parts.path + ("?" + parts.query if parts.query else "")
            self.conn.request(self.job["request"]["method"], path)
            response = self.conn.getresponse()
            response.read()
            return response.status
        except BaseException:
            self.conn.close()
            self.conn = None
            raise


def worker(job, tickets):
    sender, twin = Sender(job), Sender(job)
    while (index := tickets.get()) is not None:
        url = job["urls"][index % len(job["urls"])]
        hedge = None
        if BREAK == "hedges":
            hedge = threading.Thread(target=lambda: _quietly(twin.send, url))
            hedge.start()
        sent = now()
        try:
            status = sender.send(url)
            line = ("r", index, sent, now(), "http", status)
        except Exception as error:
            line = ("r", index, sent, now(), outcome(error), 0)
        if hedge:
            hedge.join()
        if not (BREAK == "drops-first" and index == 0):
            say(*line)


def _quietly(send, url):
    try:
        send(url)
    except Exception:
        pass


def main():
    job = json.loads(sys.stdin.readline().split(" ", 1)[1])
    tickets = queue.SimpleQueue()
    # A greedy client sends every ticket it takes ahead at once, one thread each.
    senders = job["concurrency"] + (AHEAD if BREAK == "greedy" else 0)
    threads = [threading.Thread(target=worker, args=(job, tickets), daemon=True)
               for _ in range(senders)]
    for thread in threads:
        thread.start()
    say("ready", json.dumps({"client": "http.client", "tickets_ahead": AHEAD,
                             "info": {"break": BREAK or "none"}}))
    word, taken, held_max = None, 0, 0
    for line in sys.stdin:
        word, *rest = line.split()
        if word == "clock":
            say("clock", rest[0], time.monotonic_ns())
        elif word == "t":
            taken += 1
            with out_lock:
                held_max = max(held_max, taken - reported)
            tickets.put(int(rest[0]))
        elif word == "end" or (word == "stop" and BREAK != "ignores-stop"):
            break
    if word == "stop":
        while not tickets.empty():
            tickets.get_nowait()
    for _ in threads:
        tickets.put(None)
    for thread in threads:
        thread.join()
    say("extra", "tickets_held_max", held_max)
    say("done")
    sys.stdin.read()


if __name__ == "__main__":
    main()
