"""The researcher interface in a real browser: Debian's Chromium driven by Playwright against
a real server on 127.0.0.1. From the day to a session to a person to the sentence that names
them; the editor (catalogue example, Ctrl+Enter, errors at line:column, the query in the URL,
sortable results with labels, graph and chart views); search with type-ahead; the language
switch; the network view; reading without JavaScript; escaping; nothing loaded from elsewhere.

Skipped, with the reason, when Chromium or the built interface (make ui) is missing."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from aigraph.server.ui import DIST

CHROMIUM = os.environ.get("AIGRAPH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("AIGRAPH_SCREENSHOTS", "test-artifacts/ui"))

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
    pytest.mark.skipif(
        not (DIST / "query.js").exists(), reason="interface not built: run `make ui`"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    """A page that records every request it makes and every dialog it opens."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requests = []
    page.dialogs = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.refused = []  # what the pages' Content-Security-Policy stopped: nothing of ours
    page.on(
        "console", lambda m: "Content Security Policy" in m.text and page.refused.append(m.text)
    )
    page.set_default_timeout(15_000)
    yield page
    foreign = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert foreign == [], f"requests left the server: {foreign[:3]}"  # no CDN, no tracker
    assert page.refused == [], page.refused[:3]
    context.close()


@contextlib.contextmanager
def english_page(browser: object) -> Iterator[object]:
    """A page of its own, in English, for a test with a server of its own settings."""
    context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)  # type: ignore[attr-defined]


def test_from_the_day_to_the_sentence_that_names_a_person(page: object, server: str) -> None:
    page.goto(server)
    assert page.locator("section.session").count() == 10
    assert page.locator("#counts").inner_text().startswith("10 sessions · 27 personnes")
    shot(page, "home")
    page.locator("#session-3 a").click()
    assert "/id/session/2025-10-07-s03" in page.url
    page.get_by_role("link", name="Jean-Michel Jarre", exact=True).first.click()
    assert page.url.endswith("/id/person/jean-michel-jarre")
    assert page.locator("h1").inner_text() == "Jean-Michel Jarre"
    # the quote that names him, and the way to see it in context
    quote = page.locator("blockquote", has_text="Jean-Michel Jarre, auteur-compositeur").first
    quote.get_by_role("link", name="voir dans le communiqué").click()
    assert page.locator("mark#passage").is_visible()
    highlighted = "".join(page.locator("mark.highlight").all_inner_texts())
    assert highlighted == "Jean-Michel Jarre, auteur-compositeur"
    shot(page, "provenance")


def test_a_passage_of_the_release_shows_the_facts_it_supports(page: object, server: str) -> None:
    page.goto(server + "id/text/cnc-ia-release-2025-11-04")
    page.locator('mark.passage[data-spans~="s03-jean-michel-jarre"] a').first.click()
    facts = page.locator("table.facts-of-passage")
    assert "Jean-Michel Jarre" in facts.inner_text()
    assert "auteur-compositeur" in facts.inner_text()
    assert "passage=s03-jean-michel-jarre" in page.url


def run_in_editor(page: object, query: str) -> None:
    page.evaluate(  # type: ignore[attr-defined]
        "q => aigraphEditor.dispatch({changes: {from: 0, to: aigraphEditor.state.doc.length, insert: q}})",
        query,
    )
    page.locator(".cm-content").click()  # type: ignore[attr-defined]
    page.keyboard.press("Control+Enter")  # type: ignore[attr-defined]


def test_editor_runs_a_catalogue_example_with_labels_and_sorting(page: object, server: str) -> None:
    page.goto(server + "query")
    page.locator("button.example[data-name='sessions']").click()
    page.wait_for_function("() => aigraphEditor.state.doc.toString().includes('programmePosition')")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    table = page.locator("#results-table")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 10
    assert "10 lignes" in page.locator("#status").inner_text()
    first = rows.nth(0).locator("td").nth(0).inner_text()
    assert first.startswith("Table ronde : partage")  # the IRI shown as its label
    # the catalogue's default parameter (lang=fr) is bound in the editor as in the catalogue
    assert "VALUES (?lang)" in page.evaluate("aigraphEditor.state.doc.toString()")
    assert rows.nth(0).locator("td").nth(3).inner_text() == "table ronde"
    shot(page, "editor")
    # sort by position, descending on the second click
    header = table.locator("th button", has_text="position")
    header.click()
    header.click()
    assert rows.nth(0).locator("td").nth(1).inner_text() == "10"
    # the query is in the URL: a shared link shows the same result
    assert "query=" in page.url
    page.goto(page.url)
    page.locator("#results-table tbody tr").first.wait_for()
    assert page.locator("#results-table tbody tr").count() == 10
    # downloads for the same query
    csv = page.locator(".downloads a", has_text=re.compile("^CSV$")).get_attribute("href")
    assert csv.startswith("/sparql?") and "format=csv" in csv
    # and the CSV's metadata (CSV on the Web), which names that very file
    csvw = page.locator(".downloads a", has_text="CSVW").get_attribute("href")
    assert csvw == "/csvm?" + csv.removeprefix("/sparql?")
    metadata = httpx.get(server + csvw.lstrip("/")).json()
    assert metadata["url"] == server + csv.lstrip("/")
    assert metadata["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}


@pytest.mark.parametrize(
    ("lang", "kind", "role"),
    [("en", "round table", "moderator"), ("fr", "table ronde", "modérateur·rice")],
)
def test_an_examples_labels_are_in_the_pages_language(
    page: object, server: str, lang: str, kind: str, role: str
) -> None:
    """The example's `lang` parameter is bound to the page's language, as the catalogue's
    own page binds it: an English page shows English labels."""
    page.goto(server + f"query?lang={lang}")
    for name, column, label in (
        ("sessions", "kindLabel", kind),
        ("participants", "roleLabel", role),
    ):
        page.locator(f"button.example[data-name='{name}']").click()
        page.wait_for_function(
            "v => aigraphEditor.state.doc.toString().includes(v)",
            arg=f'VALUES (?lang) {{ ("{lang}") }}',
        )
        page.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        table = page.locator("#results-table")
        page.wait_for_function(
            "n => document.querySelector('#results-table tbody') && "
            "document.querySelector('#results-table tbody').rows.length === n",
            arg=10 if name == "sessions" else 29,
        )
        headers = table.locator("thead th").all_inner_texts()
        at = next(i for i, h in enumerate(headers) if h.strip().startswith(column))
        labels = set(table.locator(f"tbody tr td:nth-child({at + 1})").all_inner_texts())
        assert label in labels, (name, labels)


WIDE_PAGES = [
    "",
    "queries/participants",  # ten columns
    "-/links",  # long web addresses
    "dumps/",  # checksums
    "id/organisation/cnc",
    "id/person/jean-michel-jarre",
    "search?kind=person",
    "query",
    "sparql?query=SELECT%20*%20%7B",  # the error's page: the parser's long list of tokens
]


@pytest.mark.parametrize("width", [1280, 420])  # a laptop, a phone
def test_no_page_is_wider_than_the_screen(page: object, server: str, width: int) -> None:
    """A wide table scrolls in its own box and long addresses wrap: the page itself never
    scrolls sideways (before, the participants' table and the links' addresses did)."""
    page.set_viewport_size({"width": width, "height": 900})
    wider = {}
    for path in WIDE_PAGES:
        page.goto(server + path)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wider[path] = scroll
    # the editor's answer too, once run
    page.goto(server + "query")
    page.locator("button.example[data-name='participants']").click()
    page.wait_for_function("() => aigraphEditor.state.doc.toString().includes('roleLabel')")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    page.locator("#results-table tbody tr").first.wait_for()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        wider["query (answered)"] = scroll
    assert wider == {}, wider


def test_browsing_from_the_home_page_to_an_organisation(page: object, server: str) -> None:
    """For whoever does not know a name: the home page's counts lead to the list of each
    kind, alphabetical, and the list to each entity's page."""
    page.goto(server)
    # 18 organisations and the CNC's unit that the release names (README)
    page.locator("#counts").get_by_role("link", name="19 organisations").click()
    assert page.url.endswith("/search?kind=organisation")
    assert page.locator("h2").inner_text() == "Organisations (19)"
    items = page.locator("#search-results li a")
    labels = [items.nth(i).inner_text() for i in range(items.count())]
    assert len(labels) == 19 and "La Fémis" in labels
    page.get_by_role("link", name="La Fémis", exact=True).click()
    assert page.url.endswith("/id/organisation/la-femis")
    assert page.locator("h1").inner_text() == "La Fémis"
    shot(page, "browse")


def test_the_query_in_a_program_follows_the_editor_and_runs_in_the_page(
    page: object, server: str
) -> None:
    """The Code panel shows, for the editor's query, the code that runs it elsewhere; it
    follows the editor as the query changes, copies to the clipboard, and its JavaScript runs
    in the browser as written (curl and Python run in tests/test_snippets.py)."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
    page.goto(server + "query")
    page.locator("#code summary").click()
    query = 'ASK { ?p <http://schema.org/name> "Jean-Michel Jarre" }'
    page.evaluate(
        "q => aigraphEditor.dispatch({changes: {from: 0, to: aigraphEditor.state.doc.length, insert: q}})",
        query,
    )
    python = page.locator('#snippets .snippet[data-name="python"] code')
    page.wait_for_function(
        "q => document.querySelector('#snippets .snippet[data-name=python] code')"
        "?.textContent.includes(q)",
        arg=query,
    )
    assert 'print(results["boolean"])' in python.inner_text()
    assert f'SPARQLWrapper("{server}sparql")' in python.inner_text()
    shot(page, "code")
    # Copy puts the code on the clipboard, whole
    page.get_by_role("button", name="Copier Python (SPARQLWrapper)").click()
    assert page.evaluate("navigator.clipboard.readText()") == python.inner_text()
    # the JavaScript, as shown, in this page: it prints the answer
    script = page.locator('#snippets .snippet[data-name="javascript"] code').inner_text()
    printed = page.evaluate(
        "(async () => { const said = []; const console = { log: (x) => said.push(String(x)) };\n"
        + script
        + "\nreturn said; })()"
    )
    assert printed == ["true"]
    # an update has no code, and the panel says why
    page.evaluate(
        "q => aigraphEditor.dispatch({changes: {from: 0, to: aigraphEditor.state.doc.length, insert: q}})",
        "CLEAR ALL",
    )
    page.locator("#snippets", has_text="jeton").wait_for()
    assert page.locator("#snippets .snippet").count() == 0


def test_an_answer_in_the_editor_is_cited_with_its_link(page: object, server: str) -> None:
    """The "Cite this answer" panel: the dataset, the link the editor keeps the query in (it
    runs it again), the day, the answer's size and the data's checksum; a failed query has
    no citation."""
    page.goto(server + "query")
    run_in_editor(page, "SELECT ?s WHERE { ?s a <http://schema.org/Person> } LIMIT 3")
    page.locator("#results-table").wait_for()
    page.locator("#cite summary").click()
    # (the data's checksum comes from /dumps/, asked once there is an answer to cite)
    page.wait_for_function(
        "() => /SHA-256 [0-9a-f]{64}/.test(document.querySelector('#answer-citation').textContent)"
    )
    cited = page.locator("#answer-citation").inner_text()
    assert cited.startswith("The aigraph developers (2026). aigraph : la journée du CNC")
    today = page.evaluate("new Date().toISOString().slice(0, 10)")
    assert f"Requête SPARQL : {page.url} (exécutée le {today} ; 3 lignes ; données" in cited
    assert re.search(r"aigraph\.nq, SHA-256 [0-9a-f]{64}\)\.$", cited)
    # the link is the page's: opened again, it shows the same answer
    page.goto(page.url)
    page.locator("#results-table tbody tr").nth(2).wait_for()
    assert page.locator("#results-table tbody tr").count() == 3
    run_in_editor(page, "SELECT * WHERE { ?s ?p }")
    page.locator("#results .error").wait_for()
    assert page.locator("#answer-citation").inner_text() == ""


def test_a_citation_made_while_the_files_are_rendered_asks_again_later(browser: object) -> None:
    """The data's checksum comes from /dumps/. Asked while the files are still being
    rendered (a 503: here `dumps_wait` is 0), the citation goes without it, and the next
    answer's citation asks again, once they are rendered, and has it."""
    from aigraph.server.settings import Settings
    from support import files_listed, running_server

    with running_server(Settings(workers=1, dumps_wait=0)) as url, english_page(browser) as page:
        page.goto(url + "query")
        run_in_editor(page, "SELECT ?s WHERE { ?s a <http://schema.org/Person> } LIMIT 2")
        page.locator("#results-table").wait_for()
        page.locator("#cite summary").click()
        page.wait_for_function(
            "() => /2 rows/.test(document.querySelector('#answer-citation').textContent)"
        )
        early = page.locator("#answer-citation").inner_text()
        assert "SHA-256" not in early and "{sha}" not in early, early
        files_listed(url)
        run_in_editor(page, "SELECT ?s WHERE { ?s a <http://schema.org/Person> } LIMIT 3")
        page.wait_for_function(
            "() => /3 rows.*SHA-256 [0-9a-f]{64}/.test(document.querySelector('#answer-citation').textContent)"
        )


def test_the_editor_warns_of_a_cross_product_before_running(page: object, server: str) -> None:
    """As the query is typed, before it runs: two parts that share no variable are named,
    and the warning goes once they are joined."""
    page.goto(server + "query?lang=en")
    set_query = "q => aigraphEditor.dispatch({changes: {from: 0, to: aigraphEditor.state.doc.length, insert: q}})"
    page.evaluate(
        set_query,
        "SELECT * WHERE {\n  ?p a <http://schema.org/Person> .\n  ?o a <http://www.w3.org/ns/org#Organization> .\n}",
    )
    warning = page.locator("#advice .warning")
    warning.wait_for()
    assert warning.inner_text().startswith(
        "These parts of the pattern share no variable: {?p} × {?o}."
    )
    assert page.locator("#results table").count() == 0  # nothing ran
    shot(page, "advice")
    page.evaluate(
        set_query,
        "SELECT * WHERE {\n  ?p a <http://schema.org/Person> ;\n     <http://www.w3.org/ns/org#memberOf> ?o .\n}",
    )
    page.wait_for_function("() => document.querySelectorAll('#advice .warning').length === 0")


def test_errors_are_shown_at_the_line_and_column(page: object, server: str) -> None:
    page.goto(server + "query")
    run_in_editor(page, "SELECT * WHERE {\n  ?s ?p ?o FILTER(?o = ) }")
    error = page.locator("#results .error")
    error.wait_for()
    assert "error at 2:27" in error.inner_text()  # the parser's own words, from the server
    assert (error.get_attribute("data-line"), error.get_attribute("data-column")) == ("2", "27")
    page.locator(".cm-lint-marker-error").first.wait_for()  # the gutter marks line 2
    # the cursor is put where the error is: line 2, column 27
    head = page.evaluate("aigraphEditor.state.selection.main.head")
    assert head == len("SELECT * WHERE {\n") + 26


def test_a_hostile_literal_is_shown_as_text(page: object, server: str) -> None:
    page.goto(server + "query")
    probe = "<img src=x onerror=alert(1)>"
    run_in_editor(page, f'SELECT ?x WHERE {{ BIND ("{probe}" AS ?x) }}')
    cell = page.locator("#results-table tbody td").first
    cell.wait_for()
    assert cell.inner_text() == probe
    assert page.locator("#status").inner_text().startswith("1 ligne ·")  # one: singular
    assert page.locator("#results img").count() == 0
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_counts_are_written_as_the_pages_language_writes_them(page: object, server: str) -> None:
    """2 779 in French (a narrow no-break space, as the server's pages write it), and the
    same answer's citation too."""
    page.goto(server + "query")
    run_in_editor(page, "SELECT * WHERE { ?s ?p ?o } LIMIT 1500")
    page.locator("#results-table tbody tr").nth(1499).wait_for()
    assert re.match(r"1\u202f500 lignes · [\d\u202f]+ ms$", page.locator("#status").inner_text())
    page.locator("#cite summary").click()
    page.wait_for_function(
        "() => /SHA-256/.test(document.querySelector('#answer-citation').textContent)"
    )
    assert "; 1\u202f500 lignes ;" in page.locator("#answer-citation").inner_text()


def test_a_triple_term_is_shown_as_turtle_writes_it(page: object, server: str) -> None:
    # RDF 1.2: Oxigraph answers with triple terms; the table shows them, escaped, as text
    page.goto(server + "query")
    run_in_editor(
        page,
        "SELECT ?t WHERE { BIND (<<( <https://w3id.org/aigraph/id/person/jean-michel-jarre> "
        '<http://schema.org/name> "<b>Jarre</b>" )>> AS ?t) }',
    )
    cell = page.locator("#results-table tbody td").first
    cell.wait_for()
    assert cell.inner_text() == '<<( person:jean-michel-jarre schema:name "<b>Jarre</b>" )>>'
    assert page.locator("#results b").count() == 0


def test_graph_view_of_a_construct(page: object, server: str) -> None:
    page.goto(server + "query")
    run_in_editor(
        page,
        "PREFIX aig: <https://w3id.org/aigraph/ns#>\n"
        "CONSTRUCT { ?s aig:participation ?p . ?p aig:agent ?a } WHERE {\n"
        "  ?s aig:participation ?p . ?p aig:agent ?a } LIMIT 40",
    )
    page.wait_for_function("() => window.aigraphGraph && aigraphGraph.nodes().length > 10")
    assert page.locator(".downloads a", has_text="TURTLE").count() == 1
    shot(page, "graph-view")


def test_a_graph_cut_at_the_row_limit_says_so(browser: object) -> None:
    """As a table does: "5 triples (…)", where it read "5 triples", an answer looking whole."""
    from aigraph.server.settings import Settings
    from support import running_server

    with running_server(Settings(workers=1, max_results=5)) as url, english_page(browser) as page:
        page.goto(url + "query")
        run_in_editor(page, "CONSTRUCT WHERE { ?s ?p ?o }")
        page.wait_for_function("() => window.aigraphGraph")
        assert re.match(r"5 triples \(…\) · \d+ ms$", page.locator("#status").inner_text())
        run_in_editor(page, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1")
        page.wait_for_function(
            "() => /^1 triple ·/.test(document.querySelector('#status').textContent)"
        )


def test_chart_of_an_aggregate(page: object, server: str) -> None:
    page.goto(server + "query")
    run_in_editor(
        page,
        "PREFIX aig: <https://w3id.org/aigraph/ns#>\n"
        "SELECT ?session (COUNT(?p) AS ?people) WHERE { ?session aig:participation ?p }\n"
        "GROUP BY ?session ORDER BY ?session",
    )
    page.locator("#results-table").wait_for()
    page.get_by_role("tab", name="Diagramme").click()
    page.locator("#chart-view canvas").wait_for()
    assert page.locator("#chart-view").is_visible()


def test_search_with_type_ahead_is_accent_insensitive(page: object, server: str) -> None:
    page.goto(server)
    page.locator("#site-search").fill("beatr")
    option = page.locator("#site-search-list li").first
    option.wait_for()
    assert "Béatrice Bauwens" in option.inner_text()
    shot(page, "search")
    page.locator("#site-search").press("ArrowDown")
    page.locator("#site-search").press("Enter")
    page.wait_for_url("**/id/person/beatrice-bauwens")


def test_language_switch(page: object, server: str) -> None:
    page.goto(server)
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("a[data-lang-switch='en']").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="SPARQL editor").count() >= 1
    assert "Round table" in page.locator("#session-1").inner_text()


def test_the_language_switch_keeps_the_query_run_in_the_editor(page: object, server: str) -> None:
    """The editor writes the query it runs into its URL after the page has loaded: the
    switch keeps it (the page's script rewrites the link at the click), and the page in
    English runs it again."""
    query = 'SELECT ?name WHERE { ?p <http://schema.org/name> ?name FILTER (?name = "Feral") }'
    page.goto(server + "query")
    assert page.locator("html").get_attribute("lang") == "fr"
    run_in_editor(page, query)
    page.locator("#results-table").wait_for()
    page.locator("a[data-lang-switch='en']").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert page.evaluate("aigraphEditor.state.doc.toString()") == query
    page.locator("#results-table").wait_for()
    assert "Feral" in page.locator("#results-table").inner_text()


def test_network_view_opens_a_page_on_click(page: object, server: str) -> None:
    page.goto(server + "network")
    page.wait_for_function("() => window.aigraphNetwork && aigraphNetwork.nodes().length > 0")
    kinds = page.evaluate("[...new Set(aigraphNetwork.nodes().map(n => n.data('kind')))].sort()")
    assert kinds == ["organisation", "person", "session", "topic"]
    assert page.evaluate("aigraphNetwork.nodes('[kind = \"person\"]').length") == 27
    shot(page, "network")
    # a statement, not the element emit() returns: Playwright would serialise the graph
    # behind it, which took 12-15 s
    page.evaluate(
        "() => { aigraphNetwork.getElementById("
        "'https://w3id.org/aigraph/id/person/jean-michel-jarre').emit('tap'); }"
    )
    page.wait_for_url("**/id/person/jean-michel-jarre")


@pytest.mark.parametrize(
    ("lang", "topic", "session", "legend"),
    [
        (
            "en",
            "value sharing",
            "Round table: sharing the value of AI, and its regulation",
            ["person", "session", "organisation", "topic"],
        ),
        (
            "fr",
            "partage de la valeur",
            "Table ronde : partage de la valeur et régulation de l'IA",
            ["personne", "session", "organisation", "thème"],
        ),
    ],
)
def test_network_labels_follow_the_page_language(
    page: object, server: str, lang: str, topic: str, session: str, legend: list[str]
) -> None:
    """The graph's labels and its legend are in the page's language (here chosen by
    `?lang`, against the browser's French), as the rest of the page is."""
    page.goto(server + f"network?lang={lang}")
    page.wait_for_function("() => window.aigraphNetwork && aigraphNetwork.nodes().length > 0")
    label = "iri => aigraphNetwork.getElementById(iri).data('label')"
    assert page.evaluate(label, "https://w3id.org/aigraph/concept/topic/value-sharing") == topic
    assert page.evaluate(label, "https://w3id.org/aigraph/id/session/2025-10-07-s01") == session
    assert page.locator(".legend span").all_inner_texts() == legend


def test_reading_without_javascript(browser: object, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server)
    assert page.locator("section.session").count() == 10
    query = "SELECT ?n WHERE { ?p <http://schema.org/name> ?n } ORDER BY ?n LIMIT 3"
    page.goto(server + "query?query=" + quote(query))
    assert page.locator("#results tbody tr").count() == 3
    page.goto(server + "search?q=jarre")
    assert "Jean-Michel Jarre" in page.locator("#search-results").inner_text()
    context.close()


def test_keyboard_first_stop_is_the_skip_link(page: object, server: str) -> None:
    page.goto(server)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for label in ("site-search",):
        assert page.locator(f"label[for='{label}']").count() == 1


def test_an_injected_inline_script_does_not_run(page: object, server: str) -> None:
    """The pages' Content-Security-Policy: had a label in served data slipped past escaping
    as a <script>, the browser would refuse to run it (and say so)."""
    page.goto(server + "id/person/jean-michel-jarre")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = 1'; document.body.append(s); }"""
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.injected") is None
    assert len(page.refused) == 1 and "script-src 'self'" in page.refused[0]
    page.refused.clear()  # the fixture checks that nothing else was refused


def test_api_page_loads_nothing_from_elsewhere(page: object, server: str) -> None:
    page.goto(server + "api")
    page.locator(".opblock-summary-path", has_text="/reconcile").first.wait_for()
    assert page.locator(".opblock").count() >= 20  # the page's fixture checks every request


def test_who_moderated_jarres_round_table_and_what_the_release_says(
    page: object, server: str
) -> None:
    """The README's question, answered by clicking only: the session where Jean-Michel Jarre
    spoke, its moderator, and the release's own sentence."""
    page.goto(server)
    session = page.locator(
        "section.session", has=page.get_by_role("link", name="Jean-Michel Jarre")
    )
    assert session.count() == 1
    moderator = session.locator("li", has_text="modérateur·rice").get_by_role("link").first
    assert moderator.inner_text() == "Pauline Augrain"
    moderator.click()
    page.wait_for_url("**/id/person/pauline-augrain")
    quote = page.locator("blockquote", has_text="modérée par Pauline Augrain").first
    quote.get_by_role("link", name="voir dans le communiqué").click()
    highlighted = "".join(page.locator("mark.highlight").all_inner_texts())
    assert (
        highlighted
        == "La discussion a été modérée par Pauline Augrain, directrice du numérique du CNC."
    )
    shot(page, "moderator-sentence")


def test_prefixes_are_pre_declared_and_a_csv_download_parses(page: object, server: str) -> None:
    import csv
    import io

    page.goto(server + "query")
    page.wait_for_function("() => document.querySelectorAll('button.example').length > 0")
    run_in_editor(
        page, "SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name LIMIT 5"
    )
    page.locator("#results-table tbody tr").first.wait_for()
    text = page.evaluate("aigraphEditor.state.doc.toString()")
    assert text.startswith("PREFIX schema: <http://schema.org/>")
    with page.expect_download() as download:
        page.locator(".downloads a", has_text=re.compile("^CSV$")).click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8")))
    )
    assert [r["name"] for r in rows] == [
        page.locator("#results-table tbody tr").nth(i).locator("td").first.inner_text()
        for i in range(5)
    ]


def test_a_catalogue_querys_page_shows_its_text_as_written(page: object, server: str) -> None:
    """The query's description in the data (/id/query/person) shows its text with its line
    breaks, as the editor would (innerText follows the CSS: collapsed lines would read as
    one), and links to the page that runs it."""
    page.goto(server + "id/query/person")
    text = page.locator("table.facts td span", has_text="SELECT ?person").inner_text()
    assert "\nWHERE {\n  ?person schema:name ?name .\n" in text
    page.locator('a[href="/queries/person"]').click()
    page.wait_for_url("**/queries/person")
    # run with its default parameter: the person the catalogue names by default
    assert "Perrine Vincent" in page.locator("table tbody").inner_text()


AXE = DIST.parent / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 A and AA, and axe's best practices
AXE_RULES = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}"

# (page, what to do before the check: the views scripts build after loading)
ACCESSIBLE = [
    ("", None),
    ("?lang=en", None),
    ("id/person/jean-michel-jarre", None),
    ("id/organisation/afnor", None),
    ("id/session/2025-10-07-s01", None),
    ("concept/topic/artistic-experimentation", None),
    ("search?q=jarre", None),
    ("query", "SELECT ?p ?name WHERE { ?p <http://schema.org/name> ?name } LIMIT 5"),
    ("query", "CONSTRUCT WHERE { <https://w3id.org/aigraph/id/person/jean-michel-jarre> ?p ?o }"),
    ("network", None),
    ("queries", None),
    ("queries/person?format=html", None),
    ("queries/participants?format=html", None),  # a table wider than the page: its own scroll
    ("people", None),  # a path the server does not serve, asked for by a browser
    ("sparql?query=SELECT%20*%20%7B", None),  # an error, in English on a French page
    ("dumps/", None),
    ("shapes", None),
    ("-/links", None),
    ("id/release/cnc-ia-2025-11-04", None),  # the release, its passages marked
]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed: run `make ui`")
@pytest.mark.parametrize(("path", "query"), ACCESSIBLE)
def test_every_kind_of_page_passes_an_accessibility_check(
    browser: object, server: str, path: str, query: str | None
) -> None:
    """axe-core (Deque's engine, as browsers' accessibility audits run it) finds no WCAG 2.1
    A/AA violation, nor a best-practice one, on each kind of page, the editor's table and
    graph answers included. The check is injected into the page, which the pages'
    Content-Security-Policy would refuse: this context alone lets it."""
    context = browser.new_context(bypass_csp=True, locale="fr-FR")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server + path)
    if query is not None:
        run_in_editor(page, query)
        page.locator("#results-table").wait_for(state="attached")  # (a graph's is a tab)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(f"axe.run(document, {AXE_RULES})")
    context.close()
    assert found["passes"], "the check ran no rule"
    violations = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in found["violations"]
    ]
    assert violations == [], violations
