"""Dereferenceable IRIs over real HTTP: HTML for people, RDF for machines, per-format URLs,
Link headers, evidence in the description, 404 in the negotiated format, escaping."""

from __future__ import annotations

import json
import re
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from aigraph import __version__
from aigraph.namespaces import AIG, OA, ORG, SCHEMA
from support import read_triples

JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"
DAY = "https://w3id.org/aigraph/id/event/journee-ia-2025-10-07"


@pytest.mark.parametrize(
    "accept,status,words",
    [
        (
            "text/csv",
            406,
            "none of the acceptable media types (text/csv) is available for this answer; "
            "available: text/turtle, application/ld+json",
        ),
        ("text/turtle;q=high", 400, "malformed Accept header"),
    ],
)
def test_what_an_entity_cannot_be_answered_in_is_said(
    server: str, accept: str, status: int, words: str
) -> None:
    response = httpx.get(server + "id/person/jean-michel-jarre", headers={"Accept": accept})
    assert response.status_code == status and words in response.text, response.text


@pytest.mark.parametrize(
    "accept,media,fmt",
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_entity_rdf_by_conneg(server: str, accept: str, media: str, fmt: str) -> None:
    response = httpx.get(server + "id/person/jean-michel-jarre", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    # JSON-LD keeps the claim graphs: read it as a dataset, merged
    graph = read_triples(response.content, fmt, quads=fmt == "json-ld")
    assert (URIRef(JARRE), SCHEMA.name, Literal("Jean-Michel Jarre")) in graph
    # the participation node around the person, with its role and session
    participation = URIRef(
        "https://w3id.org/aigraph/id/participation/2025-10-07-s03--jean-michel-jarre--panelist"
    )
    assert (
        participation,
        AIG.role,
        URIRef("https://w3id.org/aigraph/concept/role/panelist"),
    ) in graph
    # labels of what it mentions, in both languages
    role_labels = {
        str(o)
        for o in graph.objects(URIRef("https://w3id.org/aigraph/concept/role/panelist"))
        if isinstance(o, Literal) and o.language
    }
    assert {"panelist", "intervenant·e de table ronde"} <= role_labels
    # the evidence: the passages of the release the claims rest on
    quotes = {str(o) for o in graph.objects(None, OA.exact)}
    assert "Jean-Michel Jarre, auteur-compositeur" in quotes


@pytest.mark.parametrize("ext,fmt", [(".trig", "trig"), (".nq", "nquads")])
def test_quad_formats_keep_each_fact_in_its_claim(server: str, ext: str, fmt: str) -> None:
    response = httpx.get(server + f"id/person/jean-michel-jarre{ext}")
    ds = Dataset()
    ds.parse(data=response.content, format=fmt)
    claim = URIRef("https://w3id.org/aigraph/id/claim/s03-jean-michel-jarre")
    assert (URIRef(JARRE), SCHEMA.name, Literal("Jean-Michel Jarre")) in ds.graph(claim)


def turtle_blocks(text: str, indent: str = "") -> tuple[dict[str, str], list[str]]:
    """The prefixes Oxigraph's Turtle (or a TriG graph's body, lines after `indent`)
    declares, and the subject opening each of its blocks (a line at the margin)."""
    prefixes = dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.$", text, re.M))
    subjects = [
        line[len(indent) :].split()[0]
        for line in text.splitlines()
        if line.startswith(indent) and line[len(indent) : len(indent) + 1] not in ("\t", "@", "")
    ]
    return prefixes, subjects


def assert_readable_turtle(text: str, first: str) -> None:
    """Each subject's block once, `first`'s first, and every prefix declared used."""
    prefixes, subjects = turtle_blocks(text)
    assert len(subjects) == len(set(subjects)), sorted(s for s in subjects if subjects.count(s) > 1)
    name, _, local = subjects[0].partition(":")
    assert (prefixes[name] + local if name in prefixes else subjects[0].strip("<>")) == first
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@"))
    unused = [name for name in prefixes if f"{name}:" not in body]
    assert not unused, f"declared, never used: {unused}"


@pytest.mark.parametrize(
    "path",
    [
        "id/person/jean-michel-jarre",
        "id/organisation/cnc",
        "id/session/2025-10-07-s03",
        "concept/role/panelist",
        "id/claim/s03-jean-michel-jarre",
    ],
)
def test_a_description_reads_one_block_per_subject_and_graph(server: str, path: str) -> None:
    """Turtle and TriG written in the order a person reads them: the entity's own triples
    first, each subject once (once per graph in TriG), each graph once, and only the prefixes
    used; the same triples as the N-Quads description."""
    nquads = read_triples(httpx.get(server + path + ".nq").content, "nquads", quads=True)
    turtle = httpx.get(server + path + ".ttl").text
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), nquads)
    assert_readable_turtle(turtle, f"https://w3id.org/aigraph/{path}")

    trig = httpx.get(server + path + ".trig").text
    assert isomorphic(read_triples(trig.encode(), "trig", quads=True), nquads)
    graphs = [line[:-2] for line in trig.splitlines() if line.endswith(" {")]
    assert graphs and len(graphs) == len(set(graphs)), graphs
    for block in re.findall(r" \{\n(.*?)\n\}", trig, re.S):
        _, inner = turtle_blocks(block, "\t")
        assert len(inner) == len(set(inner)), inner


def test_the_ontology_and_constructed_graphs_read_one_block_per_subject(server: str) -> None:
    ontology = httpx.get(server + "ns.ttl").text
    assert_readable_turtle(ontology, "https://w3id.org/aigraph/ns")
    lines = Graph().parse(data=httpx.get(server + "ns.nt").content, format="nt")
    assert isomorphic(Graph().parse(data=ontology, format="turtle"), lines)
    query = "CONSTRUCT { ?p ?q ?o } WHERE { ?p a <http://schema.org/Person> ; ?q ?o }"
    answer = httpx.post(server + "sparql", data={"query": query}, headers={"Accept": "text/turtle"})
    _, subjects = turtle_blocks(answer.text)
    assert len(subjects) == len(set(subjects)) == 27, subjects  # the release's 27 people


@pytest.mark.parametrize(
    "ext,media",
    [
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".nt", "application/n-triples"),
        (".rdf", "application/rdf+xml"),
        (".html", "text/html"),
    ],
)
def test_per_format_urls_and_link_headers(server: str, ext: str, media: str) -> None:
    response = httpx.get(
        server + f"id/person/jean-michel-jarre{ext}", headers={"Accept": "image/png"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["content-location"] == f"/id/person/jean-michel-jarre{ext}"
    links = response.headers["link"]
    for other in (".ttl", ".jsonld", ".nt", ".rdf"):
        assert f'</id/person/jean-michel-jarre{other}>; rel="alternate"' in links


ID = "https://w3id.org/aigraph/id/"
CLAIM = ID + "claim/"


@pytest.mark.parametrize(
    ("path", "subject", "predicate", "obj", "claim"),
    [
        # a person: in which session each role was held (the session states it)
        (
            "id/person/perrine-vincent",
            "session/2025-10-07-s07",
            AIG.participation,
            "participation/2025-10-07-s07--perrine-vincent--moderator",
            "s07-perrine-vincent",
        ),
        # an organisation: who was there for it, with which title, in which session
        (
            "id/organisation/satellifacts",
            "membership/anastasia-svoboda--satellifacts",
            ORG.member,
            "person/anastasia-svoboda",
            "s01-anastasia-svoboda",
        ),
        (
            "id/organisation/satellifacts",
            "membership/anastasia-svoboda--satellifacts",
            ORG.role,
            "job-title/journaliste",
            "s01-anastasia-svoboda",
        ),
        (
            "id/organisation/satellifacts",
            "participation/2025-10-07-s01--anastasia-svoboda--moderator",
            AIG.statedAffiliation,
            "membership/anastasia-svoboda--satellifacts",
            "s01-anastasia-svoboda",
        ),
        (
            "id/organisation/satellifacts",
            "session/2025-10-07-s01",
            AIG.participation,
            "participation/2025-10-07-s01--anastasia-svoboda--moderator",
            "s01-anastasia-svoboda",
        ),
        # a session: the organisation and title each of its people was given for it
        (
            "id/session/2025-10-07-s06",
            "membership/perrine-vincent--cnc-service-accompagnement-professionnels",
            ORG.organization,
            "organisation/cnc-service-accompagnement-professionnels",
            "s06",
        ),
        (
            "id/session/2025-10-07-s06",
            "membership/perrine-vincent--cnc-service-accompagnement-professionnels",
            ORG.role,
            "job-title/cheffe-du-service-de-l-accompagnement-des-professionnels",
            "s06",
        ),
    ],
)
def test_a_description_says_who_for_whom_and_in_which_session(
    server: str, path: str, subject: str, predicate: URIRef, obj: str, claim: str
) -> None:
    """The release's "who spoke, for which organisation, with which title, in which session"
    is answered by one description, whichever of the person, the organisation or the session
    is asked for (issue #4: no second request), each fact in the claim that states it."""
    ds = Dataset()
    ds.parse(data=httpx.get(server + path + ".trig").content, format="trig")
    fact = (URIRef(ID + subject), predicate, URIRef(ID + obj))
    assert fact in ds.graph(URIRef(CLAIM + claim)), sorted(ds.graph(URIRef(CLAIM + claim)))


def test_html_page_for_people(server: str) -> None:
    response = httpx.get(
        server + "id/person/jean-michel-jarre",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language": "en"},
    )
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>Jean-Michel Jarre</h1>" in html
    assert "« Jean-Michel Jarre, auteur-compositeur »" in html  # the supporting quote
    assert "/id/text/cnc-ia-release-2025-11-04?highlight=2060-2097#passage" in html  # in context
    assert 'href="/id/session/2025-10-07-s03"' in html  # facts link to pages
    assert 'href="/id/person/jean-michel-jarre.ttl"' in html  # raw RDF one click away
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    assert data["@type"] == "Person" and data["name"] == "Jean-Michel Jarre"
    assert data["url"] == "https://jeanmicheljarre.com/"  # his official website, graph:links
    assert "https://jeanmicheljarre.com/" in html  # the fact is on the page too


@pytest.mark.parametrize(
    ("path", "lang", "cited"),
    [
        (
            "id/person/perrine-vincent",
            "en",
            "The aigraph developers (2026). Perrine Vincent. In aigraph: the CNC's 7 October "
            "2025 day on the responsible use of AI in the animation sector [dataset], version "
            f"{__version__}. https://w3id.org/aigraph/id/person/perrine-vincent",
        ),
        (
            "id/organisation/satellifacts",
            "fr",
            "The aigraph developers (2026). Satellifacts. Dans aigraph : la journée du CNC du "
            "7 octobre 2025 sur l'usage responsable de l'IA dans la filière de l'image animée "
            f"[jeu de données], version {__version__}. "
            "https://w3id.org/aigraph/id/organisation/satellifacts",
        ),
    ],
)
def test_an_entity_page_says_how_to_cite_its_record(
    server: str, path: str, lang: str, cited: str
) -> None:
    """A researcher citing one person's or organisation's record cites it as a part of the
    dataset, with the dataset's version and the IRI that resolves to the record, as the
    home page cites the dataset (aigraph.citation)."""
    page = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": lang}).text
    block = re.search(r'<p class="citation" id="citation">(.*?)</p>', page, re.S)
    assert block is not None
    assert html_unescape(re.sub(r"<[^>]+>", "", block.group(1))).endswith(cited)


def test_external_links_show_where_they_were_found(server: str) -> None:
    """An organisation's identifiers elsewhere come from graph:links, not from the release:
    the page reads each as its authority names it and says where it was found, with what
    confidence; the RDF description carries that evidence; the link nodes are not listed as
    mentions of the organisation."""
    cnc = "https://w3id.org/aigraph/id/organisation/cnc"
    record = (
        "https://github.com/ArchivesNationalesFR/Referentiels/blob/"
        "14b356025d9d02c0d379e41c4a681aaa45911fe1/agents/rdf/collectivites/FRAN_Agent_005418.rdf"
    )
    html = httpx.get(
        server + "id/organisation/cnc", headers={"Accept": "text/html", "Accept-Language": "en"}
    ).text
    cells = {
        html_unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(
            r"<div>(<a href=\"http[^\"]+\" rel=\"external\">.*?)</div>", html, re.S
        )
    }
    assert (
        "Wikidata Q1054221 (external link, not in the release; found in "
        "github.com/ArchivesNationalesFR/Referentiels, confidence 0.95)"
    ) in cells
    assert (
        "ISNI 0000000121586061 (external link, not in the release; found in "
        "github.com/ArchivesNationalesFR/Referentiels, confidence 0.95)" in cells
    )
    assert (
        "https://cnc.fr/ (external link, not in the release; found in cnc.fr, confidence 1)"
    ) in cells
    assert f'<a href="{record}" rel="external"' in html
    french = httpx.get(
        server + "id/organisation/cnc", headers={"Accept": "text/html", "Accept-Language": "fr"}
    ).text
    assert "Referentiels</a>, confiance 0,95)" in french  # as French writes it
    # the words that say where a value comes from stand apart from the value
    added = (
        '<span class="muted">(<a href="/id/graph/editorial">'
        "editorial addition, not in the release</a>)</span>"
    )
    assert f">public body</a> {added}" in html
    mentions = html[html.index("<h2>Mentioned by</h2>") :]
    # the release's publisher is the editors' word too, said where the release names the CNC
    publisher = mentions.split('<th scope="row">publisher</th>', 1)[1].split("</tr>", 1)[0]
    assert f"on the animation-sector AI day</a> {added}" in publisher
    assert "/id/link/" not in mentions
    turtle = Graph().parse(
        data=httpx.get(server + "id/organisation/cnc", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    link = URIRef("https://w3id.org/aigraph/id/link/cnc-wikidata")
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert (link, RDF.subject, URIRef(cnc)) in turtle
    assert (link, RDF.object, URIRef("http://www.wikidata.org/entity/Q1054221")) in turtle
    assert (link, prov, URIRef(record)) in turtle
    assert str(turtle.value(link, AIG.confidence)) == "0.95"


@pytest.mark.parametrize(
    ("path", "lang", "shown", "once"),
    [
        # the French title is stated in the claim and in the merge: one label, not two
        (
            "id/session/2025-10-07-s07",
            "en",
            '<p><span lang="fr">Table ronde : recherche-création et expérimentation artistique'
            '</span> <span class="muted">(fr)</span></p>',
            True,
        ),
        # schema:url reads as a word in either language
        ("id/organisation/cnc", "en", '<th scope="row">website</th>', True),
        ("id/organisation/cnc", "fr", '<th scope="row">site web</th>', True),
        # SKOS terms read as words too: a topic is a top concept of its scheme
        ("concept/topic/value-sharing", "en", '<th scope="row">top concept of</th>', True),
        (
            "concept/topic/value-sharing",
            "en",
            '<p><span lang="fr">partage de la valeur</span> <span class="muted">(fr)</span></p>',
            True,
        ),
        # a French page: the colon after "Thèmes" keeps its no-break space
        ("", "fr", "Thèmes\u00a0:</span>", False),
        ("", "en", "Topics:</span>", False),
        # the last sentence of a paragraph and the download links after it are apart
        ("network", "en", 'open its page. (<a href="/dumps/network.graphml">', True),
        ("-/links", "en", 'listed here. (<a href="?format=json">', True),
    ],
)
def test_page_wording(server: str, path: str, lang: str, shown: str, once: bool) -> None:
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": lang}).text
    assert shown in html
    if once:
        assert html.count(shown) == 1


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("en", "value sharing", "partage de la valeur"),
        ("fr", "partage de la valeur", "value sharing"),
    ],
)
def test_values_in_the_page_language_come_first(
    server: str, lang: str, first: str, second: str
) -> None:
    headers = {"Accept": "text/html", "Accept-Language": lang}
    html = httpx.get(server + "concept/topic/value-sharing", headers=headers).text
    facts = html[html.index("<table") :]
    assert facts.index(f">{first}</span>") < facts.index(f">{second}</span>")
    # the ontology's terms read as words too
    ontology = httpx.get(server + "ns", headers=headers).text
    assert ('<th scope="row">subclass of</th>' in ontology) is (lang == "en")
    assert ('<th scope="row">sous-classe de</th>' in ontology) is (lang == "fr")
    # another vocabulary's term with no label here reads as its prefixed name, linked whole
    assert '<a href="http://www.w3.org/ns/prov#Entity" rel="external">prov:Entity</a>' in ontology


@pytest.mark.parametrize(
    ("path", "lang", "name"),
    [
        (
            "id/person/perrine-vincent",
            "en",
            '<a href="/id/participation/2025-10-07-s07--perrine-vincent--moderator">Perrine '
            "Vincent, moderator — Round table: research-creation and artistic experimentation</a>",
        ),
        (
            "id/session/2025-10-07-s03",
            "fr",
            '<a href="/id/participation/2025-10-07-s03--jean-michel-jarre--panelist">Jean-Michel '
            "Jarre, intervenant·e de table ronde — Table ronde : les commissions du CNC face "
            "aux enjeux de l&#39;IA</a>",
        ),
        (
            "id/person/perrine-vincent",
            "en",
            '<h2 id="id/membership/perrine-vincent--cnc-service-accompagnement-professionnels">'
            '<a href="/id/membership/perrine-vincent--cnc-service-accompagnement-professionnels">'
            "Perrine Vincent — professional support department</a></h2>",
        ),
    ],
)
def test_participations_and_affiliations_are_named_on_pages(
    server: str, path: str, lang: str, name: str
) -> None:
    """They have no label; a page names them from their person, role and session (or
    organisation), and states nothing new: the JSON-LD and the RDF carry no such name."""
    headers = {"Accept": "text/html", "Accept-Language": lang}
    assert name in httpx.get(server + path, headers=headers).text
    participation = "id/participation/2025-10-07-s07--perrine-vincent--moderator"
    html = httpx.get(server + participation, headers=headers).text
    assert "<h1>Perrine Vincent, " in html
    assert '"name"' not in html[html.index("application/ld+json") :].split("</script>")[0]
    turtle = httpx.get(server + participation + ".ttl").text
    assert "Perrine Vincent, moderator" not in turtle and "moderator —" not in turtle


def section(html: str, node: str) -> str:
    """The table of a page's section on `node` (a participation or stated affiliation)."""
    head = f'<h2 id="{node}"><a href="/{node}">'
    assert head in html, f"no section on {node}"
    return html.split(head, 1)[1].split("</table>", 1)[0]


@pytest.mark.parametrize(
    ("path", "node", "shown", "not_shown"),
    [
        # a person's participation says in which session: the session states it
        (
            "id/person/perrine-vincent",
            "id/participation/2025-10-07-s07--perrine-vincent--moderator",
            [
                '<th scope="row">session</th>\n<td><div><a href="/id/session/2025-10-07-s07">'
                "Round table: research-creation and artistic experimentation</a>",
                '<th scope="row">role</th>',
            ],
            [],
        ),
        # on the session's own page, not again: the page is the session
        (
            "id/session/2025-10-07-s07",
            "id/participation/2025-10-07-s07--perrine-vincent--moderator",
            ['<th scope="row">role</th>'],
            ['<th scope="row">session</th>'],
        ),
        # an organisation's page: who was there for it, with which title, in which session
        (
            "id/organisation/satellifacts",
            "id/membership/anastasia-svoboda--satellifacts",
            [
                '<a href="/id/person/anastasia-svoboda">Anastasia Svoboda</a>',
                '<a href="/id/job-title/journaliste">journalist</a>',
            ],
            [],
        ),
        (
            "id/organisation/satellifacts",
            "id/participation/2025-10-07-s01--anastasia-svoboda--moderator",
            ['<a href="/id/session/2025-10-07-s01">', '<a href="/concept/role/moderator">'],
            [],
        ),
        # a session's page: each person's organisation and title for it
        (
            "id/session/2025-10-07-s06",
            "id/membership/perrine-vincent--cnc-service-accompagnement-professionnels",
            [
                '<a href="/id/job-title/cheffe-du-service-de-l-accompagnement-des-professionnels">'
                "head of the professional support department</a>"
            ],
            [],
        ),
    ],
)
def test_a_page_has_a_linked_section_for_each_node_around_it(
    server: str, path: str, node: str, shown: list[str], not_shown: list[str]
) -> None:
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    table = section(html, node)
    assert all(s in table for s in shown), table
    assert not any(s in table for s in not_shown), table


@pytest.mark.parametrize(
    ("path", "pointed"),
    [
        ("id/person/perrine-vincent", 4),  # her affiliation and three participations
        ("id/organisation/satellifacts", 1),  # its one affiliation
        ("id/session/2025-10-07-s01", 4),  # its four participations
    ],
)
def test_a_row_points_to_the_section_that_quotes_its_passages(
    server: str, path: str, pointed: int
) -> None:
    """A participation or an affiliation in the entity's own rows is not quoted there a
    second time: the row links to its section, and every such link finds its section."""
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    links = re.findall(r'<a class="muted" href="#([^"]+)" aria-label="([^"]+)">\(below\)</a>', html)
    assert len(links) == pointed
    # read out of its row (a screen reader's list of links), it says what it leads to
    assert all(html_unescape(label).endswith(" (below)") and len(label) > 10 for _, label in links)
    targets = [target for target, _ in links]
    for target in targets:
        assert f'<h2 id="{target}"><a href="/{target}">' in html
        row = html.split(f'href="#{target}"', 1)[1].split("</div>", 1)[0]
        assert "<blockquote" not in row


@pytest.mark.parametrize(
    ("path", "node", "passages"),
    [
        # one claim, one sentence
        ("id/organisation/cnc", "id/membership/pauline-augrain--cnc", ["2165-2245"]),
        # stated in three claims (s06, s07, s09): every fact rests on the three sentences
        (
            "id/person/perrine-vincent",
            "id/membership/perrine-vincent--cnc-service-accompagnement-professionnels",
            ["3415-3662", "4466-4579", "5779-5890"],
        ),
    ],
)
def test_a_section_quotes_its_passages_once(
    server: str, path: str, node: str, passages: list[str]
) -> None:
    """Every fact of a participation or an affiliation rests on the same sentences: they
    are quoted once under the section's heading, not under each of its four facts."""
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    head, _, rows = section(html, node).partition("<table")
    quoted = re.findall(r'<blockquote cite="[^"]*highlight=(\d+-\d+)#passage"[^>]*>', head)
    assert quoted == passages
    assert "<blockquote" not in rows and '<th scope="row">member</th>' in rows


@pytest.mark.parametrize(
    ("lang", "mark"),
    [("en", "derived from the claims by a rule"), ("fr", "déduit des assertions par une règle")],
)
def test_a_derived_shortcut_is_marked_as_such(server: str, lang: str, mark: str) -> None:
    """schema:performer and aig:moderator are derived by the build's rules (graph:derived),
    in no claim: shown with no passage of the release, a page says where they come from
    rather than let them read as statements with their evidence missing."""
    html = httpx.get(
        server + "id/person/perrine-vincent",
        headers={"Accept": "text/html", "Accept-Language": lang},
    ).text
    marked = f'<span class="muted">(<a href="/id/graph/derived">{mark}</a>)</span>'
    derived = 'href="/id/session/2025-10-07-s09">'
    row = html.split(derived, 1)[1].split("</div>", 1)[0]
    assert marked in row
    # three of them (a speaker's session, two a moderator's); a stated fact has none
    assert html.count(marked) == 3
    stated = section(html, "id/participation/2025-10-07-s09--perrine-vincent--moderator")
    assert mark not in stated and "<blockquote" in stated


def test_a_claim_page_shows_the_release_words_and_what_the_claim_states(server: str) -> None:
    """A claim is a named graph: its page quotes the passages it rests on (each once) and
    lists its statements with labels and links, not an empty table of facts."""
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    html = httpx.get(server + "id/claim/s03-jean-michel-jarre", headers=headers).text
    words = html[html.index("The release&#39;s words") : html.index("What this graph states")]
    assert words.count("<blockquote") == 2
    assert "« Jean-Michel Jarre, auteur-compositeur »" in words
    assert "« Autant de questions explorées lors de la table ronde qui a réuni »" in words
    states = html[html.index("What this graph states") :]
    states = states[: states.index("</table>")]
    row = (
        '<tr><td><a href="/id/participation/2025-10-07-s03--jean-michel-jarre--panelist">'
        "Jean-Michel Jarre, panelist — Round table: the CNC&#39;s committees and the stakes of "
        "AI</a></td><td>role</td>"
        '<td><a href="/concept/role/panelist">panelist</a></td></tr>'
    )
    assert row in states
    assert states.count("<tr>") == 10  # the claim's ten statements
    assert "<h2>Facts</h2>" not in html  # it has none of its own beyond its evidence


def test_a_large_graph_page_lists_its_first_statements(server: str) -> None:
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    html = httpx.get(server + "id/graph/provenance", headers=headers).text
    assert "The first 200 statements; all are in its raw data." in html
    states = html[html.index("What this graph states") :]
    assert states[: states.index("</table>")].count("<tr>") == 200
    assert "/store?graph=https%3A%2F%2Fw3id.org%2Faigraph%2Fid%2Fgraph%2Fprovenance" in html


def test_a_text_value_is_shown_with_the_passages_that_hold_its_words(server: str) -> None:
    """Perrine Vincent's name is quoted from the passages that hold it (those of the three
    sessions she took part in); her participation in session 6 from the sentence that names
    her only, and the session's description, which quotes both sentences of its paragraph,
    from both (claim:s06-description)."""
    headers = {"Accept": "text/html", "Accept-Language": "en"}
    html = httpx.get(server + "id/person/perrine-vincent", headers=headers).text
    facts, _, mentioned = html.partition("Mentioned by")
    name_row = facts[facts.index(">name<") :]
    assert name_row.count("<blockquote") == 3
    assert "« Perrine Vincent, cheffe du service de l&#39;accompagnement" in name_row
    assert "Ce nouvel appel vise" not in name_row
    # (quoted in its section, which the row in "Mentioned by" points to)
    presenter = section(html, "id/participation/2025-10-07-s06--perrine-vincent--presenter")
    assert presenter.count("<blockquote") == 1 and "Ce nouvel appel vise" not in presenter
    assert "Ce nouvel appel vise" not in mentioned  # nor in her title's or membership's
    session = httpx.get(server + "id/session/2025-10-07-s06", headers=headers).text
    description = session[session.index(">description<") :]
    description = description[: description.index("</tr>")]
    assert description.count("<blockquote") == 2 and "Ce nouvel appel vise" in description
    # in the release's order, here and on the claim's page
    assert description.index("« Perrine Vincent") < description.index("« Ce nouvel appel")
    claim = httpx.get(server + "id/claim/s06-description", headers=headers).text
    assert claim.index("« Perrine Vincent") < claim.index("« Ce nouvel appel")


@pytest.mark.parametrize(
    "path,label,inside",
    [
        # a fixed graph: what it holds, and its triples through the Graph Store Protocol
        (
            "id/graph/editorial",
            "editorial additions",
            (URIRef(DAY), None),  # its coined label for the day
        ),
        # a claim graph: the facts its passages support
        ("id/claim/s03-jean-michel-jarre", None, (URIRef(JARRE), URIRef(SCHEMA.name))),
    ],
)
def test_a_graph_name_resolves_with_a_link_to_its_contents(
    server: str, path: str, label: str | None, inside: tuple[URIRef, URIRef | None]
) -> None:
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    if label:
        assert f"<h1>{label}</h1>" in html
    links = re.findall(r'href="(/store\?graph=[^"]+format=turtle)"', html)
    assert len(links) == 1, "no link to the graph's contents"
    contents = httpx.get(server + links[0].replace("&amp;", "&")[1:])
    assert contents.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=contents.text, format="turtle")
    assert (inside[0], inside[1], None) in graph
    # the graph's own triples, not the dataset's: nothing about another session's people
    assert len(graph) < 200


def test_language_follows_accept_language_with_a_switch(server: str) -> None:
    french = httpx.get(
        server + "concept/role/moderator",
        headers={"Accept": "text/html", "Accept-Language": "fr-FR,fr;q=0.9"},
    )
    assert "<h1>modérateur·rice</h1>" in french.text and 'lang="fr"' in french.text
    english = httpx.get(
        server + "concept/role/moderator?lang=en",
        headers={"Accept": "text/html", "Accept-Language": "fr"},
    )
    assert "<h1>moderator</h1>" in english.text
    # a tag in any case (RFC 5646 §2.1.1): ?lang=EN was French before, from Accept-Language
    upper = httpx.get(
        server + "concept/role/moderator?lang=EN",
        headers={"Accept": "text/html", "Accept-Language": "fr"},
    )
    assert "<h1>moderator</h1>" in upper.text and '<html lang="en">' in upper.text


def test_source_text_with_the_passage_highlighted(server: str) -> None:
    response = httpx.get(
        server + "id/text/cnc-ia-release-2025-11-04?highlight=2060-2097",
        headers={"Accept": "text/html"},
    )
    # the highlighted range, possibly cut where other passages begin or end, is the quote
    pieces = re.findall(
        r'<mark class="[^"]*\bhighlight\b[^"]*"[^>]*>(?:<a [^>]*>)?([^<]*)', response.text
    )
    assert "".join(pieces) == "Jean-Michel Jarre, auteur-compositeur"
    assert 'id="passage"' in response.text  # the anchor the entity pages link to


def test_source_text_passages_show_the_facts_they_support(server: str) -> None:
    page = httpx.get(
        server + "id/text/cnc-ia-release-2025-11-04",
        params={"passage": "s03-jean-michel-jarre"},
        headers={"Accept": "text/html", "Accept-Language": "en"},
    ).text
    facts = page[page.index('id="facts"') : page.index("</section>")]
    assert '<a href="/id/person/jean-michel-jarre">Jean-Michel Jarre</a>' in facts
    assert "auteur-compositeur" in facts
    # every passage of the release is marked and opens its facts
    assert page.count('<mark class="passage') >= 61
    unknown = httpx.get(
        server + "id/text/cnc-ia-release-2025-11-04",
        params={"passage": "<script>"},
        headers={"Accept": "text/html"},
    ).text
    assert 'id="facts"' not in unknown and "<script>" not in unknown.split("<pre")[0]


@pytest.mark.parametrize(
    "accept,media",
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
    ],
)
def test_unknown_iri_is_404_in_the_negotiated_format(server: str, accept: str, media: str) -> None:
    response = httpx.get(server + "id/person/nobody", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].split(";")[0] == media


def test_a_mistyped_link_offers_the_search_that_finds_it(server: str) -> None:
    """A page not found names what the link meant, as words to search for: the search then
    finds the entity (a mistyped IRI, one with a trailing slash, a stale link)."""
    for path in ("id/person/jean-michel-jar", "id/person/jean-michel-jarre/"):
        page = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"})
        assert page.status_code == 404
        link = re.search(r'Search for: <a href="(/search\?q=[^"]+)">', page.text)
        assert link is not None, page.text
        found = httpx.get(server + link.group(1).lstrip("/") + "&format=json")
        assert found.json()["results"][0]["label"] == "Jean-Michel Jarre"


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("id/person/jean-michel-jarre", "text/html"),
        ("id/person/jean-michel-jarre", "text/turtle"),
        ("id/person/jean-michel-jarre.jsonld", "*/*"),
        ("concept/role/panelist", "text/turtle"),
        ("ns", "text/turtle"),
        ("queries/moderators", "text/csv"),
        ("queries/moderators.rq", "*/*"),
        ("queries", "application/json"),
        (".well-known/void", "text/turtle"),
        # the interface's pages and the data its scripts read
        ("", "text/html"),
        ("search?kind=person", "text/html"),
        ("search?q=jarre", "application/json"),
        ("network", "text/html"),
        ("ui/network.json", "*/*"),
        ("ui/labels?iri=https://w3id.org/aigraph/id/person/jean-michel-jarre", "*/*"),
        ("query?query=ASK%20%7B%7D", "text/html"),
        ("sitemap.xml", "*/*"),
    ],
)
def test_linked_data_answers_revalidate(server: str, path: str, accept: str) -> None:
    """As /sparql's GET answers: a validator and a minute of caching, then a 304 with no
    body for the client (or the cache in front) that has the answer, while the data is
    unchanged; another format is another answer."""
    headers = {"Accept": accept, "Accept-Language": "en"}
    first = httpx.get(server + path, headers=headers)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, max-age=60"
    again = httpx.get(
        server + path,
        headers={**headers, "If-None-Match": etag, "Origin": "http://elsewhere.example"},
    )
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert again.headers["access-control-allow-origin"] == "*"  # a page elsewhere reads it
    head = httpx.head(server + path, headers=headers)
    assert head.headers["etag"] == etag
    french = httpx.get(server + path, headers={**headers, "Accept-Language": "fr"})
    assert french.headers["etag"] != etag


def test_what_is_not_found_or_changes_has_no_validator(server: str) -> None:
    missing = httpx.get(server + "id/person/nobody", headers={"Accept": "text/turtle"})
    assert missing.status_code == 404 and "etag" not in missing.headers
    for live in ("-/health", "-/settings"):  # counts and state of the moment
        assert "etag" not in httpx.get(server + live).headers


@pytest.mark.parametrize(
    ("folder", "kind", "words"),
    [("id/person/", "person", "people"), ("concept/topic/", "topic", "topics")],
)
def test_a_folder_of_entities_points_to_their_list(
    server: str, folder: str, kind: str, words: str
) -> None:
    page = httpx.get(server + folder, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert page.status_code == 404
    assert f'Browse: <a href="/search?kind={kind}">{words}</a>' in page.text
    assert "Search for:" not in page.text  # not a search for the folder's name


@pytest.mark.parametrize(
    ("accept", "language", "media", "says"),
    [
        # a browser: a page in its language that leads back to the lists and the home page
        ("text/html,application/xhtml+xml,*/*;q=0.8", "en", "text/html", "Nothing is served at"),
        ("text/html,*/*;q=0.8", "fr", "text/html", "Rien n'est servi à l'adresse"),
        # curl, scripts, a client asking for text: the one line that says what is wrong
        ("*/*", "en", "text/plain", "Not Found: nothing is served at '/people'"),
        (None, "en", "text/plain", "Not Found: nothing is served at '/people'"),
        ("text/plain, text/html", "en", "text/plain", "Not Found: nothing is served at"),
        ("text/html;q=x", "en", "text/plain", "Not Found: nothing is served at"),  # malformed
    ],
)
def test_an_unknown_path_answers_a_browser_with_a_page(
    server: str, accept: str | None, language: str, media: str, says: str
) -> None:
    headers = {"Accept-Language": language, **({"Accept": accept} if accept else {})}
    response = httpx.get(server + "people", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].split(";")[0] == media
    assert says in html_unescape(response.text)
    vary = {v.strip() for v in response.headers["vary"].split(",")}
    assert {"Accept", "Accept-Language"} <= vary, vary  # either answer may be cached
    if media == "text/html":
        assert "<code>/people</code>" in response.text
        lists = re.findall(r'href="/search\?kind=(\w+)"', response.text)
        assert {"person", "organisation", "topic"} <= set(lists), lists


JARRE = "https://w3id.org/aigraph/id/person/jean-michel-jarre"


@pytest.mark.parametrize(
    ("path", "status", "media", "says"),
    [
        # format= on a plain link, as /sparql and /store take it (before: ignored, and the
        # answer was whatever Accept chose, Turtle for curl)
        ("id/person/jean-michel-jarre?format=jsonld", 200, "application/ld+json", ""),
        ("id/person/jean-michel-jarre?format=NT", 200, "application/n-triples", ""),
        ("id/person/jean-michel-jarre?format=html", 200, "text/html", ""),
        ("ns?format=ttl", 200, "text/turtle", ""),
        ("id/person/jean-michel-jarre.ttl?format=turtle", 200, "text/turtle", ""),
        # never a silent fallback: an unknown name, a results format, two formats at once
        ("id/person/jean-michel-jarre?format=png", 400, "text/plain", "unknown format 'png'"),
        ("id/person/jean-michel-jarre?format=csv", 406, "text/plain",
         "format 'csv' is not available for this answer"),
        ("id/person/jean-michel-jarre.ttl?format=nt", 400, "text/plain",
         "the extension (a text/turtle answer) and format=nt ask for two formats"),
        ("id/person/jean-michel-jarre?format=nt&format=jsonld", 400, "text/plain",
         "give the 'format' parameter at most once"),
    ],
)  # fmt: skip
def test_an_entity_is_given_in_the_format_a_link_names(
    server: str, path: str, status: int, media: str, says: str
) -> None:
    response = httpx.get(server + path)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert says in response.text
    if media == "application/ld+json":
        graph = Graph().parse(data=response.text, format="json-ld")
        assert (URIRef(JARRE), None, None) in graph
    if media == "application/n-triples":
        assert (URIRef(JARRE), None, None) in read_triples(response.content, "nt")


@pytest.mark.parametrize("page", ["-/links", "dumps/", "search?q=jarre"])
@pytest.mark.parametrize(
    ("fmt", "status", "media"),
    [
        ("json", 200, "application/json"),
        ("JSON", 200, "application/json"),
        ("html", 200, "text/html"),
        ("ttl", 406, "text/plain"),  # a format, not this page's
        ("png", 400, "text/plain"),  # no format at all
    ],
)
def test_a_page_for_people_and_programs_takes_only_its_formats(
    server: str, page: str, fmt: str, status: int, media: str
) -> None:
    """Before, an unknown `format` gave the page (or JSON, by Accept) as if none were given."""
    sep = "&" if "?" in page else "?"
    response = httpx.get(f"{server}{page}{sep}format={fmt}")
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == media
    if status != 200:
        assert f"format {fmt!r} is not available for this page; available: html, json" in (
            response.text
        )
    elif media == "application/json":
        assert isinstance(response.json(), dict)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("path", "language", "status", "heading", "says", "way"),
    [
        # a shared link to a query that does not parse: the parser's words, and the way to
        # mend it in the editor (a link with `query` alone leads to the editor at once: below)
        ("sparql?query=SELECT%20*%20%7B&timeout=5", "fr", 400, "Demande incorrecte",
         "The query does not parse: error at 1:11", "/query?query=SELECT+%2A+%7B"),
        ("sparql?query=ASK%7B%7D&timeout=abc", "en", 400, "Bad request",
         "timeout must be a number of seconds, got 'abc'", "/query?query=ASK%7B%7D"),
        ("sparql?query=INSERT%20DATA%7B%7D&timeout=5", "en", 400, "Bad request",
         "this is an update, not a query", "/query?query=INSERT+DATA%7B%7D"),
        ("queries/nope", "en", 404, "Not found", "no query named 'nope' in the catalogue",
         "/queries"),
        ("queries/participants?lang=fr&bogus=1", "fr", 400, "Demande incorrecte",
         "parameter 'bogus': unknown parameter", "/queries"),
        ("dumps/nope.ttl", "fr", 404, "Introuvable", "no file named 'nope.ttl' in /dumps/",
         "/dumps/"),
        ("sparql?query=ASK%7B%7D&format=png", "fr", 400, "Demande incorrecte",
         "format", "/query?query=ASK%7B%7D"),
    ],
)  # fmt: skip
def test_an_error_answers_a_browser_with_a_page_and_a_script_with_a_line(
    server: str, path: str, language: str, status: int, heading: str, says: str, way: str
) -> None:
    page = httpx.get(server + path, headers={"Accept": BROWSER, "Accept-Language": language})
    assert page.status_code == status
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<html lang="{language}">' in page.text
    assert f"<h1>{heading}</h1>" in page.text
    # the server's own words, marked as the English they are, on a page in the reader's
    message = re.search(r'<pre class="error" lang="en">(.*?)</pre>', page.text, re.S)
    assert message is not None and says in html_unescape(message.group(1))
    assert f'<a href="{way}">' in page.text.replace("&amp;", "&")
    # a script, curl, any client that does not ask for a page: the same words, as one line
    line = httpx.get(server + path)
    assert line.status_code == status
    assert line.headers["content-type"] == "text/plain; charset=utf-8"
    assert says in line.text and line.text.endswith("\n")
    assert html_unescape(message.group(1)) == line.text.removesuffix("\n")
    for answer in (page, line):  # a cache keeps either, for the client it suits
        vary = {v.strip() for v in answer.headers["vary"].split(",")}
        assert {"Accept", "Accept-Language"} <= vary, vary


@pytest.mark.parametrize(
    ("path", "see"),
    [
        ("queries/participant", "/queries/participants"),
        ("dumps/aigraph.turtle", "/dumps/aigraph.ttl"),
        ("queries/person?person=https://w3id.org/aigraph/id/person/jean-michel-jar",
         "/search?q=jean+michel+jar"),
        ("queries/nope", None),  # nothing near enough to name
    ],
)  # fmt: skip
def test_an_error_page_links_what_its_sentence_points_to(
    server: str, path: str, see: str | None
) -> None:
    page = httpx.get(server + path, headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert page.status_code == 404
    links = re.findall(r'<p>See: <a href="([^"]+)">', page.text)
    assert links == ([see] if see else [])
    if see:
        assert httpx.get(server + see.lstrip("/")).status_code == 200  # and it leads somewhere


@pytest.mark.parametrize(
    ("link", "says"),
    [
        # by the error page's link
        ("sparql?query=SELECT%20*%20%7B&timeout=5", "The query does not parse: error at 1:11"),
        # at once: a link with the query alone is sent to the editor (303)
        ("sparql?query=SELECT%20*%20%7B", "The query does not parse: error at 1:11"),
        ("sparql?query=INSERT%20DATA%7B%7D", "this is an update, not a query"),
    ],
)
def test_the_way_from_an_error_to_the_editor_carries_the_query(
    server: str, link: str, says: str
) -> None:
    page = httpx.get(server + link, headers={"Accept": BROWSER})
    if page.status_code == 303:
        editor = httpx.get(page.headers["location"], headers={"Accept": BROWSER})
    else:
        found = re.search(r'<a href="(/query\?[^"]+)">', page.text)
        assert found is not None
        editor = httpx.get(
            server + html_unescape(found.group(1)).lstrip("/"), headers={"Accept": BROWSER}
        )
    # the editor runs it as it opens, and says what is wrong beside the text to mend
    assert editor.status_code == 400
    text = parse_qs(urlsplit(link).query)["query"][0]
    assert f'<textarea id="query-text" name="query" rows="14" spellcheck="false">{text}' in (
        html_unescape(editor.text)
    )
    assert says in html_unescape(editor.text)


def test_what_an_error_page_echoes_is_escaped(server: str) -> None:
    page = httpx.get(server + "queries/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                     headers={"Accept": BROWSER})  # fmt: skip
    assert page.status_code == 404
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_post_gets_the_line_whatever_it_accepts(server: str) -> None:
    # a page is for an address a person opened; a POST is a program's (the editor's too)
    response = httpx.post(server + "sparql", data={"query": "SELECT * {"},
                          headers={"Accept": BROWSER})  # fmt: skip
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("The query does not parse: error at 1:11")


@pytest.mark.parametrize(
    ("status", "headers", "language", "heading", "retry"),
    [
        (503, {"Retry-After": "5"}, "fr", "Service indisponible", "Réessayez dans 5 s."),
        (429, {"Retry-After": "1"}, "en", "Too many requests", "Try again in 1 s."),
        (502, {}, "en", "Remote service error", None),
        (418, {}, "fr", "Erreur 418", None),  # a status the page has no word for
    ],
)
def test_an_error_page_says_when_to_try_again(
    status: int, headers: dict[str, str], language: str, heading: str, retry: str | None
) -> None:
    import asyncio

    from starlette.requests import Request

    from aigraph.server.app import protocol_error
    from aigraph.server.protocol import ProtocolError

    request = Request({
        "type": "http", "method": "GET", "path": "/sparql", "query_string": b"",
        "headers": [(b"accept", BROWSER.encode()), (b"accept-language", language.encode())],
    })  # fmt: skip
    response = asyncio.run(protocol_error(request, ProtocolError(status, "busy", dict(headers))))
    body = bytes(response.body).decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in body
    assert '<pre class="error" lang="en">busy</pre>' in body
    for name, value in headers.items():  # what the line says in headers, the page keeps
        assert response.headers[name] == value
    if retry:
        assert f"<p>{retry}</p>" in body
    else:
        assert "Retry" not in body and "Réessayez" not in body


@pytest.mark.parametrize(
    ("iri", "words"),
    [
        ("https://w3id.org/aigraph/id/person/jean-michel-jar", "jean michel jar"),
        ("https://w3id.org/aigraph/id/person/jean-michel-jarre/", "jean michel jarre"),
        ("https://w3id.org/aigraph/id/organisation/la-f%C3%A9mis", "la fémis"),
        ("https://w3id.org/aigraph/id/session/2025-10-07-s03", "2025 10 07 s03"),
        ("https://w3id.org/aigraph/id/x/2025-10-07", ""),  # no word to search for
    ],
)
def test_the_words_a_link_names(iri: str, words: str) -> None:
    from aigraph.search import search_words

    assert search_words(iri) == words


def test_traversal_and_odd_paths_are_404(server: str) -> None:
    for path in ("id/..%2F..%2Fetc%2Fpasswd", "id/person/<script>", "concept/%00"):
        response = httpx.get(server + path, headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert "<script>" not in response.text


def test_ontology_document(server: str) -> None:
    graph = Graph().parse(
        data=httpx.get(server + "ns", headers={"Accept": "text/turtle"}).content, format="turtle"
    )
    assert (AIG.Participation, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    html = httpx.get(server + "ns", headers={"Accept": "text/html"}).text
    assert "aig:Participation" in html


def test_every_term_of_the_ontology_page_reads_in_one_order(server: str) -> None:
    """Each term's rows (label, comment, domain…) come in the same order from term to term,
    not in the store's order, which differs between terms."""
    html = httpx.get(server + "ns", headers={"Accept": "text/html", "Accept-Language": "en"}).text
    tables = re.findall(r"<h2>[^<]*— aig:\w+</h2>\s*<table[^>]*>(.*?)</table>", html, re.S)
    assert len(tables) > 30
    seen: set[tuple[str, str]] = set()  # (a, b): row a came before row b in some term
    for table in tables:
        rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
        for i, first in enumerate(rows):
            for second in rows[i + 1 :]:
                assert (second, first) not in seen, (first, second, rows)
                seen.add((first, second))


BASE = "https://w3id.org/aigraph/"
# (not the server's services: a catalogue query names its endpoint, {BASE}sparql, and the
# page that runs it, {BASE}queries/…, which answer queries, not descriptions)
MINTED = f"""SELECT DISTINCT ?x WHERE {{
  {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} UNION {{ GRAPH ?x {{ ?a ?b ?c }} }}
  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}"))
  FILTER(?x != <{BASE}sparql> && !STRSTARTS(STR(?x), "{BASE}queries/"))
}}"""


def test_every_minted_iri_resolves_to_its_description(server: str) -> None:
    """Not a sample: every IRI under the base that the served graph uses (as subject, object
    or graph name), or that its DCAT/VoID description uses, answers in Turtle with triples
    about itself, and in HTML with a page that names it. Hash IRIs (ontology terms) resolve
    through their document (/ns)."""
    response = httpx.get(server + "sparql", params={"query": MINTED}, timeout=30)
    iris = {b["x"]["value"] for b in response.json()["results"]["bindings"]}
    assert len(iris) > 400  # 27 people, 66 claims, 62 spans, 124 selectors, 36 terms, …
    void = Graph().parse(data=httpx.get(server + ".well-known/void").text, format="turtle")
    minted_by_void = {
        str(t)
        for triple in void
        for t in triple
        if isinstance(t, URIRef) and t.startswith(BASE + "id/")
    }
    assert BASE + "id/dataset/aigraph" in minted_by_void
    iris = sorted(iris | minted_by_void)
    documents: dict[str, list[str]] = {}
    for iri in iris:
        documents.setdefault(iri.split("#")[0], []).append(iri)
    failures = []
    with httpx.Client(base_url=server, timeout=30) as client:
        for document, named in documents.items():
            path = "/" + document.removeprefix(BASE)
            turtle = client.get(path, headers={"Accept": "text/turtle"})
            if turtle.status_code != 200:
                failures.append(f"{path} (Turtle): {turtle.status_code}")
                continue
            graph = Graph().parse(data=turtle.text, format="turtle")
            failures += [
                f"{path} (Turtle): nothing about {iri}"
                for iri in named
                if (URIRef(iri), None, None) not in graph and (None, None, URIRef(iri)) not in graph
            ]
            html = client.get(path, headers={"Accept": "text/html"})
            if html.status_code != 200 or "text/html" not in html.headers["content-type"]:
                failures.append(f"{path} (HTML): {html.status_code}")
            elif document not in html.text:
                failures.append(f"{path} (HTML): the page does not name {document}")
    assert not failures, "\n".join(failures[:20])


def test_the_dataset_iri_is_its_description_and_its_home_page(server: str) -> None:
    dataset = URIRef(BASE + "id/dataset/aigraph")
    turtle = httpx.get(server + "id/dataset/aigraph", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == "/id/dataset/aigraph.ttl"
    graph = Graph().parse(data=turtle.text, format="turtle")
    void = Graph().parse(data=httpx.get(server + ".well-known/void").text, format="turtle")
    assert (dataset, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph
    assert isomorphic(graph, void)  # the same description as at /.well-known/void
    html = httpx.get(server + "id/dataset/aigraph", headers={"Accept": "text/html"})
    assert html.headers["content-location"] == "/" and 'id="programme"' in html.text
    card = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html.text, re.S).group(1)  # type: ignore[union-attr]
    )
    assert card["@type"] == "Dataset" and card["@id"] == str(dataset)
    assert card["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert card["isBasedOn"] == BASE + "id/release/cnc-ia-2025-11-04"
    assert card["temporalCoverage"] == "2025-10-07/2025-11-04"


@pytest.mark.parametrize("document", ["shapes", "checks"])
def test_every_rule_a_report_names_resolves(server: str, document: str) -> None:
    """The rules' IRIs (`sh:sourceShape`, a finding's rule) open at a row that says in words
    what the rule requires; the RDF is the rules themselves."""
    from aigraph.checks import CHECK_RULES
    from aigraph.project import Project
    from aigraph.validate import load_shapes

    turtle = httpx.get(server + document, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == f"/{document}.ttl"
    served = Graph().parse(data=turtle.text, format="turtle")
    namespace = f"https://w3id.org/aigraph/{document}#"
    rules = {str(s) for s in served.subjects() if str(s).startswith(namespace)}
    if document == "shapes":  # the shapes files themselves
        assert isomorphic(served, load_shapes(Project.default()))
        assert namespace + "Person-name" in rules and len(rules) > 80
    else:  # each check with what it requires
        assert {
            (str(rule), str(comment))
            for rule, comment in served.subject_objects(RDFS.comment)
            if str(rule).startswith(namespace)
        } == {(namespace + name, text) for name, text in CHECK_RULES.items()}
    html = httpx.get(server + document, headers={"Accept": "text/html"}).text
    for rule in rules:
        anchor = rule.removeprefix(namespace)
        row = re.search(f'<tr id="{re.escape(anchor)}">(.*?)</tr>', html, re.S)
        assert row, f"no row for {anchor}"
        message = served.value(URIRef(rule), SH.message) or served.value(URIRef(rule), RDFS.comment)
        if message is not None:
            assert str(message) in html_unescape(row.group(1))


def test_rdf_12_triple_terms_in_served_data(tmp_path: Path) -> None:
    """A user's data with an RDF 1.2 triple term (`aigraph serve --data`): the formats that
    carry it answer, JSON-LD (which cannot) is a 406 naming those that can — on the entity
    route and through the Graph Store, never a 500."""
    from aigraph.server.settings import Settings
    from support import running_server

    data = tmp_path / "reified.ttl"
    data.write_text(
        "<https://w3id.org/aigraph/id/claim/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies>"
        ' <<( <https://w3id.org/aigraph/id/person/x> <http://schema.org/name> "X" )>> .\n',
        encoding="utf-8",
    )
    named = tmp_path / "named.trig"  # the same in a named graph, and a triple beside it
    named.write_text(
        "<http://example.org/g> { <https://w3id.org/aigraph/id/claim/z>"
        " <http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies>"
        ' <<( <https://w3id.org/aigraph/id/person/x> <http://schema.org/name> "X" )>> .\n'
        "<https://w3id.org/aigraph/id/person/y> <http://schema.org/knows>"
        " <https://w3id.org/aigraph/id/claim/z> . }\n",
        encoding="utf-8",
    )
    with running_server(Settings(bundled=False, data=[data, named], workers=1)) as url:
        # the HTML pages show the triple term as Turtle 1.2 writes it (it was a 500 when in a
        # named graph) and the facts loaded without a graph (the page was empty)
        for page, shown in (
            ("id/claim/x", "&lt;&lt;( person:x schema:name &#34;X&#34; )&gt;&gt;"),
            ("id/claim/z", "&lt;&lt;( person:x schema:name &#34;X&#34; )&gt;&gt;"),
            ("id/claim/z", '<a href="/id/person/y">person:y</a>'),
            ("id/person/y", '<a href="/id/claim/z">claim:z</a>'),
        ):
            html = httpx.get(url + page, headers={"Accept": "text/html"})
            assert html.status_code == 200, (page, html.text)
            facts = html.text.split('<table class="facts">', 1)[1]
            assert shown in facts, (page, shown)
        term = '<<( <https://w3id.org/aigraph/id/person/x> <http://schema.org/name> "X" )>>'
        for nt, jsonld in (
            ("id/claim/x.nt", "id/claim/x.jsonld"),  # data loaded without a graph: described
            ("store?default&format=nt", "store?default&format=jsonld"),
        ):
            ntriples = httpx.get(url + nt)
            assert ntriples.status_code == 200 and term in ntriples.text
            refused = httpx.get(url + jsonld)
            assert refused.status_code == 406, refused.text
            assert "cannot carry this answer" in refused.text and "text/turtle" in refused.text


def test_a_description_past_max_results_is_cut_incoming_links_first() -> None:
    """A concept used by thousands of nodes (a role at 10^6 triples: 7,531 links, 3.7 MB of
    Turtle) is cut at `max_results` facts, the entity's own triples kept, the cut said in a
    header and on the page, with a link to a query giving every incoming link."""
    from aigraph.server.settings import Settings
    from support import running_server

    with running_server(Settings(max_results=5, workers=1)) as url:
        turtle = httpx.get(url + "concept/scheme/topics", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200
        assert turtle.headers["aigraph-results-truncated"] == "5"
        graph = Graph().parse(data=turtle.text, format="turtle")
        topics = URIRef("https://w3id.org/aigraph/concept/scheme/topics")
        incoming = set(graph.subject_predicates(topics))
        assert len(incoming) < 34  # 34 links to the scheme (17 topics): links were cut
        assert (topics, SKOS.prefLabel, None) in graph or (topics, RDFS.label, None) in graph
        html = httpx.get(url + "concept/scheme/topics", headers={"Accept": "text/html"})
        assert html.status_code == 200 and html.headers["aigraph-results-truncated"] == "5"
        note = re.search(r'<p class="muted" role="note"><a href="([^"]+)">([^<]+)</a>', html.text)
        assert note and "5" in note.group(2)
        query = parse_qs(urlsplit(html_unescape(note.group(1))).query)["query"][0]
    with running_server(Settings(workers=1)) as url:  # the default cap: not cut
        answer = httpx.get(url + "sparql", params={"query": query}, headers={"Accept": "text/csv"})
        assert answer.text.count("\n") - 1 >= 34  # the linked query gives every link
        whole = httpx.get(url + "concept/scheme/topics", headers={"Accept": "text/turtle"})
        assert "aigraph-results-truncated" not in whole.headers
        graph = Graph().parse(data=whole.text, format="turtle")
        assert len(set(graph.subject_predicates(topics))) == 34


def test_a_link_reads_the_same_whatever_order_its_evidence_comes_in() -> None:
    """A link node may have several types and sources (served data may say more than
    data/links.trig): the page shows the first source by value, whatever the quads' order."""
    from aigraph.server.entity_view import Page

    base = "https://w3id.org/aigraph/"
    org, node = base + "id/organisation/x", base + "id/link/x-wikidata"
    item, links = "http://www.wikidata.org/entity/Q42", ox.NamedNode(base + "id/graph/links")
    n = ox.NamedNode

    def quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(n(s), n(p), o, links)

    quads = [
        quad(org, str(SCHEMA.sameAs), n(item)),
        quad(node, str(RDF.type), n(str(AIG.Link))),
        quad(node, str(RDF.type), n(str(RDF.Statement))),
        quad(node, str(RDF.subject), n(org)),
        quad(node, str(RDF.predicate), n(str(SCHEMA.sameAs))),
        quad(node, str(RDF.object), n(item)),
        quad(node, "http://www.w3.org/ns/prov#wasDerivedFrom", n("https://b.example/record")),
        quad(node, "http://www.w3.org/ns/prov#wasDerivedFrom", n("https://a.example/record")),
        quad(node, str(AIG.confidence), ox.Literal("0.95", datatype=n(str(XSD.decimal)))),
    ]
    for order in (quads, list(reversed(quads))):
        page = Page(org, order, base, "en")
        (row,) = page.rows(org)
        (value,) = row["cells"]  # type: ignore[misc]
        assert value.text == "Wikidata Q42" and value.external == item
        assert value.link is not None
        assert value.link["source"] == "https://a.example/record"
        assert value.link["host"] == "a.example" and value.link["confidence"] == "0.95"
        assert page.rows(None, org) == []  # the link node is evidence, not a mention


@pytest.mark.parametrize(("lang", "mark"), [("en", "(quoted above)"), ("fr", "(cité plus haut)")])
def test_a_long_passage_is_quoted_whole_once_a_page(server: str, lang: str, mark: str) -> None:
    """Session 7's description supports its three topics, its day, its position and itself:
    the 357-character passage stood six times in its facts. It is quoted whole the first
    time, then shortened to its first and last words, marked, its whole text in the title;
    every fact still shows and links to the words it rests on, and a short passage quoted
    again (the kind's "Table ronde avec les interventions de") is left whole."""
    html = httpx.get(
        server + "id/session/2025-10-07-s07",
        headers={"Accept": "text/html", "Accept-Language": lang},
    ).text
    passage = "3861-4218"
    quotes = re.findall(
        rf'<blockquote cite="[^"]*highlight={passage}#passage"( title="[^"]*")?>« (.*?) »(.*?)'
        rf'<a class="muted" href="[^"]*highlight={passage}#passage">',
        html,
    )
    whole = "Cette discussion explore les passerelles entre recherche et création, et la manière"
    assert len(quotes) == 6
    first, *again = quotes
    assert first[0] == "" and html_unescape(first[1]).startswith(whole) and mark not in first[2]
    for title, text, after in again:
        assert html_unescape(text) == (
            "Cette discussion explore les passerelles entre … et l'évolution des pratiques."
        )
        assert html_unescape(title).startswith(f' title="{whole}')
        assert mark in after
    # the first is the first fact's: nothing is shortened before it is seen whole
    assert html.index(f'highlight={passage}#passage">« Cette') < html.index(mark)
    kind = html.count("« Table ronde avec les interventions de »")
    assert kind >= 2


@pytest.mark.parametrize(
    ("exact", "short"),
    [
        ("Jean-Michel Jarre, auteur-compositeur", "Jean-Michel Jarre, auteur-compositeur"),
        ("un deux trois quatre cinq six sept huit neuf dix onze douze", None),
        (
            "un deux trois quatre cinq six sept huit neuf dix onze douze treize",
            "un deux trois quatre cinq six … dix onze douze treize",
        ),
    ],
)
def test_a_passage_is_shortened_to_its_first_and_last_words(exact: str, short: str | None) -> None:
    from aigraph.server.entity_view import shortened

    assert shortened(exact) == (short or exact)


@pytest.mark.parametrize(
    ("path", "badge", "noted"),
    [
        ("concept/topic/research-creation", "skos:Concept", True),
        ("concept/scheme/topics", "skos:ConceptScheme", True),
        ("concept/role/moderator", "skos:Concept", True),
        # a job title is the release's words (its claims), not the editors' vocabulary
        ("id/job-title/directrice-du-numerique", "skos:Concept", False),
        ("id/person/lou-fauroux", "schema:Person", False),
    ],
)
def test_a_concept_of_the_editors_vocabularies_says_so(
    server: str, path: str, badge: str, noted: bool
) -> None:
    """A topic's labels and definition are the editors' (graph:vocabularies): its page says
    so and links to that graph, where every fact of it would otherwise stand unmarked; its
    type is shown as other pages show theirs."""
    html = httpx.get(server + path, headers={"Accept": "text/html", "Accept-Language": "en"}).text
    assert f'<span class="badge">{badge}</span>' in html
    note = (
        "From the aigraph editors&#39; vocabularies: the labels and definition are theirs, not "
        'the release&#39;s. (<a href="/id/graph/vocabularies">vocabularies</a>)'
    )
    assert (note in html) is noted
