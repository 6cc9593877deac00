"""A small, polite client of the Wikidata API (MediaWiki ``api.php``, Wikibase actions
``wbsearchentities`` and ``wbgetentities``).

Polite, as the Wikimedia API etiquette asks: a descriptive User-Agent naming the tool and how
to reach its authors; one request at a time, at most one per ``min_interval`` seconds;
``Retry-After`` honoured on 429 and 503, with exponential backoff on other transient failures;
a time limit on every request; and a local cache, so that a second run asks nothing again.

This machine's network may be closed: a connection that cannot be made is reported at once, in
plain words, as :class:`WikidataUnavailableError` — never a hang, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from aigraph import __version__

WIKIDATA_API = "https://www.wikidata.org/w/api.php"
USER_AGENT = (
    f"aigraph/{__version__} (https://w3id.org/aigraph; reconciliation of a knowledge graph "
    f"of the CNC's 7 October 2025 AI day; one request at a time) httpx/{httpx.__version__}"
)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class WikidataUnavailableError(Exception):
    """The API could not be reached or kept failing; the message says what to do."""


@dataclass
class ClientSettings:
    api_url: str = WIKIDATA_API
    user_agent: str = USER_AGENT
    min_interval: float = 1.0  # seconds between two requests
    timeout: float = 10.0  # seconds for each request (connect, read)
    retries: int = 3  # further attempts after a transient failure
    backoff: float = 1.0  # first wait; doubled after each failure
    max_wait: float = 60.0  # never wait longer than this for a Retry-After
    cache_dir: Path | None = None  # None: no cache
    cache_days: float = 30.0


@dataclass
class Response:
    data: dict[str, Any]
    url: str
    retrieved: str  # ISO 8601, UTC: when the API answered (from the cache: the first time)
    from_cache: bool = False


@dataclass
class WikidataClient:
    settings: ClientSettings = field(default_factory=ClientSettings)
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests_made: int = 0
    _last: float | None = None

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            headers={"User-Agent": self.settings.user_agent, "Accept": "application/json"},
            timeout=httpx.Timeout(self.settings.timeout),
            transport=self.transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WikidataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the two actions aigraph uses -------------------------------------------------

    def search(self, text: str, language: str = "fr", limit: int = 5) -> Response:
        """Items whose label or alias matches `text` (``wbsearchentities``)."""
        return self.get(
            {
                "action": "wbsearchentities",
                "search": text,
                "language": language,
                "uselang": language,
                "type": "item",
                "limit": str(limit),
                "format": "json",
            }
        )

    def entities(self, ids: list[str]) -> Response:
        """Labels, descriptions, aliases and statements of up to 50 items (``wbgetentities``)."""
        if not ids:
            return Response({"entities": {}}, self.settings.api_url, _now())
        return self.get(
            {
                "action": "wbgetentities",
                "ids": "|".join(sorted(set(ids))[:50]),
                "props": "labels|descriptions|aliases|claims",
                "languages": "fr|en",
                "format": "json",
            }
        )

    # --- transport: cache, rate limit, retries ------------------------------------------

    def get(self, params: Mapping[str, str]) -> Response:
        url = str(httpx.URL(self.settings.api_url, params=dict(sorted(params.items()))))
        cached = self._cache_read(url)
        if cached is not None:
            return cached
        wait = self.settings.backoff
        last_problem = ""
        for attempt in range(self.settings.retries + 1):
            self._pace()
            try:
                reply = self._http.get(url)
            except httpx.ConnectError as exc:
                raise WikidataUnavailableError(
                    f"cannot reach {self.settings.api_url} ({exc or 'connection refused'}): "
                    "`aigraph link` needs the network (or --api pointing at a mirror); "
                    "nothing was changed"
                ) from None
            except httpx.TimeoutException:
                last_problem = f"no answer within {self.settings.timeout:g} s"
            except httpx.HTTPError as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            else:
                if reply.status_code == 200:
                    try:
                        data = reply.json()
                    except ValueError:
                        raise WikidataUnavailableError(
                            f"{self.settings.api_url} answered something that is not JSON"
                        ) from None
                    if "error" in data:
                        error = data["error"]
                        raise WikidataUnavailableError(
                            f"the API refused the request: {error.get('code')}: {error.get('info')}"
                        )
                    response = Response(data, url, _now())
                    self._cache_write(url, response)
                    return response
                if reply.status_code not in RETRY_STATUSES:
                    raise WikidataUnavailableError(
                        f"{self.settings.api_url} answered HTTP {reply.status_code}; not retried"
                    )
                last_problem = f"HTTP {reply.status_code}"
                retry_after = reply.headers.get("retry-after", "")
                if retry_after.isdigit():
                    wait = max(wait, float(retry_after))
            if attempt < self.settings.retries:
                self.sleep(min(wait, self.settings.max_wait))
                wait *= 2
        raise WikidataUnavailableError(
            f"{self.settings.api_url} kept failing ({last_problem}) after "
            f"{self.settings.retries + 1} attempts; try again later"
        )

    def _pace(self) -> None:
        now = self.clock()
        if self._last is not None:
            gap = self.settings.min_interval - (now - self._last)
            if gap > 0:
                self.sleep(gap)
        self._last = self.clock()
        self.requests_made += 1

    def _cache_path(self, url: str) -> Path | None:
        if self.settings.cache_dir is None:
            return None
        return self.settings.cache_dir / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _cache_read(self, url: str) -> Response | None:
        path = self._cache_path(url)
        if path is None or not path.exists():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            retrieved = datetime.fromisoformat(entry["retrieved"])
        except (ValueError, KeyError, OSError):
            return None  # a damaged entry is asked again
        age_days = (datetime.now(UTC) - retrieved).total_seconds() / 86400
        if entry.get("url") != url or age_days > self.settings.cache_days:
            return None
        return Response(entry["data"], url, entry["retrieved"], from_cache=True)

    def _cache_write(self, url: str, response: Response) -> None:
        path = self._cache_path(url)
        if path is None:
            return
        from aigraph.build import write_atomic

        entry = {"url": url, "retrieved": response.retrieved, "data": response.data}
        write_atomic(path, json.dumps(entry, ensure_ascii=False, sort_keys=True).encode())


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
