"""Pages for people and for crawlers: the query editor without JavaScript (/query?query=…),
where the server runs the query and the page shows the answer of every query form, or the
error, in the page's language (with JavaScript, in a real browser: tests/test_ui.py); and
what robots.txt asks of crawlers."""

from __future__ import annotations

import datetime
import hashlib
import html
import re
import urllib.robotparser
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx
import pytest

from aigraph import __version__
from aigraph.search import fold
from aigraph.server.settings import Settings
from support import running_server

JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"


def results_of(server: str, query: str, lang: str = "en") -> str:
    """The page's results block, as HTML. A query that fails is the page with the error,
    under the error's status, and with no validator: no browser or cache keeps it."""
    response = httpx.get(server + "query", params={"query": query, "lang": lang}, timeout=30)
    failed = 'role="alert"' in response.text
    assert response.status_code == (400 if failed else 200)
    assert ("etag" in response.headers) is not failed
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
        # a graph: its triples as a table, IRIs of the graph linked to their pages and shown
        # as the editor shows them: by their labels, else as prefixed names; whole in a title
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
            f'<td><a href="/id/person/jean-michel-jarre" title="{JARRE}">Jean-Michel Jarre</a></td>'
            '<td><a href="http://schema.org/name" title="http://schema.org/name">schema:name</a>'
            "</td><td><span>Jean-Michel Jarre</span></td>",
        ),
        (  # an IRI with no label and no prefix: whole, as Turtle writes it
            "SELECT ?x WHERE { BIND (<urn:x:1> AS ?x) }",
            "fr",
            '<td><a href="urn:x:1" title="urn:x:1">&lt;urn:x:1&gt;</a></td>',
        ),
        (  # a session by its title in the page's language
            "SELECT ?s WHERE { BIND (<https://w3id.org/aigraph/id/session/2025-10-07-s03> AS ?s) }",
            "fr",
            ">Table ronde : les commissions du CNC face aux enjeux de l&#39;IA</a>",
        ),
        # errors: said, in an alert, as the endpoint says them
        (
            "SELECT * WHERE {",
            "en",
            '<p class="muted">Error 400</p>\n<div class="error" role="alert" lang="en">'
            "The query does not parse",
        ),
        (
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            "fr",
            '<p class="muted">Erreur 400</p>\n<div class="error" role="alert" lang="en">'
            "this is an update, not a query",
        ),
    ],
)
def test_the_page_shows_every_kind_of_answer(
    server: str, query: str, lang: str, shown: str
) -> None:
    assert shown in results_of(server, query, lang)


def test_a_query_stopped_at_its_limit_is_a_503_page_no_one_keeps() -> None:
    """On a server of its own: the stopped query's worker is replaced, which the shared
    server's other tests need not see."""
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_server(Settings(workers=1, query_timeout=1)) as url:
        response = httpx.get(url + "query", params={"query": heavy, "lang": "en"}, timeout=30)
    assert response.status_code == 503
    assert '<div class="error" role="alert" lang="en">The query was stopped after 1 s' in (
        response.text
    )
    assert "etag" not in response.headers


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
        ("/search?kind=person", True),  # the lists lead to every entity's page
        ("/search?kind=person&offset=100&limit=100", True),
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


def browse(server: str, **params: str | int) -> dict:
    response = httpx.get(server + "search", params={**params, "format": "json"})
    assert response.status_code == 200, response.text
    return response.json()


def test_browsing_lists_every_entity_of_a_kind_by_label(server: str) -> None:
    """No text and a kind: every entity of that kind, alphabetical (accents and case
    aside), a page at a time, for people who do not know the name they look for."""
    whole = browse(server, kind="person", limit=100)
    assert whole["total"] == 27 and len(whole["results"]) == 27
    assert {r["kind"] for r in whole["results"]} == {"person"}
    labels = [r["label"] for r in whole["results"]]
    assert labels[:3] == ["Alexandra Bensamoun", "Anastasia Svoboda", "Aton Soumache"]
    assert labels == sorted(labels, key=fold)
    assert all(r["score"] is None for r in whole["results"])  # listed, not scored
    # pages: the same list, cut
    pages = [browse(server, kind="person", limit=10, offset=o)["results"] for o in (0, 10, 20)]
    assert [r["label"] for page in pages for r in page] == labels
    assert len(pages[2]) == 7
    # several kinds at once
    both = browse(server, kind="organisation,topic", limit=100)
    assert both["total"] == 19 + 17
    assert {r["kind"] for r in both["results"]} == {"organisation", "topic"}


def test_the_browsing_page_links_its_kinds_and_its_next_page(server: str) -> None:
    page = httpx.get(
        server + "search", params={"kind": "person", "limit": 10}, headers={"Accept-Language": "en"}
    ).text
    assert '<a href="/search?kind=person" aria-current="page">people</a> (27)' in page
    assert '<a href="/search?kind=organisation">organisations</a> (19)' in page
    assert "<h2>People (27)</h2>" in page
    assert '<a rel="next" href="/search?kind=person&amp;offset=10&amp;limit=10">Next →</a>' in page
    last = httpx.get(server + "search", params={"kind": "person", "limit": 10, "offset": 20}).text
    assert 'start="21"' in last and 'rel="next"' not in last
    # the home page's counts lead there
    home = httpx.get(server, headers={"Accept-Language": "fr"}).text
    assert '<a href="/search?kind=person">27 personnes</a>' in home


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"kind": "person", "limit": 0}, "limit must be at least 1"),
        ({"kind": "person", "offset": -1}, "offset at least 0"),
        ({"kind": "people"}, "unknown kind in 'people'; kinds are person, organisation"),
        # typed parameters, which FastAPI checks itself: the same 400 naming them, where it
        # was FastAPI's 422 with a JSON body
        ({"kind": "person", "limit": "abc"},
         "parameter 'limit': input should be a valid integer, unable to parse string as an "
         "integer (got 'abc')"),
        ({"q": "jarre", "offset": "1.5", "limit": "x"}, "parameter 'limit': input should be a "
         "valid integer, unable to parse string as an integer (got 'x'); parameter 'offset'"),
    ],
)  # fmt: skip
def test_bad_browsing_is_a_400(server: str, params: dict[str, str | int], words: str) -> None:
    response = httpx.get(server + "search", params=params)
    assert response.status_code == 400 and words in response.text
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    page = httpx.get(server + "search", params=params, headers={"Accept": "text/html"})
    assert page.status_code == 400 and "<h1>Demande incorrecte</h1>" in page.text


def test_the_sitemap_lists_every_page_robots_txt_allows(server: str) -> None:
    """sitemap.xml (sitemaps.org 0.9), which robots.txt names: the site's pages, the list of
    each kind, and every entity's page, absolute and on this server; every one of them is a
    page robots.txt allows, and each answers."""
    response = httpx.get(server + "sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [
        loc.text or ""
        for loc in ElementTree.fromstring(response.content).findall("s:url/s:loc", ns)
    ]
    # pages, lists of each kind, entities of the graph (80, and its 20 job titles and 9
    # occupations)
    assert len(urls) == len(set(urls)) == 5 + 8 + 80 + 20 + 9
    assert server + "id/person/jean-michel-jarre" in urls
    assert server + "id/occupation/scenariste" in urls
    assert server + "concept/topic/creativity" in urls
    assert server + "search?kind=organisation" in urls
    robots_txt = httpx.get(server + "robots.txt").text
    assert f"Sitemap: {server}sitemap.xml" in robots_txt.splitlines()
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots_txt.splitlines())
    assert [u for u in urls if not parser.can_fetch("AnyBot", u)] == []
    for url in urls[:12] + urls[-3:]:  # the pages, the lists, some entities
        assert httpx.get(url, headers={"Accept": "text/html"}).status_code == 200, url


# --- citing --------------------------------------------------------------------------------

CITED = (
    "The aigraph developers (2026). aigraph: the CNC's 7 October 2025 day on the responsible "
    "use of AI in the animation sector [dataset], version "
)


def test_the_home_page_says_how_to_cite_the_dataset(server: str) -> None:
    page = httpx.get(server, params={"lang": "en"}, timeout=30).text
    block = re.search(r'<p class="citation" id="citation">(.*?)</p>', page, re.S)
    assert block is not None
    assert CITED in html.unescape(block.group(1))
    # the dataset's IRI, under the data's base IRI wherever the server runs
    assert f"version {__version__}. https://w3id.org/aigraph/id/dataset/aigraph (" in block.group(1)
    french = httpx.get(server, params={"lang": "fr"}, timeout=30).text
    assert "[jeu de données], version" in html.unescape(french)


def test_an_answer_is_cited_so_that_it_can_be_found_again(server: str) -> None:
    """Without JavaScript the server writes the whole citation of the answer on the page: the
    dataset, a link that runs the query again, the day, the size and the data's checksum —
    the SHA-256 of the N-Quads file /dumps/ serves."""
    query = f"SELECT ?n WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}"
    page = httpx.get(server + "query", params={"query": query, "lang": "en"}, timeout=30)
    block = re.search(r'<p id="answer-citation" data-template="([^"]*)">(.*?)</p>', page.text)
    assert block is not None
    cited = html.unescape(block.group(2))
    nquads = httpx.get(server + "dumps/aigraph.nq", timeout=30).content
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    assert cited.startswith(CITED)
    assert f"(run on {today}; 1 row; data: aigraph.nq, SHA-256 " in cited
    assert hashlib.sha256(nquads).hexdigest() + ")." in cited
    # the link runs the same query, and shows the same answer
    link = re.search(r"SPARQL query: (\S+) \(run on", cited)
    assert link is not None and link.group(1).startswith(server + "query?query=")
    again = httpx.get(link.group(1) + "&lang=en", timeout=30)
    assert results_of_page(again.text) == results_of_page(page.text)
    # what the script fills in is left for it
    template = html.unescape(block.group(1))
    assert "{url}" in template and "{date}" in template and "{rows}" in template
    assert hashlib.sha256(nquads).hexdigest() in template


def test_the_editor_does_not_wait_for_the_dumps_to_offer_a_citation() -> None:
    """The checksum needs the dumps (rendered once per version of the data): a visit with no
    answer leaves it to the script, which asks /dumps/ once there is one to cite."""
    with running_server(Settings()) as fresh:  # its dumps not rendered yet
        page = httpx.get(fresh + "query", params={"lang": "en"}, timeout=30).text
        template = html.unescape(re.search(r'data-template="([^"]*)"', page).group(1))  # type: ignore[union-attr]
        assert template.endswith("(run on {date}; {rows}; data: aigraph.nq, SHA-256 {sha}).")
        listing = httpx.get(fresh + "dumps/?format=json", timeout=30).json()
        assert "aigraph.nq" in {f["name"] for f in listing["files"]}  # what the script reads


def results_of_page(page: str) -> str:
    block = re.search(r'<div id="results"[^>]*>(.*?)</div>\n', page, re.S)
    assert block is not None
    return block.group(1)


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("ASK {}", "; true; data"),
        # an answer cut at the page's 1,000 rows says so, as its status line does
        ("SELECT * WHERE { ?s ?p ?o }", "; 1,000 rows (…); data"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1001", "; 1\u202f000 lignes (…) ; données"),
        (
            f"CONSTRUCT {{ <{JARRE}> <http://schema.org/name> ?n }} "
            f"WHERE {{ <{JARRE}> <http://schema.org/name> ?n }}",
            "; 1 triplet ; données",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "; 1,000 triples (…); data"),  # a graph cut too
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2", "; 2 triples; data"),
    ],
)
def test_the_size_of_an_answer_in_its_citation(server: str, query: str, size: str) -> None:
    lang = "fr" if "données" in size else "en"
    page = httpx.get(server + "query", params={"query": query, "lang": lang}, timeout=30).text
    block = re.search(r'<p id="answer-citation"[^>]*>(.*?)</p>', page)
    assert block is not None and size in html.unescape(block.group(1))


@pytest.mark.parametrize(
    ("n", "lang", "written"),
    [
        (0, "fr", "0"),
        (999, "en", "999"),
        (2779, "fr", "2\u202f779"),  # CLDR's French: a narrow no-break space
        (2779, "en", "2,779"),
        (1234567, "fr", "1\u202f234\u202f567"),
        (0.95, "fr", "0,95"),  # a decimal comma
        (0.95, "en", "0.95"),
        (1.0, "fr", "1"),
        (12345.5, "fr", "12\u202f345,5"),
        (1234567.0, "en", "1,234,567"),  # not 1.23457e+06
    ],
)
def test_a_number_is_written_as_the_pages_language_writes_it(
    n: float, lang: str, written: str
) -> None:
    from aigraph.server.pages import number

    assert number(n, lang) == written


def test_the_home_page_writes_its_counts_in_its_language(server: str) -> None:
    counts = {}
    for lang, pattern in (("fr", r"([\d\u202f]+) triplets"), ("en", r"([\d,]+) triples")):
        page = httpx.get(server, params={"lang": lang}).text
        found = re.search(pattern, html.unescape(page))
        assert found is not None, lang
        counts[lang] = found.group(1)
    assert counts["fr"].replace("\u202f", "") == counts["en"].replace(",", "")
    assert int(counts["en"].replace(",", "")) > 2000  # (a separator written, then)


def test_the_programme_reads_as_text_with_its_topics_apart(server: str) -> None:
    """What a screen reader, a text browser or a copy and paste gets: the words of the page,
    without its style. A session's topics were links side by side, spaced by the style
    sheet only, and read "… pour la créationpartage de la valeur"."""
    page = httpx.get(server, params={"lang": "fr"}).text
    first = re.search(r'<p class="topics">(.*?)</p>', page, re.S)
    assert first is not None
    text = html.unescape(re.sub(r"<[^>]+>", "", first.group(1)))
    assert text == (
        "Thèmes\u00a0: défis de l'IA générative pour la création · partage de la valeur · "
        "régulation et cadre institutionnel"
    )


@pytest.mark.parametrize(
    ("lang", "person", "line"),
    [
        # "Lou Fauroux, artiste et cinéaste, résidente de la Villa Albertine 2026": both
        # occupations (the page kept one of them, a different one from one start to the next),
        # in the release's order, before the title and the organisation
        (
            "en",
            "lou-fauroux",
            "Lou Fauroux — panelist, artiste, cinéaste, résidente, Villa Albertine",
        ),
        (
            "fr",
            "camille-brechignac",
            "Camille Brechignac — intervenant·e de table ronde, curatrice, théoricienne de l'art",
        ),
        (
            "en",
            "gregory-chatonsky",
            "Grégory Chatonsky — panelist, artiste, co-script pour l'IA, Feral",
        ),
        (
            "en",
            "heloise-capiocca",
            "Héloïse Capiocca — panelist, scénariste, administratrice, SACD",
        ),
        ("en", "jean-michel-jarre", "Jean-Michel Jarre — panelist, auteur-compositeur"),
        ("en", "idzard-van-der-puyl", "Idzard Van der Puyl — speaker"),
        (
            "en",
            "pauline-augrain",
            "Pauline Augrain — moderator, directrice du numérique, CNC",
        ),
    ],
)
def test_the_programme_introduces_each_person_as_the_release_does(
    server: str, lang: str, person: str, line: str
) -> None:
    page = httpx.get(server, params={"lang": lang}).text
    items = re.findall(rf'<li><a href="/id/person/{person}">.*?</li>', page, re.S)
    assert [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items] == [line]


@pytest.mark.parametrize(
    ("lang", "link"), [("fr", "Point d'accès SPARQL"), ("en", "SPARQL endpoint")]
)
def test_the_home_page_names_the_endpoint_in_its_language(
    server: str, lang: str, link: str
) -> None:
    page = html.unescape(httpx.get(server, params={"lang": lang}).text)
    assert f'<a href="/sparql">{link}</a>' in page


# (page, its parameters, what the page in English must still show after the switch)
SWITCHED = [
    ("", {}, "Round table"),
    ("search", {"q": "jarre"}, "Jean-Michel Jarre"),
    ("query", {"query": f"SELECT ?name WHERE {{ <{JARRE}> <http://schema.org/name> ?name }}"},
     "Jean-Michel Jarre"),
    ("queries/person", {"person": JARRE, "format": "html"}, "Jean-Michel Jarre"),
    # a catalogue query whose own `lang` parameter the switch sets too: its labels follow
    ("queries/topics", {"lang": "fr", "format": "html"}, "artistic experimentation"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "params", "shown"), SWITCHED)
def test_the_language_switch_keeps_the_pages_parameters(
    server: str, path: str, params: dict[str, str], shown: str
) -> None:
    """Switching to English keeps what the page was showing (the words searched for, the
    editor's query, the catalogue query's person), not the page's bare address."""
    page = httpx.get(server + path, params={**params, "lang": "fr"}, timeout=30).text
    assert '<html lang="fr">' in page
    link = re.search(r'<a href="([^"]*)"[^>]*data-lang-switch="en"', page)
    assert link is not None
    href = html.unescape(link.group(1))
    kept = {k: v for k, v in params.items() if k != "lang"}
    assert httpx.QueryParams(href.removeprefix("?")) == httpx.QueryParams({**kept, "lang": "en"})
    english = httpx.get(server + path + href, timeout=30).text
    assert '<html lang="en">' in english and shown in english


#: Enough for every page of the bundled graph (about 3,100) with room to grow; a bound, so
#: that a page that linked to ever new pages could not make the crawl endless.
CRAWL_LIMIT = 6000


def test_no_page_links_to_an_error(server: str) -> None:
    """Every link (href, src) of every page reachable from the home page, in French and in
    English, on this server: each target answers without an error. What a person clicking
    around would meet: a language switch that dropped a catalogue query's parameters gave a
    400 (a730c14)."""
    start = [server, server + "?lang=en"]
    seen: set[str] = set()
    queue = list(start)
    broken: list[tuple[int, str, str]] = []
    came_from: dict[str, str] = {}
    with httpx.Client(timeout=30, headers={"Accept": "text/html,*/*;q=0.8"}) as client:
        while queue and len(seen) < CRAWL_LIMIT:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code >= 400:
                broken.append((response.status_code, url, came_from.get(url, "")))
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            for found in re.finditer(r'(?:href|src)="([^"]+)"', response.text):
                target = urljoin(url, html.unescape(found.group(1))).split("#")[0]
                if target.startswith(server) and target not in seen:
                    came_from.setdefault(target, url)
                    queue.append(target)
    assert not queue, f"more than {CRAWL_LIMIT} pages: raise the bound if that is right"
    assert len(seen) > 2000  # every person, organisation, claim, passage … in two languages
    assert broken == [], broken[:5]


@pytest.mark.parametrize(
    ("lang", "title", "editor"),
    [
        (
            "fr",
            "<h1>Point d'accès SPARQL d'aigraph</h1>",
            'l\'<a href="/query">éditeur SPARQL</a>',
        ),
        ("en", "<h1>aigraph SPARQL endpoint</h1>", 'the <a href="/query">SPARQL editor</a>'),
    ],
)
def test_the_endpoint_page_reads_in_the_readers_language(
    server: str, lang: str, title: str, editor: str
) -> None:
    """A browser at /sparql gets a form in its language, which leads to the editor; a client
    asking for anything (*/*) still gets the Service Description."""
    page = httpx.get(server + "sparql", headers={"Accept": "text/html", "Accept-Language": lang})
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page.text and title in page.text, page.text[:400]
    assert editor in page.text
    assert "Accept, Accept-Language" in page.headers["vary"]
    described = httpx.get(server + "sparql", headers={"Accept": "*/*", "Accept-Language": lang})
    assert described.headers["content-type"].startswith("text/turtle")
