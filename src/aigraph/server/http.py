"""How uvicorn runs aigraph: the HTTP/1.1 protocol and its options.

uvicorn's httptools protocol (llhttp, in C) parses a request several times faster than its
pure-Python h11 protocol (measured in bench/NOTES.md), but keeps every header it is sent:
a client could make the server buffer an endless request head. `BoundedHttpToolsProtocol`
adds the limit h11 has, counting the bytes of a head as they arrive, and answers
431 Request Header Fields Too Large (RFC 6585 §5) and closes the connection past it, before
buffering more.
"""

from __future__ import annotations

from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The largest request head (request line and headers) accepted, in bytes.
MAX_HEAD_BYTES = 64 * 1024


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a limit on the size of a request head."""

    max_head_bytes = MAX_HEAD_BYTES
    _head_bytes = 0
    _in_head = True  # a new connection starts with a request head

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

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
        ).encode("ascii")
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
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
