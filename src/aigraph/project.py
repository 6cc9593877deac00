"""Where the project's files are: ontology, shapes, rules, data, source text and queries.

The package is used from a checkout (``pip install -e .``), so the files are found next to
``src/``. ``AIGRAPH_ROOT`` points elsewhere (a copy of the repository's data folders).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SOURCE_TEXT_NAME = "cnc-ia-release-2025-11-04.txt"


@dataclass(frozen=True)
class Project:
    """The folders of one aigraph project tree."""

    root: Path

    @classmethod
    def default(cls) -> Project:
        """The checkout this package runs from, or ``$AIGRAPH_ROOT``."""
        env = os.environ.get("AIGRAPH_ROOT")
        if env:
            return cls(Path(env).resolve())
        return cls(Path(__file__).resolve().parents[2])

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def concepts_dir(self) -> Path:
        return self.ontology_dir / "concepts"

    @property
    def shapes_dir(self) -> Path:
        return self.ontology_dir / "shapes"

    @property
    def rules_dir(self) -> Path:
        return self.ontology_dir / "rules"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def source_text(self) -> Path:
        return self.data_dir / "source" / SOURCE_TEXT_NAME

    @property
    def dataset_metadata(self) -> Path:
        """What the editors say about the dataset (DCAT/VoID), completed by the build."""
        return self.data_dir / "dataset.ttl"

    @property
    def jsonld_context(self) -> Path:
        """The published, versioned JSON-LD context of the dumps."""
        return self.ontology_dir / "context" / "aigraph-0.1.jsonld"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def ontology_files(self) -> list[Path]:
        """The ontology proper: our terms plus the alignment axioms."""
        return sorted(self.ontology_dir.glob("*.ttl"))

    def concept_files(self) -> list[Path]:
        return sorted(self.concepts_dir.glob("*.ttl"))

    def shape_files(self) -> list[Path]:
        return sorted(self.shapes_dir.glob("*.ttl"))

    def data_files(self) -> list[Path]:
        """The hand-modelled data (TriG, every triple in a named graph)."""
        return sorted(self.data_dir.glob("*.trig"))
