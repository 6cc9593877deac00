"""The documentation cannot drift from the code: generated parts are current, and every
command and query is documented."""

from __future__ import annotations

from aigraph.catalogue import CatalogueQuery
from aigraph.cli import make_parser
from aigraph.diagram import END, START, render_block
from aigraph.project import Project


def test_model_diagram_is_generated_from_the_current_shapes(project: Project) -> None:
    text = (project.root / "docs" / "model.md").read_text(encoding="utf-8")
    block = text[text.index(START) : text.index(END) + len(END)]
    assert block == render_block(project), "run `make docs`"
    assert 'aig_Participation --> "1..1" schema_Person : aig:agent' in block


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
