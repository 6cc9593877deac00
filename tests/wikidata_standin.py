"""A stand-in for the Wikidata API on 127.0.0.1: the two Wikibase actions aigraph uses, over
the synthetic items of tests/data/wikidata/items.json, with knobs to make it fail."""

from __future__ import annotations

import json
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ITEMS = json.loads((Path(__file__).parent / "data" / "wikidata" / "items.json").read_text())


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


@dataclass
class StandIn:
    url: str = ""
    requests: list[dict[str, object]] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)  # statuses to answer first, in order
    delay: float = 0.0  # seconds before answering
    body: bytes | None = None  # answer this instead (e.g. not JSON)


def search(params: dict[str, str]) -> dict[str, object]:
    text = _fold(params.get("search", ""))
    limit = int(params.get("limit", "7"))
    hits = []
    for qid, item in ITEMS.items():
        names = [v["value"] for v in item["labels"].values()]
        names += [a["value"] for vs in item["aliases"].values() for a in vs]
        if any(text and text in _fold(n) for n in names):
            label = item["labels"].get("fr", next(iter(item["labels"].values())))
            description = item["descriptions"].get("fr", {}).get("value", "")
            hits.append(
                {
                    "id": qid,
                    "title": qid,
                    "concepturi": "http://www.wikidata.org/entity/" + qid,
                    "label": label["value"],
                    "description": description,
                    "match": {"type": "label", "language": "fr", "text": label["value"]},
                }
            )
    return {"searchinfo": {"search": params.get("search")}, "search": hits[:limit], "success": 1}


@contextmanager
def running_standin() -> Iterator[StandIn]:
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.requests.append(
                {"params": params, "ua": self.headers.get("User-Agent"), "t": time.monotonic()}
            )
            if state.delay:
                time.sleep(state.delay)
            if state.fail_with:
                status = state.fail_with.pop(0)
                self.send_response(status)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if state.body is not None:
                payload = state.body
            elif parts.path != "/w/api.php":
                self.send_error(404)
                return
            elif params.get("action") == "wbsearchentities":
                payload = json.dumps(search(params)).encode()
            elif params.get("action") == "wbgetentities":
                ids = params.get("ids", "").split("|")
                payload = json.dumps(
                    {"entities": {i: ITEMS[i] for i in ids if i in ITEMS}, "success": 1}
                ).encode()
            else:
                payload = json.dumps(
                    {"error": {"code": "badvalue", "info": "Unrecognized value for action"}}
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/w/api.php"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
