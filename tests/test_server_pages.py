"""Pages for people and for crawlers: the query editor without JavaScript (/query?query=…),
where the server runs the query and the page shows the answer of every query form, or the
error, in the page's language (with JavaScript, in a real browser: tests/test_ui.py); and
what robots.txt asks of crawlers."""

from __future__ import annotations

import re
import urllib.robotparser

import httpx
import pytest

JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"


def results_of(server: str, query: str, lang: str = "en") -> str:
    """The page's results block, as HTML."""
    response = httpx.get(server + "query", params={"query": query, "lang": lang}, timeout=30)
    assert response.status_code == 200
    block = re.search(r'<div id="results"[^>]*>(.*?)</div>\n', response.text, re.S)
    assert block is not None, response.text
    return block.group(1)


@pytest.mark.parametrize(
    ("query", "lang", "shown"),
    [
        # SPARQL's booleans, not Python's True
        ("ASK {}", "en", '<p class="boolean"><strong>true</strong></p>'),
        ("ASK { ?s <urn:nothing> ?o }", "fr", '<p class="boolean"><strong>false</strong></p>'),
        # one row: singular
        (f"SELECT ?n WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}", "en", "1 row</p>"),
        (f"SELECT ?n WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}", "fr", "1 ligne</p>"),
        (
            "SELECT ?n WHERE { ?p a <http://schema.org/Person> ; <http://schema.org/name> ?n } "
            "LIMIT 2",
            "fr",
            "2 lignes</p>",
        ),
        # a graph: its triples as a table, IRIs of the graph linked to their pages
        (
            f"CONSTRUCT {{ <{JARRE}> <http://schema.org/name> ?n }} "
            f"WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}",
            "en",
            '<th scope="col">subject</th><th scope="col">predicate</th><th scope="col">object</th>',
        ),
        (
            f"CONSTRUCT {{ <{JARRE}> <http://schema.org/name> ?n }} "
            f"WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}",
            "en",
            f'<td><a href="/id/person/jean-michel-jarre">{JARRE}</a></td>'
            '<td><a href="http://schema.org/name">http://schema.org/name</a></td>'
            "<td><span>Jean-Michel Jarre</span></td>",
        ),
        # errors: said, in an alert, as the endpoint says them
        (
            "SELECT * WHERE {",
            "en",
            '<div class="error" role="alert">Error: The query does not parse',
        ),
        (
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            "fr",
            '<div class="error" role="alert">Erreur: this is an update, not a query',
        ),
    ],
)
def test_the_page_shows_every_kind_of_answer(
    server: str, query: str, lang: str, shown: str
) -> None:
    assert shown in results_of(server, query, lang)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/", True),
        ("/id/person/jean-michel-jarre", True),
        ("/id/person/jean-michel-jarre.ttl", True),
        ("/concept/role/panelist", True),
        ("/queries", True),  # the catalogue itself: a page
        ("/dumps/aigraph.ttl", True),
        ("/.well-known/void", True),
        ("/sparql?query=ASK%20%7B%7D", False),  # every request runs something
        ("/query?query=ASK%20%7B%7D", False),
        ("/queries/participants", False),
        ("/search?q=jarre", False),
        ("/reconcile", False),
        ("/store?default", False),
        ("/ui/network.json", False),
        ("/-/health", False),
    ],
)
def test_robots_txt_keeps_crawlers_to_the_pages(server: str, path: str, allowed: bool) -> None:
    """A crawler following every link would run every catalogue query, every example query
    and every search, on the workers the public shares (RFC 9309)."""
    response = httpx.get(server + "robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.text.splitlines())
    assert parser.can_fetch("AnyBot", server.rstrip("/") + path) is allowed
