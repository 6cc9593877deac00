"""Server settings: from the environment (``AIGRAPH_*``), overridden by ``aigraph serve``
options. docs/serving.md documents every field in one table (a test keeps them in step)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aigraph.namespaces import CANONICAL_BASE


class Settings(BaseSettings):
    """Everything the server can be told. Defaults are the public, read-only mode."""

    model_config = SettingsConfigDict(env_prefix="AIGRAPH_", extra="forbid")

    host: str = Field("127.0.0.1", description="Address to bind.")
    port: int = Field(8000, ge=0, le=65535, description="Port to bind (0: any free port).")
    base_iri: str = Field(
        CANONICAL_BASE,
        description="Base IRI of the served data; IRIs under it are served at the same "
        "path under the server's root.",
    )
    bundled: bool = Field(True, description="Serve the bundled aigraph dataset.")
    data: list[Path] = Field(
        default_factory=list,
        description="Extra RDF files to serve (Turtle, TriG, N-Triples, N-Quads, JSON-LD, "
        "RDF/XML; also gzip, bzip2 or xz compressed: `dump.nt.gz`); quads keep their named "
        "graphs.",
    )
    graphs: dict[str, Path] = Field(
        default_factory=dict, description="Files to load into a named graph: {graph IRI: file}."
    )
    backend: Literal["memory", "disk", "remote"] = Field(
        "memory", description="Where the data lives: in memory, on disk, or in a remote store."
    )
    store_path: Path | None = Field(
        None, description="Folder of the on-disk store (backend=disk); loaded once, reused."
    )
    remote_query_url: str | None = Field(
        None, description="SPARQL query endpoint of the remote store (backend=remote)."
    )
    remote_update_url: str | None = Field(
        None, description="SPARQL update endpoint of the remote store (backend=remote)."
    )
    remote_store_url: str | None = Field(
        None, description="Graph Store Protocol endpoint of the remote store, used to load data."
    )
    workers: int = Field(
        2, ge=1, le=64, description="Query worker processes (a timed-out query's worker is killed)."
    )
    worker_max_rss_mb: int = Field(
        512,
        ge=0,
        description="A query worker holding more memory than this (MiB) after a query is "
        "replaced by a fresh one (0 = never), so memory stays flat.",
    )
    query_memory_mb: int = Field(
        1024,
        ge=0,
        description="Memory (MiB) one query (or update) may allocate beyond what its process "
        "holds with the data loaded; a query needing more is stopped (503) and its worker "
        "replaced, so that no query can take the machine's memory (0 = no limit).",
    )
    max_queries_per_client: int | None = Field(
        None,
        ge=0,
        description="Queries one client (IP address) may run at once; its others wait their "
        "turn within their time limit, then get a 429. Unset: half the workers (at least 1), "
        "so that no one client holds them all; 0: no limit.",
    )
    max_connections_per_client: int = Field(
        32,
        ge=0,
        description="Connections one client (IP address) may hold open at once; past it, its "
        "requests get 503 and the connection closes. Addresses trusted as proxies "
        "(`FORWARDED_ALLOW_IPS`, 127.0.0.1 by default) are not counted; 0 = no limit.",
    )
    max_connections: int | None = Field(
        None,
        ge=0,
        description="Connections the server holds open at once, every client together "
        "(proxies too); past it, a new connection's request gets 503 and the connection "
        "closes. Unset: the process's open-file limit less 256 descriptors kept for the "
        "workers, the store and files; 0 = no limit.",
    )
    query_timeout: float = Field(
        5.0, gt=0, description="Seconds a query may run; a request's `timeout` may only lower it."
    )
    update_timeout: float = Field(
        60.0,
        gt=0,
        description="Seconds a SPARQL Update may run (in a process of its own, on a copy of "
        "the data, within `query_memory_mb` too); past it, it is stopped (503) and nothing "
        "changes. A request's `timeout` may only lower it.",
    )
    max_results: int = Field(
        10_000, ge=1, description="Rows (or triples) in one answer; more are cut and flagged."
    )
    stream_after_bytes: int = Field(
        1_048_576,
        ge=0,
        description="An answer larger than this (bytes) is sent as it is written (chunked), "
        "without the row-count header; 0 = always whole.",
    )
    max_body_bytes: int = Field(
        1_000_000, ge=1024, description="Largest request body (query or update) accepted."
    )
    max_query_chars: int = Field(
        100_000,
        ge=100,
        description="Longest query text accepted; it sizes the stack of the workers' job "
        "thread (2.5 KiB a character, 64 MiB to 1 GiB).",
    )
    max_dump_triples: int = Field(
        1_000_000,
        ge=0,
        description="Largest dataset for which /dumps/ renders files (0 = no dumps); "
        "above it, use `aigraph build` or the Graph Store.",
    )
    dumps_wait: float = Field(
        10.0,
        ge=0,
        description="Seconds from the start of the files' rendering (once per version of "
        "the data) during which a request for /dumps/ or the dataset's description waits for "
        "them; past it, /dumps/ answers 503 with Retry-After at once and the description "
        "comes without its files, uncached, while the rendering goes on.",
    )
    cors: bool = Field(True, description="Answer cross-origin reads (`*`, never with credentials).")
    gzip: bool = Field(
        True,
        description="Send answers of 1 KB or more gzipped to clients that accept it "
        "(Accept-Encoding); off where a proxy in front compresses.",
    )
    update_token: SecretStr | None = Field(
        None,
        description="Secret enabling SPARQL Update and Graph Store writes (Bearer token); "
        "unset = read-only.",
    )
    service_allowlist: list[str] = Field(
        default_factory=list,
        description="Endpoints SERVICE may call: an endpoint is allowed when its scheme, host "
        "and port are an entry's and its path begins with the entry's path; empty = SERVICE "
        "refused.",
    )
    sandbox: bool = Field(
        True,
        description="Run query workers in a network namespace with no route out (Linux, "
        "needs root or user namespaces); off when SERVICE is allowed.",
    )

    access_log: bool = Field(
        False,
        description="Write a line per request (client, request line with the query, status) "
        "to standard output; warnings (queries stopped at the time or memory limit, workers "
        "that died, every worker busy) go to standard error either way.",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.endswith(("/", "#")):
            raise ValueError("the base IRI must end with '/' or '#'")
        return value

    @property
    def client_share(self) -> int:
        """How many queries one client may run at once (0: no limit)."""
        if self.max_queries_per_client is not None:
            return self.max_queries_per_client
        return max(1, self.workers // 2)

    @property
    def updates_enabled(self) -> bool:
        return self.update_token is not None and bool(self.update_token.get_secret_value())
