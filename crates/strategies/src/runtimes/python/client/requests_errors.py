"""How a requests failure maps to waitbench's outcome kinds (as ureq_errors.rs does for
ureq): the exception type first, then the socket error underneath it."""

import requests

from harness import BODY, CONNECT, OTHER, RESET, TIMEOUT, TLS


def classify(error):
    if isinstance(error, requests.exceptions.SSLError):
        return TLS
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return CONNECT
    if isinstance(error, requests.exceptions.Timeout):
        return TIMEOUT
    if isinstance(error, (requests.exceptions.ChunkedEncodingError,
                          requests.exceptions.ContentDecodingError)):
        return BODY
    if isinstance(error, requests.exceptions.ConnectionError):
        return connection_error(error)
    return OTHER


def connection_error(error):
    # urllib3 wraps the cause: NewConnectionError (could not connect), ProtocolError
    # (the connection broke: reset, or closed before an answer), ReadTimeoutError.
    import urllib3.exceptions as u3

    cause = error.args[0] if error.args else None
    reason = getattr(cause, "reason", cause)
    if isinstance(reason, u3.NewConnectionError) or isinstance(cause, u3.NewConnectionError):
        return CONNECT
    if isinstance(reason, (u3.ReadTimeoutError, TimeoutError)):
        return TIMEOUT
    # ProtocolError (reset, closed before an answer) or another socket error.
    return RESET
