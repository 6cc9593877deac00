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

And it bounds the connections one client holds open. Each connection costs a file
descriptor and a little memory while it lives; with no bound, one address opening
connections as fast as it can would use up the server's descriptors (20,000 here) for everyone.
Past `per_client` open connections from one address, a connection's request is answered
503 with `Connection: close` (the head timer shortened to a second, so that a silent one goes
too). Addresses uvicorn trusts as proxies (`FORWARDED_ALLOW_IPS`: 127.0.0.1 and ::1 by
default) are not counted: behind a proxy every connection comes from the proxy, and the
limit belongs there.

And it bounds the connections the server holds in all. Many addresses (a botnet, or one
host's IPv6 /64) can each stay under the per-client limit; once the process has no
descriptor left, accepting fails and so does everything else that opens one (a worker's
replacement, a dump file). Past `max_connections` open connections, every client counted
(proxies too: a descriptor is a descriptor), a new connection's request is answered 503
the same way; by default the limit is the process's open-file limit less
`RESERVED_DESCRIPTORS`, kept for the workers, the store and files.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import resource
from collections import Counter
from collections.abc import Iterable
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: The largest request head (request line and headers) accepted, in bytes.
MAX_HEAD_BYTES = 64 * 1024
#: Seconds a request head may take to arrive (a real client sends it in one go).
HEAD_TIMEOUT = 10.0
#: Seconds an over-the-limit connection may take to send its head (it is refused either way).
REFUSED_HEAD_TIMEOUT = 1.0
#: What the answers made here, before the application (a refused connection, a head too
#: large or too slow), say to cross-origin readers when the server takes them (the `cors`
#: setting), as the application's answers do: a page on another origin may then read why
#: it was refused and, from Retry-After (not a CORS-safelisted header), when to try again.
CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"Retry-After"),
]

#: Descriptors `connection_limit` keeps out of the connections' reach by default: the
#: workers' sockets and pipes, the store's files, the dumps served, the log.
RESERVED_DESCRIPTORS = 256
#: The least the automatic limit gives, however low the open-file limit.
MIN_AUTOMATIC_CONNECTIONS = 64

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def connection_limit(configured: int | None, open_files: int | None = None) -> int:
    """The most connections one server holds open (0: no limit). `configured` is the
    `max_connections` setting: None asks for the process's soft open-file limit (or
    `open_files`) less `RESERVED_DESCRIPTORS`, at least `MIN_AUTOMATIC_CONNECTIONS`; no
    limit when the open-file limit is unlimited."""
    if configured is not None:
        return configured
    if open_files is None:
        open_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if open_files == resource.RLIM_INFINITY or open_files < 0:
        return 0
    return max(open_files - RESERVED_DESCRIPTORS, MIN_AUTOMATIC_CONNECTIONS)


def _connections(n: int) -> str:
    return f"{n:,} connection" + ("s" if n > 1 else "")


class _OpenConnections:
    """The connections one server holds open: in all, and per counted address (only
    addresses with a connection are in the table)."""

    def __init__(self) -> None:
        self.total = 0
        self.by_address: Counter[str] = Counter()


@functools.lru_cache(maxsize=8)
def _trusted_networks(allowed: tuple[str, ...]) -> tuple[_Network, ...] | None:
    """uvicorn's `forwarded_allow_ips` as networks; None when it trusts every address ("*").
    Entries that are neither an address nor a network (a Unix socket's path) are skipped."""
    networks = []
    for entry in allowed:
        if entry == "*":
            return None
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def is_trusted_proxy(host: str, allowed: str | Iterable[str]) -> bool:
    """Whether uvicorn takes `host`'s X-Forwarded-For headers (`allowed` as in its
    `forwarded_allow_ips`: a comma-separated string or a list of addresses and networks)."""
    entries = allowed.split(",") if isinstance(allowed, str) else allowed
    networks = _trusted_networks(tuple(entry.strip() for entry in entries))
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on the size and time of a request head, on
    the connections one client holds open and on those the server holds in all
    (`for_server` sets both)."""

    max_head_bytes = MAX_HEAD_BYTES
    head_timeout = HEAD_TIMEOUT
    #: open connections one address may hold (0: no limit); see `for_server`
    per_client = 0
    #: open connections the server may hold, every address together (0: no limit)
    max_connections = 0
    #: CORS_HEADERS if the server answers cross-origin reads (the `cors` setting), else none
    cors_headers: ClassVar[list[tuple[bytes, bytes]]] = []
    #: the connections open, shared by one server's connections
    _open: ClassVar[_OpenConnections] = _OpenConnections()
    _head_bytes = 0
    _in_head = True  # a new connection starts with a request head
    _head_timer: asyncio.TimerHandle | None = None
    _counted: str | None = None  # the address this connection counts against
    _in_total = False  # whether this connection counts in `_open.total`
    _refusal = ""  # why this connection's request is refused (over a limit); "" if it is not

    @classmethod
    def for_server(
        cls, per_client: int, max_connections: int = 0, cors: bool = False
    ) -> type[BoundedHttpToolsProtocol]:
        """The protocol class for one server, with its own count of connections (a class,
        because uvicorn makes each connection's protocol from the class it is given)."""
        attributes = {
            "per_client": per_client,
            "max_connections": max_connections,
            "_open": _OpenConnections(),
            "cors_headers": CORS_HEADERS if cors else [],
        }
        return type(cls.__name__, (cls,), attributes)

    @property
    def _over_limit(self) -> bool:
        return bool(self._refusal)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.max_connections:
            self._in_total = True
            self._open.total += 1
            if self._open.total > self.max_connections:
                self._refusal = (
                    f"Service Unavailable: the server has {_connections(self.max_connections)} "
                    "open, the most it takes; try again in a moment\n"
                )
        if self.per_client and self.client is not None:
            host = self.client[0]
            if not is_trusted_proxy(host, self.config.forwarded_allow_ips):
                self._counted = host
                self._open.by_address[host] += 1
                if not self._refusal and self._open.by_address[host] > self.per_client:
                    self._refusal = (
                        "Service Unavailable: your address already has "
                        f"{_connections(self.per_client)} open to this server, the most one "
                        "client may hold; reuse them or close some\n"
                    )
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        if self._in_total:
            self._open.total -= 1
            self._in_total = False
        if self._counted is not None:
            by_address = self._open.by_address
            by_address[self._counted] -= 1
            if not by_address[self._counted]:
                del by_address[self._counted]
            self._counted = None
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
        if not self._over_limit:
            super().on_headers_complete()
            return
        # uvicorn's own cycle answers, so that the body is read and the 503 sent as usual;
        # `Connection: close` then ends the connection
        app, self.app = self.app, self._too_many_connections
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    async def _too_many_connections(self, scope: Any, receive: Any, send: Any) -> None:
        message = self._refusal.encode("ascii")
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(message)).encode("ascii")),
            (b"connection", b"close"),
            (b"retry-after", b"1"),
            (b"x-content-type-options", b"nosniff"),
        ]
        headers += self.cors_headers
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": message})

    def _arm_head_timer(self) -> None:
        delay = (
            min(self.head_timeout, REFUSED_HEAD_TIMEOUT) if self._over_limit else self.head_timeout
        )
        self._head_timer = self.loop.call_later(delay, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            if self._over_limit:  # as the 503 of `_too_many_connections`, Retry-After included
                self._refuse(b"503 Service Unavailable", self._refusal, b"retry-after: 1\r\n")
                return
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

    def _refuse(self, status: bytes, text: str, extra: bytes = b"") -> None:
        """Answer `status` with `text` (and the header lines `extra`) and close: the head was
        not read whole."""
        self._disarm_head_timer()
        message = text.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(message)).encode("ascii") + b"\r\n"
            b"x-content-type-options: nosniff\r\n"
            + b"".join(name + b": " + value + b"\r\n" for name, value in self.cors_headers)
            + extra
            + b"connection: close\r\n\r\n"
            + message
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


def uvicorn_options(
    access_log: bool = False,
    connections_per_client: int = 0,
    max_connections: int = 0,
    cors: bool = False,
) -> dict[str, Any]:
    """`UVICORN_OPTIONS` for one server, at most `connections_per_client` connections open
    from one address and `max_connections` in all (0: no limit), with the logs `aigraph
    serve` writes: uvicorn's and aigraph's warnings (a query stopped at the time limit, a
    worker that died, every worker busy) with the time, on standard error; with
    `access_log`, a line per request on standard output (off by default: on a public
    endpoint, query texts are what its users ask)."""
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
    protocol = BoundedHttpToolsProtocol.for_server(connections_per_client, max_connections, cors)
    logs = {"log_config": config, "log_level": None, "access_log": access_log}
    return {**UVICORN_OPTIONS, "http": protocol, **logs}
