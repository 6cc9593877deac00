"""`aigraph serve`: settings from the environment, overridden by the command line; then
uvicorn on the app made by create_app."""

from __future__ import annotations

import argparse
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

    data = None
    if settings.backend != "remote":
        try:
            data = prepare(settings)
        except (DataLoadError, SourceTextError) as exc:
            sys.stderr.write(f"aigraph serve: cannot serve the data: {exc}\n")
            return 2
    app = create_app(settings, data=data)
    sys.stderr.write(
        f"aigraph: serving on http://{settings.host}:{settings.port}/ "
        f"(SPARQL endpoint: /sparql; {'read-write' if settings.updates_enabled else 'read-only'})\n"
    )
    options = uvicorn_options(
        settings.access_log,
        settings.max_connections_per_client,
        connection_limit(settings.max_connections),
        settings.cors,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, **options)
    return 0
