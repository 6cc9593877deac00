"""Generated parts of the documentation (docs/, README.md): each between
``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->`` markers, rewritten by
``aigraph docs`` and checked by tests/test_docs.py, so that the documentation cannot drift
from the code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aigraph.project import Project


def settings_table() -> str:
    """The server settings, one row each: environment variable, default, meaning."""
    from aigraph.server.settings import Settings

    lines = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = (
            "unset" if default is None else f"`{default}`" if default not in ([], {}) else "none"
        )
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | `AIGRAPH_{name.upper()}` | {shown} | {description} |")
    return "\n".join(lines) + "\n"


def model_diagram(project: Project) -> str:
    from aigraph.diagram import load_shapes, mermaid

    return f"```mermaid\n{mermaid(load_shapes(project))}```\n"


def validation_report(project: Project) -> str:
    """What `aigraph validate` prints for the bundled data, as a reader of the README sees it."""
    from aigraph.validate import render_text, validate_project

    report, _results = validate_project(project)
    return f"```\n$ aigraph validate\n{render_text(report)}```\n"


def blocks(project: Project) -> dict[str, tuple[Path, Callable[[], str]]]:
    docs = project.root / "docs"
    return {
        "model-diagram": (docs / "model.md", lambda: model_diagram(project)),
        "settings": (docs / "serving.md", settings_table),
        "validation-report": (project.root / "README.md", lambda: validation_report(project)),
    }


def markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- generated:{name} (by `make docs`; do not edit) -->",
        f"<!-- /generated:{name} -->",
    )


def current(text: str, name: str) -> str:
    start, end = markers(name)
    return text[text.index(start) + len(start) : text.index(end)]


def update(project: Project) -> list[Path]:
    """Rewrite every generated block; return the files that changed."""
    changed = []
    for name, (path, make) in blocks(project).items():
        text = path.read_text(encoding="utf-8")
        start, end = markers(name)
        if start not in text or end not in text:
            raise ValueError(f"{path}: no markers for the generated block {name!r}")
        new = text.replace(start + current(text, name) + end, f"{start}\n{make()}{end}")
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
