"""How an aiohttp failure maps to waitbench's outcome kinds (as reqwest_errors.rs does
for reqwest)."""

import asyncio

import aiohttp

from harness import BODY, CONNECT, OTHER, RESET, TIMEOUT, TLS


def classify(error):
    if isinstance(error, aiohttp.ClientSSLError):
        return TLS
    if isinstance(error, aiohttp.ClientConnectorError):
        return CONNECT
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return CONNECT
    if isinstance(error, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return TIMEOUT
    if isinstance(error, aiohttp.ClientPayloadError):
        return BODY
    if isinstance(error, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError,
                          aiohttp.ClientResponseError, ConnectionError)):
        return RESET
    return OTHER
