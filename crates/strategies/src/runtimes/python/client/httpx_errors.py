"""How an httpx failure maps to waitbench's outcome kinds (as reqwest_errors.rs does for
reqwest): httpx's own exception types, an ``ssl.SSLError`` underneath a failed connect
for a handshake that failed, and the phase: httpx raises the same exception for a
connection closed before the answer (a reset) and in the middle of its body (a body
error), so the patterns read the body apart and mark what fails there (``in_body``)."""

import ssl

import httpx

from harness import BODY, CONNECT, OTHER, RESET, TIMEOUT, TLS


def caused_by_tls(error):
    while error is not None:
        if isinstance(error, ssl.SSLError):
            return True
        error = error.__cause__ or error.__context__
    return False


def body_failed(error):
    """Marks ``error`` as raised while the body was read, and returns it."""
    error.in_body = True
    return error


def classify(error):
    if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
        return TIMEOUT
    if getattr(error, "in_body", False):
        return BODY
    if isinstance(error, httpx.ConnectTimeout):
        return CONNECT
    if isinstance(error, httpx.ConnectError):
        return TLS if caused_by_tls(error) else CONNECT
    if isinstance(error, httpx.TimeoutException):
        return TIMEOUT
    if isinstance(error, httpx.DecodingError):
        return BODY
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError,
                          httpx.CloseError)):
        return RESET
    return OTHER
