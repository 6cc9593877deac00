"""The shapes and checks: the bundled data conforms, and every rule is proven to fire.

Each file of tests/data/invalid/ breaks one rule (see its README); the table is the folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from aigraph.checks import CHECK_NAMES, CHECKS
from aigraph.dataset import derive, load_source_dataset, to_oxigraph
from aigraph.namespaces import PREFIXES, SH, data_prefixes
from aigraph.project import Project
from aigraph.validate import (
    SHAPES,
    Finding,
    PreparedQueryGraph,
    Report,
    _union,
    compact,
    load_shapes,
    render_json,
    render_text,
    validate_dataset,
)

INVALID = Path(__file__).parent / "data" / "invalid"
PREFIX_BLOCK = "".join(
    f"PREFIX {p}: <{ns}>\n"
    for p, ns in {**PREFIXES, **data_prefixes(), "shape": SHAPES, "check": CHECKS}.items()
)


@dataclass(frozen=True)
class BrokenCase:
    name: str
    rule: str
    focus: tuple[str, ...]
    message: str
    severity: str
    update: str


def read_case(path: Path) -> BrokenCase:
    header: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            header.setdefault(key.strip(), []).append(value.strip())
    return BrokenCase(
        name=path.stem,
        rule=header["rule"][0],
        focus=tuple(_short(f) for f in header.get("focus", ["*"])),
        message=header["message"][0],
        severity=header.get("severity", ["Violation"])[0],
        update=path.read_text(encoding="utf-8"),
    )


def _short(focus: str) -> str:
    """The focus as `compact` writes it (a fixture may spell an IRI out in full)."""
    return compact(focus[1:-1]) if focus.startswith("<") else focus


CASES = [read_case(p) for p in sorted(INVALID.glob("*.ru"))]


def apply_update(project: Project, update: str) -> Dataset:
    """The bundled source data with `update` applied, then derived as the build does."""
    store = to_oxigraph(load_source_dataset(project))
    store.update(PREFIX_BLOCK + update)
    ds = Dataset()
    ds.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    derive(ds, project.rules_dir)
    return ds


def keys(report: Report, severity: str) -> set[tuple[str, str]]:
    return {(f.rule, compact(f.focus)) for f in report.findings if f.severity == severity}


@pytest.fixture(scope="module")
def baseline(project: Project, dataset: Dataset) -> Report:
    report, _ = validate_dataset(dataset, project)
    return report


def test_bundled_data_conforms(baseline: Report) -> None:
    assert baseline.conforms, [f for f in baseline.violations]
    assert baseline.claims == 66


def test_bundled_data_warnings_are_only_the_missing_links(baseline: Report) -> None:
    """Until people and organisations are linked to authority files, that is the only gap."""
    rules = {f.rule for f in baseline.warnings}
    assert rules <= {"shape:Person-externalLink", "shape:Organisation-externalLink"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_dataset_fires_its_rule(
    project: Project, baseline: Report, case: BrokenCase
) -> None:
    report, results = validate_dataset(apply_update(project, case.update), project)
    new = keys(report, case.severity) - keys(baseline, case.severity)
    fired = {focus for rule, focus in new if rule == case.rule}
    assert fired, f"{case.rule} did not fire; new findings: {sorted(new)}"
    if case.focus != ("*",):
        assert fired == set(case.focus)
    assert {rule for rule, _ in new} == {case.rule}, f"other rules fired too: {sorted(new)}"
    messages = [f.message for f in report.findings if f.rule == case.rule]
    assert any(case.message in m for m in messages), messages
    if case.severity == "Violation":
        assert not report.conforms
        report_node = results.value(predicate=RDF.type, object=SH.ValidationReport)
        assert str(results.value(report_node, SH.conforms)).lower() == "false"


def test_every_rule_is_made_to_fail(project: Project, baseline: Report) -> None:
    """Every named shape with constraints, and every check, has a broken dataset (or, for
    the missing-link warnings, fires on the bundled data: see the test below)."""
    shapes = Graph()
    for path in project.shape_files():
        shapes.parse(path)
    constraint_keys = {
        SH.minCount,
        SH.maxCount,
        SH["class"],
        SH.datatype,
        SH.node,
        SH.pattern,
        SH["in"],
        SH.minLength,
        SH.languageIn,
        SH.uniqueLang,
        SH.qualifiedValueShape,
        SH.lessThan,
        SH.minInclusive,
        SH.hasValue,
        SH["or"],
        SH.nodeKind,
    }  # sh:sparql is named by its own sh:SPARQLConstraint node, counted below
    helpers = set(shapes.objects(None, SH.node))  # reached only through sh:node
    rules = set()
    for shape in set(shapes.subjects()):
        if not isinstance(shape, URIRef) or not shape.startswith(SHAPES) or shape in helpers:
            continue
        own = set(shapes.predicates(shape)) & constraint_keys
        if (shape, RDF.type, SH.SPARQLConstraint) in shapes or own:
            rules.add(compact(str(shape)))
    rules |= {compact(CHECKS + name) for name in CHECK_NAMES}
    covered = {case.rule for case in CASES} | {f.rule for f in baseline.warnings}
    assert sorted(rules - covered) == []


@pytest.mark.parametrize(
    "kind,entity",
    [
        # Jarre's official website (schema:url) is a link, not an authority identifier
        ("Person", "person:jean-michel-jarre"),
        ("Organisation", "organisation:afdas"),
    ],
)
def test_missing_link_warning_goes_away_with_a_link(
    project: Project, baseline: Report, kind: str, entity: str
) -> None:
    rule = f"shape:{kind}-externalLink"
    assert (rule, entity) in keys(baseline, "Warning")
    # A made-up Wikidata IRI, only to show the warning's condition; never in real data.
    update = (
        f"INSERT DATA {{ GRAPH graph:editorial {{ {entity} schema:sameAs "
        "<http://www.wikidata.org/entity/Q0> } }"
    )
    report, _ = validate_dataset(apply_update(project, update), project)
    assert (rule, entity) not in keys(report, "Warning")


def test_a_siren_number_is_an_authority_identifier(baseline: Report) -> None:
    """The SACD has a SIREN number (graph:links) and no other identifier: no warning."""
    warned = keys(baseline, "Warning")
    for entity in ("organisation:sacd", "organisation:afnor", "organisation:cnc"):
        assert ("shape:Organisation-externalLink", entity) not in warned
    # a website only
    assert ("shape:Organisation-externalLink", "organisation:audiens") in warned


def test_findings_name_the_node_and_the_rule_in_words(project: Project) -> None:
    case = next(c for c in CASES if c.name == "participation-role")
    report, _ = validate_dataset(apply_update(project, case.update), project)
    (finding,) = [f for f in report.violations]
    assert isinstance(finding, Finding)
    assert finding.focus.endswith("2025-10-07-s03--jean-michel-jarre--panelist")
    assert finding.path == "aig:role"
    assert finding.value == "topic:creativity"
    assert "role scheme" in finding.message


def test_each_failed_constraint_is_told_apart(project: Project) -> None:
    """A position "six" fails both constraints of shape:Session-position, its datatype and
    its minimum: two findings with one message, which the text report printed as the same
    five lines twice. Each now names the constraint it failed, as the shape states it."""
    update = """DELETE { GRAPH ?g { session:2025-10-07-s06 aig:programmePosition 6 } }
    INSERT { GRAPH ?g { session:2025-10-07-s06 aig:programmePosition "six" } }
    WHERE { GRAPH ?g { session:2025-10-07-s06 aig:programmePosition 6 } }"""
    report, _ = validate_dataset(apply_update(project, update), project)
    found = [f for f in report.violations if f.rule == "shape:Session-position"]
    assert sorted(f.constraint or "" for f in found) == [
        "sh:datatype xsd:integer",
        "sh:minInclusive 1",
    ]
    text = render_text(report)
    assert "shape: shape:Session-position (sh:datatype xsd:integer)" in text
    assert "shape: shape:Session-position (sh:minInclusive 1)" in text
    in_json = json.loads(render_json(report))["results"]
    assert sorted(r["constraint"] for r in in_json if r["rule"] == "shape:Session-position") == [
        "sh:datatype xsd:integer",
        "sh:minInclusive 1",
    ]


def test_a_sparql_constraint_is_parsed_once_and_bound_per_focus_node() -> None:
    """pySHACL passes the same text with `$this` in initBindings for every focus node;
    PreparedQueryGraph parses it once, and each call still answers for its own binding."""
    graph = PreparedQueryGraph()
    ex = "http://example.org/"
    for name in ("a", "b"):
        graph.add((URIRef(ex + name), RDF.type, URIRef(ex + name.upper())))
    text = "SELECT ?type WHERE { ?this a ?type }"
    answers = {
        name: [row[0] for row in graph.query(text, initBindings={"this": URIRef(ex + name)})]
        for name in ("a", "b")
    }
    assert answers == {"a": [URIRef(ex + "A")], "b": [URIRef(ex + "B")]}
    assert list(graph._prepared) == [text]
    # a caller's own namespaces are not served from the cache (they change the parse)
    ns = {"ex": ex}
    rows = graph.query("SELECT ?s WHERE { ?s a ex:A }", initNs=ns)
    assert [row[0] for row in rows] == [URIRef(ex + "a")]
    assert list(graph._prepared) == [text]


def test_prepared_queries_change_no_finding(project: Project, dataset: Dataset) -> None:
    """The SHACL results are the same graph whether rdflib parses each constraint once or
    once per focus node (the SPARQL constraints of links, sessions, participations, selectors)."""
    shapes = load_shapes(project)
    prepared = _union(dataset)
    plain = Graph()
    for triple in prepared:
        plain.add(triple)
    reports = [
        pyshacl.validate(g, shacl_graph=shapes, inference="none", allow_warnings=True)[1]
        for g in (plain, prepared)
    ]
    assert isomorphic(*reports)
    assert len(prepared._prepared) == 5  # the five SPARQL constraints of ontology/shapes
