"""The documentation cannot drift from the code: generated parts are current, and every
command, query and setting is documented."""

from __future__ import annotations

import re

import pytest

from aigraph.catalogue import CatalogueQuery
from aigraph.cli import make_parser
from aigraph.docgen import blocks, current
from aigraph.engine import Engine
from aigraph.project import Project
from aigraph.server.settings import Settings


@pytest.mark.parametrize("name", ["model-diagram", "settings", "validation-report"])
def test_generated_blocks_are_current(project: Project, name: str) -> None:
    path, make = blocks(project)[name]
    assert current(path.read_text(encoding="utf-8"), name) == "\n" + make(), "run `make docs`"


def test_the_diagram_shows_the_participation_pattern(project: Project) -> None:
    _path, make = blocks(project)["model-diagram"]
    assert 'aig_Participation --> "1..1" schema_Person : aig:agent' in make()


def test_every_setting_is_in_the_table(project: Project) -> None:
    text = (project.root / "docs" / "serving.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `{name}` | `AIGRAPH_{name.upper()}` |" in text, name


def test_readme_opens_with_the_two_commands(project: Project) -> None:
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("\n## ")]
    assert "make serve" in head and "make test" in head


def test_every_command_is_documented(project: Project) -> None:
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"aigraph {name}" in readme, name


def test_every_catalogue_query_is_listed(
    project: Project, catalogue: dict[str, CatalogueQuery]
) -> None:
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    for name in catalogue:
        assert f"| `{name}` |" in readme, name


_P = """PREFIX aig: <https://w3id.org/aigraph/ns#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <http://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def test_the_models_count_of_claims_is_the_datas(project: Project, engine: Engine) -> None:
    """docs/model.md's table of graphs says how many claim graphs there are."""
    text = (project.root / "docs" / "model.md").read_text(encoding="utf-8")
    found = re.search(r"\| `claim:\*` \((\d+)\) \|", text)
    assert found is not None
    row = next(iter(engine.select(_P + "SELECT (COUNT(*) AS ?n) { ?x a aig:Claim }")))
    assert int(found.group(1)) == int(row["n"].value)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("figure", "query"),
    [
        (r"\| (\d+) people,", "SELECT (COUNT(DISTINCT ?x) AS ?n) { ?x a schema:Person }"),
        (r", (\d+) participations \|", "SELECT (COUNT(*) AS ?n) { ?x a aig:Participation }"),
        (
            r"\| (\d+) topics \|",
            "SELECT (COUNT(*) AS ?n) { ?x skos:inScheme "
            "<https://w3id.org/aigraph/concept/scheme/topics> }",
        ),
        (r"\| (\d+) claims,", "SELECT (COUNT(*) AS ?n) { ?x a aig:Claim }"),
        (r", (\d+) passages \|", "SELECT (COUNT(*) AS ?n) { ?x a oa:SpecificResource }"),
        (r"\| (\d+) links to external data \|", "SELECT (COUNT(*) AS ?n) { ?x a aig:Link }"),
        (
            r"Archives nationales identifiers for (\d+) organisations",
            "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?o schema:sameAs ?id FILTER STRSTARTS(STR(?id), "
            '"https://rdf.archives-nationales.culture.gouv.fr/agent/") }',
        ),
    ],
)
def test_the_readme_figures_are_the_datas(
    project: Project, engine: Engine, figure: str, query: str
) -> None:
    """The README's table of what the graph holds says what the data holds."""
    readme = (project.root / "README.md").read_text(encoding="utf-8")
    found = re.search(figure, readme)
    assert found is not None, figure
    row = next(iter(engine.select(_P + query)))
    assert int(found.group(1)) == int(row["n"].value)  # type: ignore[union-attr]
