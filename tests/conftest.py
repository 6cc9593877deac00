"""Shared fixtures: the project, its dataset (before and after derivation), the engine and
the catalogue, each built once per test session."""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset

from aigraph.catalogue import CatalogueQuery, load_catalogue
from aigraph.dataset import derive, load_source_dataset
from aigraph.engine import Engine
from aigraph.project import Project
from aigraph.source import SourceText, load_source_text


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.default()


@pytest.fixture(scope="session")
def source_text(project: Project) -> SourceText:
    return load_source_text(project.source_text)


@pytest.fixture(scope="session")
def dataset(project: Project) -> Dataset:
    """The bundled dataset with its derived graph (do not mutate)."""
    ds = load_source_dataset(project)
    derive(ds, project.rules_dir)
    return ds


@pytest.fixture(scope="session")
def engine(dataset: Dataset) -> Engine:
    return Engine.from_dataset(dataset)


@pytest.fixture(scope="session")
def catalogue(project: Project) -> dict[str, CatalogueQuery]:
    return load_catalogue(project.queries_dir)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of `aigraph build` (do not modify: copy it)."""
    from support import build_into

    out = tmp_path_factory.mktemp("build")
    result = build_into(out, "1")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The server as `aigraph serve` runs it (bundled graph, read-only), on a loopback port."""
    from aigraph.server.settings import Settings
    from support import running_server

    with running_server(Settings(workers=2, query_timeout=3)) as url:
        yield url


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-slow",
        action="store_true",
        help="also run the long soak and fuzz runs (minutes); the quick versions always run",
    )


#: httpx's functions (httpx.get, httpx.post …) make a client per call, and each client a TLS
#: context that loads the system's certificates: 40-47 ms of the 49 ms a test's request to
#: a loopback server took, where the request itself takes 2. The tests' requests are plain
#: http to 127.0.0.1; they share one context (made as httpx makes its own), which changes
#: nothing but that cost.
TLS = ssl.create_default_context()


def _with_one_tls_context() -> None:
    for name in ("request", "stream", "get", "options", "head", "post", "put", "patch", "delete"):
        function = getattr(httpx, name)
        if not isinstance(function, functools.partial):
            setattr(httpx, name, functools.partial(function, verify=TLS))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: longer runs (soak, fuzz); run with --run-slow")
    _with_one_tls_context()
    if config.getoption("--run-slow"):
        # the long fuzzing runs: ten times the examples (the quick runs use 40 and 15)
        os.environ.setdefault("AIGRAPH_FUZZ_EXAMPLES", "400")
        os.environ.setdefault("AIGRAPH_SCHEMATHESIS_EXAMPLES", "150")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="a long run: give --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
