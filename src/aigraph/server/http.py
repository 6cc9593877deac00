"""How uvicorn runs aigraph: the HTTP/1.1 protocol, its options and the logs.

uvicorn's httptools protocol (llhttp, in C) parses a request several times faster than its
pure-Python h11 protocol (measured in bench/NOTES.md), but keeps every header it is sent:
a client could make the server buffer an endless request head. `BoundedHttpToolsProtocol`
adds the limit h11 has, counting the bytes of a head as they arrive, and answers
431 Request Header Fields Too Large (RFC 6585 §5) and closes the connection past it, before
buffering more.

It also bounds the time a head may take. uvicorn times out a connection only while it idles
between two requests: one that connects and sends nothing, or a byte of a head now and then
("slowloris"), is kept for ever, and enough of them take every file descriptor. A head must
arrive whole within `head_timeout` seconds of the connection, or of its first byte on a
kept-alive connection; else 408 Request Timeout (RFC 9110 §15.5.9) and the connection closes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The largest request head (request line and headers) accepted, in bytes.
MAX_HEAD_BYTES = 64 * 1024
#: Seconds a request head may take to arrive (a real client sends it in one go).
HEAD_TIMEOUT = 10.0


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a limit on the size of a request head."""

    max_head_bytes = MAX_HEAD_BYTES
    head_timeout = HEAD_TIMEOUT
    _head_bytes = 0
    _in_head = True  # a new connection starts with a request head
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        if self._head_timer is None:  # the first byte of a kept-alive connection's next head
            self._arm_head_timer()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            message = f"Request Timeout: no whole request head within {self.head_timeout:g} s\n"
            self._refuse(b"408 Request Timeout", message)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # still inside a head once this chunk is parsed: it all counts (a chunk that also
        # ended the previous request overcounts by that part, which only makes us stricter)
        if self._in_head and self.parser is not None and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse_head()

    def _refuse_head(self) -> None:
        message = (
            f"Request Header Fields Too Large: the request head is larger than "
            f"{self.max_head_bytes:,} bytes\n"
        )
        self._refuse(b"431 Request Header Fields Too Large", message)

    def _refuse(self, status: bytes, text: str) -> None:
        """Answer `status` with `text` and close: the head was not read whole."""
        self._disarm_head_timer()
        message = text.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(message)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + message
        )
        self.transport.close()
        self.parser = httptools.HttpRequestParser(self)  # drop what the old one buffered


#: How uvicorn runs aigraph (`aigraph serve` and the tests' servers). Keep-alive connections
#: idle for 5 s are closed, so that idle or slow clients hold no connection long.
UVICORN_OPTIONS: dict[str, Any] = {  # keyword arguments of uvicorn.run and Config
    "http": BoundedHttpToolsProtocol,
    "timeout_keep_alive": 5,
    "log_level": "warning",
    "server_header": False,
    "timeout_graceful_shutdown": 5,
}


def uvicorn_options(access_log: bool = False) -> dict[str, Any]:
    """`UVICORN_OPTIONS`, with the logs `aigraph serve` writes: uvicorn's and aigraph's
    warnings (a query stopped at the time limit, a worker that died, every worker busy)
    with the time, on standard error; with `access_log`, a line per request on standard
    output (off by default: on a public endpoint, query texts are what its users ask)."""
    formats = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(asctime)s %(client_addr)s "%(request_line)s" %(status_code)s',
            "use_colors": False,
        },
    }
    handlers = {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    }
    level = "INFO" if access_log else "WARNING"
    loggers = {
        "uvicorn": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "uvicorn.error": {"level": "WARNING"},
        "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        "aigraph": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    }
    config = {"version": 1, "disable_existing_loggers": False, "formatters": formats}
    config |= {"handlers": handlers, "loggers": loggers}
    # uvicorn sets its loggers to `log_level` after applying the config: None keeps these
    return {**UVICORN_OPTIONS, "log_config": config, "log_level": None, "access_log": access_log}
