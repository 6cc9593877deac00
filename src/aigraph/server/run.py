"""`aigraph serve`: settings from the environment, overridden by the command line; then
uvicorn on the app made by create_app."""

from __future__ import annotations

import argparse
import contextlib
import errno
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError

from aigraph.server.http import connection_limit, uvicorn_options
from aigraph.server.settings import Settings


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if args.host is not None:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    if args.data:
        overrides["data"] = [Path(p) for p in args.data]
    if args.no_bundled:
        overrides["bundled"] = False
    graphs = {}
    for item in getattr(args, "graph", []) or []:
        iri, sep, path = item.partition("=")
        if not sep:
            raise ValueError(f"--graph takes IRI=FILE, got {item!r}")
        graphs[iri] = Path(path)
    if graphs:
        overrides["graphs"] = graphs
    if getattr(args, "access_log", False):
        overrides["access_log"] = True
    for name in ("base_iri", "backend", "store_path", "workers", "query_timeout"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def serve(args: argparse.Namespace) -> int:
    from aigraph.server.app import create_app

    try:
        settings = settings_from_args(args)
    except (ValidationError, ValueError) as exc:
        sys.stderr.write(f"aigraph serve: invalid settings: {exc}\n")
        return 2
    from aigraph.dataset import DataLoadError
    from aigraph.server.data import prepare
    from aigraph.source import SourceTextError

    # the port first: a port already taken is said at once, not after the data has loaded
    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as exc:
        sys.stderr.write(
            f"aigraph serve: cannot listen on {settings.host}:{settings.port}: "
            f"{exc.strerror or exc}{_PORT_HINTS.get(exc.errno or 0, '')}\n"
        )
        return 2
    data = None
    if settings.backend != "remote":
        try:
            data = prepare(settings)
        except (DataLoadError, SourceTextError) as exc:
            sock.close()
            sys.stderr.write(f"aigraph serve: cannot serve the data: {exc}\n")
            return 2
    app = create_app(settings, data=data)
    port = sock.getsockname()[1]  # the one the system chose for --port 0
    host = f"[{settings.host}]" if ":" in settings.host else settings.host  # RFC 3986 §3.2.2
    sys.stderr.write(
        f"aigraph: serving on http://{host}:{port}/ "
        f"(SPARQL endpoint: /sparql; {'read-write' if settings.updates_enabled else 'read-only'})\n"
    )
    options = uvicorn_options(
        settings.access_log,
        settings.max_connections_per_client,
        connection_limit(settings.max_connections),
        settings.cors,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=port, **options))
    with sock, contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: stopped, as asked
        server.run(sockets=[sock])
    # the application's start (its workers, the store) failed: uvicorn said why
    return 0 if server.started else 2


#: What to do about the errors a user meets most when the port is taken or reserved.
_PORT_HINTS = {
    errno.EADDRINUSE: " (another server uses this port: stop it, or give --port)",
    errno.EACCES: " (ports below 1024 need privileges: give --port 8000 or above)",
    errno.EADDRNOTAVAIL: " (this machine has no such address: give --host 127.0.0.1)",
}


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything says it serves, as uvicorn binds it (IPv6
    for a host with a colon): a port already taken is a clear error and exit code 2, where
    uvicorn printed a log line and exited 3 after `aigraph serve` had said it was serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock  # not inheritable: no child process (a worker, the files' renderer) holds it
