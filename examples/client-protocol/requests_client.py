"""A complete waitbench client (protocol 1, docs/client-protocol.md): requests on C threads."""
import base64, json, queue, sys, threading, time
import requests

out_lock = threading.Lock()

def say(*fields):
    with out_lock:
        sys.stdout.write(" ".join(str(f) for f in fields) + "\n")
        sys.stdout.flush()

def outcome(error):
    if isinstance(error, requests.Timeout): return "timeout"
    if isinstance(error, requests.ConnectionError):
        return "reset" if "reset" in str(error).lower() or "aborted" in str(error).lower() else "connect"
    return "other"

def worker(job, tickets, session):
    req = job["request"]
    body = base64.b64decode(req["body_base64"]) or None
    timeout = (job["timeouts"]["connect_s"], job["timeouts"]["request_s"])
    while (index := tickets.get()) is not None:
        sent = time.monotonic_ns()
        try:
            response = session.request(req["method"], job["urls"][index % len(job["urls"])],
                                       headers=dict(req["headers"]), data=body, timeout=timeout)
            response.content
            say("r", index, sent, time.monotonic_ns(), "http", response.status_code)
        except Exception as error:
            kind = outcome(error)
            say("r", index, sent, time.monotonic_ns(), kind, 0)
            say("message", kind, str(error).replace("\n", " "))

def main():
    job = json.loads(sys.stdin.readline().split(" ", 1)[1])
    if job.get("self_paced"):
        return say("fail self-paced mode not supported")
    c = job["concurrency"]
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=c))
    tickets = queue.SimpleQueue()
    threads = [threading.Thread(target=worker, args=(job, tickets, session)) for _ in range(c)]
    for thread in threads: thread.start()
    say("ready", json.dumps({"client": f"requests {requests.__version__}"}))
    for line in sys.stdin:
        word, *rest = line.split()
        if word == "clock": say("clock", rest[0], time.monotonic_ns())
        elif word == "t": tickets.put(int(rest[0]))
        elif word in ("end", "stop"): break
    if word == "stop":  # drop tickets not yet sent
        while not tickets.empty(): tickets.get_nowait()
    for _ in threads: tickets.put(None)
    for thread in threads: thread.join()
    say("done")
    sys.stdin.read()  # stay alive until waitbench closes stdin

if __name__ == "__main__":
    main()
