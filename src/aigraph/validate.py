"""Validate the dataset: SHACL shapes (pySHACL) plus the source-text checks (aigraph.checks),
reported in one form a person can read and a machine can parse.

Exit codes of ``aigraph validate`` (aigraph.cli): 0 conforms (warnings allowed), 1 at least one
violation, 2 validation could not run (unreadable or unparsable input).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.query import Processor, Result
from rdflib.term import Identifier, Node

from aigraph.checks import CHECKS, run_checks
from aigraph.dataset import derive, load_source_dataset, parse_into
from aigraph.namespaces import (
    CANONICAL_BASE,
    ONTOLOGY_IRI,
    PREFIXES,
    SCHEMA,
    SH,
    SKOS,
    data_prefixes,
    graph_iri,
)
from aigraph.project import Project
from aigraph.source import load_source_text

if TYPE_CHECKING:  # rdflib's SPARQL parser (pyparsing) costs 40 ms to import: the server
    # reads the shapes through this module and never runs a SPARQL constraint
    from rdflib.plugins.sparql.sparql import Query

SHAPES = "https://w3id.org/aigraph/shapes#"
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class Finding:
    """One validation result, shape or check alike."""

    severity: str
    focus: str
    focus_label: str
    rule: str
    message: str
    path: str | None = None
    value: str | None = None
    component: str | None = None
    #: the constraint that failed, as the shape states it ("sh:datatype xsd:integer"): a
    #: shape with several (a datatype and a minimum) fails once for each, and the text
    #: report said the same lines twice
    constraint: str | None = None


@dataclass
class Report:
    """The outcome of one validation run."""

    findings: list[Finding] = field(default_factory=list)
    triples: int = 0
    graphs: int = 0
    claims: int = 0

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def short_forms(base: str = CANONICAL_BASE) -> dict[str, str]:
    """The prefixes `compact` writes and `expand` reads: the data's, the vocabularies', and
    the shapes' and checks' namespaces."""
    return {**data_prefixes(base), **PREFIXES, "shape": SHAPES, "check": CHECKS}


def compact(iri: str, base: str = CANONICAL_BASE) -> str:
    """A short form of an IRI with the project's prefixes (``person:jean-michel-jarre``)."""
    prefixes = short_forms(base)
    best = max(
        ((p, ns) for p, ns in prefixes.items() if iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None:
        return f"<{iri}>"
    return f"{best[0]}:{iri[len(best[1]) :]}"


def expand(name: str, base: str = CANONICAL_BASE) -> str | None:
    """The IRI a short form of `compact` stands for (``person:jean-michel-jarre``, or
    ``<…>``), or None if `name` is neither: what a reader copies from a table back into a
    command."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, local = name.partition(":")
    prefixes = short_forms(base)
    if not sep or prefix not in prefixes or local.startswith("//"):
        return None
    return prefixes[prefix] + local


def label_of(graph: Graph, node: Node) -> str:
    """A human label for a node: its name or French label, else its short IRI."""
    for predicate in (SCHEMA.name, SKOS.prefLabel, RDFS.label):
        values = list(graph.objects(node, predicate))
        if values:
            french = [v for v in values if isinstance(v, Literal) and v.language == "fr"]
            return str((french or values)[0])
    return compact(str(node)) if isinstance(node, URIRef) else str(node)


def load_shapes(project: Project) -> Graph:
    shapes = Graph()
    for path in project.shape_files():
        shapes.parse(path, format="turtle")
    return shapes


class PreparedQueryGraph(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL runs a SPARQL-based constraint once per focus node, with the same text each time
    and ``$this`` passed in ``initBindings`` (SHACL §5.3.1, pre-binding); rdflib parses the
    text again on every call, with pyparsing, ~24 ms for our constraints. Eleven links and
    three other SPARQL constraints made that 2.9 s of a 3.4 s validation (cProfile). A parsed
    query is immutable, so the parse is kept per text; ``initBindings`` still apply per call.
    """

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Query] = {}

    def query(
        self,
        query_object: str | Query,
        processor: str | Processor = "sparql",
        result: str | type[Result] = "sparql",
        initNs: Mapping[str, object] | None = None,  # noqa: N803 (rdflib's names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: object,
    ) -> Result:
        # Only the plain case (the graph's prefixes, no base) is kept; a caller that passes
        # its own namespaces or base gets rdflib's own parse.
        if isinstance(query_object, str) and initNs is None and kwargs.get("base") is None:
            prepared = self._prepared.get(query_object)
            if prepared is None:
                from rdflib.plugins.sparql import prepareQuery

                prepared = prepareQuery(query_object, initNs=dict(self.namespaces()))
                self._prepared[query_object] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _union(ds: Dataset) -> Graph:
    union = PreparedQueryGraph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _term(node: Node | None, data: Graph) -> str | None:
    if node is None or isinstance(node, BNode):
        return None
    if isinstance(node, URIRef):
        return compact(str(node))
    return str(node)


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path in SPARQL-like short form (``aig:role``, ``^aig:agent``,
    ``org:role|aig:statedActivity``), for reports and the model diagram."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return compact(str(path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{compact(str(inverse))}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(compact(str(i)) for i in graph.items(alternatives))
    return None


def shacl_findings(data: Graph, shapes: Graph) -> tuple[list[Finding], Graph]:
    """Run pySHACL (SHACL Core + SPARQL constraints) and turn its results into Findings."""
    import pyshacl  # here: the server reads the shapes (aigraph.server.rules), never runs it

    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=False
    )
    findings = []
    report = results.value(predicate=RDF.type, object=SH.ValidationReport)
    # Only the report's own results: nested sh:detail results (from sh:node) repeat them.
    for result in results.objects(report, SH.result):
        focus = results.value(result, SH.focusNode)
        severity = str(results.value(result, SH.resultSeverity) or SH.Violation)
        # A SPARQL-based constraint is named by sh:sourceConstraint; its sh:sourceShape is
        # the node shape that carries it (SHACL §5.3.2).
        constraint = results.value(result, SH.sourceConstraint)
        shape = (
            constraint if isinstance(constraint, URIRef) else results.value(result, SH.sourceShape)
        )
        message = results.value(result, SH.resultMessage)
        findings.append(
            Finding(
                severity=severity.rsplit("#", 1)[-1],
                focus=str(focus),
                focus_label=label_of(data, focus),
                rule=compact(str(shape)) if isinstance(shape, URIRef) else "(anonymous shape)",
                message=str(message) if message else "Does not conform.",
                path=path_text(results, results.value(result, SH.resultPath)),
                value=_term(results.value(result, SH.value), data),
                component=compact(str(results.value(result, SH.sourceConstraintComponent))),
                constraint=constraint_text(
                    shapes, shape, results.value(result, SH.sourceConstraintComponent)
                ),
            )
        )
    return findings, results


def constraint_text(shapes: Graph, shape: object, component: object) -> str | None:
    """The constraint of `shape` that `component` checks, as the shape states it: a SHACL
    Core component's parameter is named after it (sh:DatatypeConstraintComponent checks
    sh:datatype, SHACL §4); None for a list-valued one (sh:in, sh:or …) or a SPARQL one."""
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    if not name or not isinstance(shape, URIRef | BNode) or str(component) == name:
        return None
    parameter = SH[name[:1].lower() + name[1:]]
    value = shapes.value(shape, parameter)
    if value is None or (value, RDF.first, None) in shapes:
        return None
    shown = compact(str(value)) if isinstance(value, URIRef) else str(value)
    return f"{compact(str(parameter))} {shown}"


def validate_dataset(ds: Dataset, project: Project | None = None) -> tuple[Report, Graph]:
    """Validate a dataset in the canonical base whose derived graph is already built.

    Returns the report and the SHACL results graph (with the check findings added as
    ``sh:ValidationResult`` nodes, so that ``--format turtle`` carries everything).
    """
    project = project or Project.default()
    source = load_source_text(project.source_text)
    data = _union(ds)
    findings, results = shacl_findings(data, load_shapes(project))
    for check in run_checks(ds, source):
        findings.append(
            Finding(
                severity=check.severity,
                focus=str(check.focus),
                focus_label=label_of(data, check.focus),
                rule=compact(check.rule),
                message=check.message,
                path=compact(str(check.path)) if check.path else None,
                value=check.value,
                component=None,
            )
        )
        node = BNode()
        results.add((node, RDF.type, SH.ValidationResult))
        results.add((node, SH.focusNode, check.focus))
        results.add((node, SH.resultSeverity, SH[check.severity]))
        results.add((node, SH.sourceShape, URIRef(check.rule)))
        results.add((node, SH.resultMessage, Literal(check.message)))
        if check.path:
            results.add((node, SH.resultPath, check.path))
        if check.value is not None:
            results.add((node, SH.value, Literal(check.value)))
    if any(f.severity == "Violation" for f in findings):
        report_node = results.value(predicate=RDF.type, object=SH.ValidationReport)
        if report_node is not None:
            results.set((report_node, SH.conforms, Literal(False)))
    findings.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.rule, f.focus))
    prefix = CANONICAL_BASE + "id/claim/"
    report = Report(
        findings=findings,
        triples=len(data),
        graphs=sum(1 for g in ds.graphs() if len(g)),
        claims=sum(1 for g in ds.graphs() if str(g.identifier).startswith(prefix) and len(g)),
    )
    return report, results


def validate_project(
    project: Project | None = None, data_files: Iterable[Path] | None = None
) -> tuple[Report, Graph]:
    """Validate the bundled data, or `data_files` in its place (with the project's ontology,
    vocabularies and source text). Raises DataLoadError or SourceTextError if input is bad."""
    project = project or Project.default()
    if data_files is None:
        ds = load_source_dataset(project)
    else:
        ds = load_source_dataset(_WithoutData(project.root))
        for path in data_files:
            parse_into(ds, path)
    derive(ds, project.rules_dir)
    return validate_dataset(ds, project)


class _WithoutData(Project):
    """The project with no data files: `aigraph validate FILE…` validates those instead."""

    def data_files(self) -> list[Path]:
        return []


# --- Rendering ----------------------------------------------------------------------------


def render_text(report: Report, *, verbose: bool = False, limit: int = 8) -> str:
    """The report for a person: violations one by one, warnings grouped by rule."""
    lines = [
        f"aigraph validate: {report.triples:,} triples in {report.graphs} named graphs, "
        f"{report.claims} claims",
        ("Conforms" if report.conforms else "Does NOT conform")
        + f": {len(report.violations)} violation(s), {len(report.warnings)} warning(s).",
    ]
    if report.violations:
        lines += ["", "Violations"]
        for f in report.violations:
            lines.append(f"  ✗ {f.focus_label}  ({compact(f.focus)})")
            lines.append(f"      rule:  {f.message}")
            if f.path:
                lines.append(f"      path:  {f.path}")
            if f.value is not None:
                lines.append(f"      value: {f.value}")
            lines.append(f"      shape: {f.rule}" + (f" ({f.constraint})" if f.constraint else ""))
    if report.warnings:
        lines += ["", "Warnings (the data is poorer, not wrong)"]
        grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in report.warnings:
            grouped[(f.rule, f.message)].append(f)
        for (rule, message), items in sorted(grouped.items()):
            names = [f.focus_label for f in items]
            shown = names if verbose else names[:limit]
            more = "" if len(shown) == len(names) else f", … and {len(names) - len(shown)} more"
            lines.append(f"  ! {len(items)} × {message}  [{rule}]")
            lines.append(f"      {', '.join(shown)}{more}")
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "conforms": report.conforms,
        "violations": len(report.violations),
        "warnings": len(report.warnings),
        "triples": report.triples,
        "graphs": report.graphs,
        "claims": report.claims,
        "results": [asdict(f) for f in report.findings],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render_turtle(results: Graph) -> str:
    results.bind("sh", str(SH))
    results.bind("shape", SHAPES)
    results.bind("check", CHECKS)
    return results.serialize(format="turtle")


__all__ = [
    "ONTOLOGY_IRI",
    "Finding",
    "Report",
    "graph_iri",
    "render_json",
    "render_text",
    "render_turtle",
    "validate_dataset",
    "validate_project",
]
