"""HTTPS for every Python pattern: one ``ssl.SSLContext`` per process, trusting exactly
the CA files waitbench names (its generated CAs, or ``--cacert``), or anything under
``--insecure``; resuming sessions on new connections or not (``--tls-resume``); and
counting each handshake, full or resumed, as the Rust clients do.

Why one context handed to every library rather than each library's own: as for the Rust
strategies, the comparison is of I/O models, so requests, aiohttp and httpx must do the
same handshake with the same trust; and a TLS session can only be resumed by the context
that made it, so one context is what lets a new connection (a new ``requests.get``, a new
``aiohttp.ClientSession``) resume. Python's ssl module never resumes by itself: a session
must be passed to each new connection, which this context does with the last session the
server gave (its ticket arrives after the handshake, so it is taken from the previous
connection when the next one is made).

How each library gets it: aiohttp as ``TCPConnector(ssl=...)`` and httpx as
``verify=...`` (their documented ways); requests through its transport adapter's pool
manager (``ssl_context``, the way requests documents for a custom context), applied to
the adapter class so that the throwaway session inside ``requests.get`` gets it too, and
``Session.verify`` set to the CA bundle (or False), so that requests never adds certifi's.

Counting: a handshake that completes is full unless ``session_reused`` says otherwise; one
that raises an ``ssl.SSLError`` failed. The figures go back as ``extra`` lines at the end
(the server's ``/stats`` stays the authority on what was resumed).
"""

import os
import ssl
import tempfile
import threading
import time

# What the server's certificate holds, by its public key's algorithm identifier (DER):
# the numbers waitbench reads back as the key type.
KEY_TYPES = (
    (bytes.fromhex("06082a8648ce3d030107"), 1),  # ecdsa-p256 (prime256v1)
    (bytes.fromhex("06052b81040022"), 2),  # ecdsa-p384 (secp384r1)
    (bytes.fromhex("06092a864886f70d010101"), 3),  # rsa (rsaEncryption)
    (bytes.fromhex("06032b6570"), 4),  # ed25519
)
VERSIONS = {"TLSv1.2": 12, "TLSv1.3": 13}


def key_type(der):
    """The key type's number for a DER certificate (0: another algorithm)."""
    return next((number for oid, number in KEY_TYPES if oid in der), 0)


class Handshakes:
    """What this process's connections did, counted as they happen."""

    def __init__(self, resume):
        self.lock = threading.Lock()
        self.resume = resume
        self.full = self.resumed = self.failed = 0
        self.connect_ns = []
        self.first = None  # (version, cipher id, key type) of the first full handshake
        self.session = None
        self.last = None

    def offer(self):
        """The session a new connection offers: the last one the server gave."""
        if not self.resume:
            return None
        last = self.last
        session = last.session if last is not None else None
        if session is not None and session.has_ticket:
            self.session = session
        return self.session

    def done(self, connection, started_ns):
        elapsed = time.monotonic_ns() - started_ns
        reused = connection.session_reused
        with self.lock:
            self.connect_ns.append(elapsed)
            if reused:
                self.resumed += 1
            else:
                self.full += 1
                if self.first is None:
                    self.first = describe(connection)
        self.last = connection

    def fail(self):
        with self.lock:
            self.failed += 1

    def report(self, extras, verified):
        opened = self.full + self.resumed
        extras["connections_opened"] = opened
        extras["connections_failed"] = self.failed
        extras["tls_full_handshakes"] = self.full
        extras["tls_resumed_handshakes"] = self.resumed
        extras["tls_failed_handshakes"] = self.failed
        extras["tls_resumption"] = int(self.resume)
        extras["tls_verified"] = int(verified)
        if self.first is not None:
            version, cipher, key = self.first
            extras["tls_version"] = version
            extras["tls_cipher_suite"] = cipher
            extras["tls_key_type"] = key
        if self.connect_ns:
            extras["connect_min_us"] = min(self.connect_ns) / 1e3
            extras["connect_mean_us"] = sum(self.connect_ns) / len(self.connect_ns) / 1e3
            extras["connect_max_us"] = max(self.connect_ns) / 1e3


def describe(connection):
    """(version, IANA cipher suite number, key type) of a connection."""
    name, _, _ = connection.cipher()
    cipher = next((c["id"] & 0xFFFF for c in connection.context.get_ciphers()
                   if c["name"] == name), 0)
    der = connection.getpeercert(binary_form=True) or b""
    return VERSIONS.get(connection.version(), 0), cipher, key_type(der)


class Counting:
    """The handshake of a socket (blocking libraries) or of an SSL object (event
    loops), counted; a finished handshake's socket leaves its session behind."""

    def do_handshake(self, *args):
        started = getattr(self, "started_ns", None)
        if started is None:
            started = self.started_ns = time.monotonic_ns()
        try:
            result = super().do_handshake(*args)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            raise  # an event loop's handshake goes on
        except ssl.SSLError:
            self.context.handshakes.fail()
            raise
        self.context.handshakes.done(self, started)
        return result


class CountingSocket(Counting, ssl.SSLSocket):
    def _real_close(self):
        # The session's ticket came with the answer: keep it before the socket goes.
        handshakes = self.context.handshakes
        if handshakes.resume and self._sslobj is not None:
            session = self.session
            if session is not None and session.has_ticket:
                handshakes.session = session
        super()._real_close()


class CountingObject(Counting, ssl.SSLObject):
    pass


class Context(ssl.SSLContext):
    """The process's one context: every new connection offers the last session."""

    sslsocket_class = CountingSocket
    sslobject_class = CountingObject

    def load_verify_locations(self, cafile=None, capath=None, cadata=None):
        # urllib3 loads the bundle requests names into the context at every new
        # connection; OpenSSL would parse it and grow its store each time (tens of ms
        # after a few hundred), so a file already trusted is not loaded again.
        loaded = self.__dict__.setdefault("loaded", set())
        key = (cafile, capath, cadata)
        if key not in loaded:
            super().load_verify_locations(cafile, capath, cadata)
            loaded.add(key)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        return super().wrap_socket(sock, server_side, do_handshake_on_connect,
                                   suppress_ragged_eofs, server_hostname,
                                   session or self.handshakes.offer())

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None,
                 session=None):
        return super().wrap_bio(incoming, outgoing, server_side, server_hostname,
                                session or self.handshakes.offer())


class Tls:
    """The job's TLS settings (``options["tls"]``), as each library takes them."""

    def __init__(self, options):
        self.verified = options["verify"]
        self.handshakes = Handshakes(options["resume"])
        self.context = Context(ssl.PROTOCOL_TLS_CLIENT)
        self.context.handshakes = self.handshakes
        self.bundle = None
        # A bundle made here (of several CA files), removed at the end.
        self.made = None
        if self.verified:
            files = options["cafiles"]
            for file in files:
                self.context.load_verify_locations(file)
            if len(files) == 1:
                self.bundle = files[0]
            else:
                self.bundle = self.made = concatenated(files)
        else:
            self.context.check_hostname = False
            self.context.verify_mode = ssl.CERT_NONE
        self.context.set_alpn_protocols(["http/1.1"])

    def patch_requests(self):
        """Every requests session trusts the bundle (never certifi's), and every adapter's
        pool uses this context."""
        import requests

        context, verify = self.context, self.bundle if self.verified else False
        init_session = requests.Session.__init__
        init_pool = requests.adapters.HTTPAdapter.init_poolmanager

        def session_init(session, *args, **kwargs):
            init_session(session, *args, **kwargs)
            session.verify = verify

        def pool_init(adapter, *args, **kwargs):
            kwargs.setdefault("ssl_context", context)
            init_pool(adapter, *args, **kwargs)

        requests.Session.__init__ = session_init
        requests.adapters.HTTPAdapter.init_poolmanager = pool_init

    def report(self, extras):
        self.handshakes.report(extras, self.verified)

    def close(self):
        if self.made is not None:
            os.unlink(self.made)
            self.made = None


def concatenated(files):
    """One PEM file holding every CA of ``files`` (requests takes a single bundle)."""
    handle, path = tempfile.mkstemp(prefix="waitbench-ca-", suffix=".pem")
    with os.fdopen(handle, "wb") as bundle:
        for file in files:
            with open(file, "rb") as pem:
                bundle.write(pem.read() + b"\n")
    return path


# The process's TLS, set by ``install`` from the job; None over http://.
current = None


def install(run):
    """Sets up TLS for this run if its job asks for it (``options["tls"]``), patching
    requests if the pattern uses it; the counts join the run's figures at its end."""
    global current
    options = run.options.get("tls")
    if not options:
        return
    current = Tls(options)
    import sys

    if "requests" in sys.modules:
        current.patch_requests()
    run.reporters.append(current.report)
    run.reporters.append(lambda _extras: current.close())


def context():
    """The context to hand a library (aiohttp's ``ssl=``), or None over http://."""
    return current.context if current is not None else None
