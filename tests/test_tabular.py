"""The CSV tables' CSV on the Web metadata (aigraph.tabular), read by an independent CSVW
processor (the `csvw` package): the tables pass its validation (datatypes, required cells,
primary and foreign keys), a broken table fails it, and every statement the processor reads
from the tables (CSV2JSON's standard mode) is a statement of the graph."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from csvw import CSVW
from csvw.metadata import NAMESPACES
from rdflib import Dataset, Literal, URIRef

from aigraph.tabular import TABLES

SPDX = "http://spdx.org/rdf/terms#"


def read(metadata: Path) -> CSVW:
    return CSVW(str(metadata), validate=True)


def test_the_tables_pass_a_csvw_validator(built: Path) -> None:
    tables = read(built / "csv-metadata.json")
    assert tables.is_valid, [str(w.message) for w in tables.warnings]
    described = sorted(t.url.string for t in tables.tables)
    assert described == sorted(p.name for p in built.glob("*.csv"))
    # the metadata's columns are the header rows' (a processor checks the titles too)
    for table in TABLES:
        with open(built / table.name, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == [c.name for c in table.columns], table.name


def test_the_metadata_names_the_dataset_its_licence_and_the_data_file(built: Path) -> None:
    metadata = json.loads((built / "csv-metadata.json").read_text(encoding="utf-8"))
    dataset = "https://w3id.org/aigraph/id/dataset/aigraph"
    assert metadata["dc:source"] == {"@id": dataset}
    assert metadata["dc:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    citations = {c["@language"]: c["@value"] for c in metadata["dc:bibliographicCitation"]}
    assert citations["en"].endswith("[dataset], version 0.1.0. " + dataset)
    assert "[jeu de données]" in citations["fr"]
    derived = metadata["prov:wasDerivedFrom"]
    assert derived["@id"] == "aigraph.nq"
    served = (built / "aigraph.nq").read_bytes()
    assert derived[SPDX + "checksum"][SPDX + "checksumValue"] == hashlib.sha256(served).hexdigest()
    # every column is described in both languages
    for table in metadata["tables"]:
        for column in table["tableSchema"]["columns"]:
            if not column.get("virtual"):
                languages = {d["@language"] for d in column["dc:description"]}
                assert languages == {"en", "fr"}, (table["url"], column["name"])


def _replace(path: Path, row: int, column: str, value: str) -> None:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    rows[row][column] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def _duplicate_first_row(path: Path) -> None:
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([lines[0], lines[1], *lines[1:]]))


PERSON = "https://w3id.org/aigraph/id/person/"

# (what is broken, how) → the validator must refuse the tables
BROKEN = [
    ("a participation of a person people.csv lacks",
     lambda d: _replace(d / "participations.csv", 0, "person", PERSON + "nobody")),
    ("a participation in a session sessions.csv lacks",
     lambda d: _replace(d / "participations.csv", 0, "session", PERSON + "nobody")),
    ("a person twice", lambda d: _duplicate_first_row(d / "people.csv")),
    ("a position that is no integer",
     lambda d: _replace(d / "sessions.csv", 0, "position", "first")),
    ("a required name left empty", lambda d: _replace(d / "people.csv", 0, "name", "")),
    ("a row IRI that is no IRI", lambda d: _replace(d / "topics.csv", 0, "topic", "topic 1")),
    ("a confidence above 1", lambda d: _replace(d / "links.csv", 0, "confidence", "1.5")),
    ("a date that is no date", lambda d: _replace(d / "links.csv", 0, "found", "yesterday")),
]  # fmt: skip


@pytest.mark.parametrize(("broken", "damage"), BROKEN, ids=[b for b, _ in BROKEN])
def test_a_broken_table_fails_validation(
    built: Path, tmp_path: Path, broken: str, damage: object
) -> None:
    for path in built.iterdir():
        shutil.copy(path, tmp_path / path.name)
    assert read(tmp_path / "csv-metadata.json").is_valid  # the copy, whole
    damage(tmp_path)  # type: ignore[operator]
    try:
        tables = read(tmp_path / "csv-metadata.json")
        valid = tables.is_valid
    except ValueError:  # a broken reference: the processor refuses outright
        valid = False
    assert not valid, broken


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return NAMESPACES[prefix] + local if prefix in NAMESPACES and "//" not in name else name


def test_every_statement_a_processor_reads_is_in_the_graph(built: Path, dataset: Dataset) -> None:
    """CSV2JSON's standard mode (the `csvw` package) reads each row as an object: its IRI,
    its class, and a property for each column that has one. Each such statement, with the
    column's language where it has one, is in the graph; columns without a property (counts,
    English labels of roles, quotes) are not read as statements of the graph."""
    facts: dict[tuple[URIRef, URIRef], set[object]] = defaultdict(set)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        facts[(s, p)].add(o)  # type: ignore[index]
    # the languages of the columns read as each property (title_fr and title_en: rdfs:label)
    languages: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for t in TABLES:
        for c in t.columns:
            if c.prop:
                languages[(t.name, c.prop)].add(c.lang)
    statements = 0
    for table in read(built / "csv-metadata.json").to_json()["tables"]:
        name = table["url"].rsplit("/", 1)[1]
        for row in table["row"]:
            (thing,) = row["describes"]
            subject = thing.pop("@id", None)
            if name == "links.csv":  # no RDF reading: graph:links' claims stay apart
                assert subject is None and all(":" not in k for k in thing)
                continue
            assert subject is not None
            for key, values in thing.items():
                if ":" not in key and key != "@type":
                    continue  # a column read under its own name: not a property of the graph
                prop = URIRef(_expand("rdf:type" if key == "@type" else key))
                for value in values if isinstance(values, list) else [values]:
                    objects = facts[(URIRef(subject), prop)]
                    if prop == URIRef(NAMESPACES["rdf"] + "type") or (
                        isinstance(value, str) and value.startswith("https://w3id.org/")
                    ):
                        assert URIRef(_expand(value)) in objects, (subject, prop, value)
                    else:
                        matching = [
                            o for o in objects if isinstance(o, Literal) and str(o) == str(value)
                        ]
                        assert matching, (subject, prop, value)
                        # the column's language is the graph's literal's (None: any or none)
                        langs = languages[(name, str(prop))]
                        assert None in langs or any(o.language in langs for o in matching)
                    statements += 1
    assert statements > 200  # the tables do say things


def test_a_participation_row_gives_the_occupations_the_release_states(
    built: Path, dataset: Dataset
) -> None:
    """The occupation is how the release introduces a person with no organisation
    ("Alexandra Bensamoun, professeure de droit …"), or beside one ("Lou Fauroux, artiste et
    cinéaste, résidente de la Villa Albertine"): a CSVW processor reads each row's cell as
    the list of that participation's aig:statedOccupation labels, and the rows without one
    as empty."""
    occupation = URIRef("https://w3id.org/aigraph/ns#statedOccupation")
    label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    labels = {  # the release's words: French (the English ones are editorial translations)
        (s, str(o))
        for s, _, o, _ in dataset.quads((None, label, None, None))
        if isinstance(o, Literal) and o.language == "fr"
    }
    stated: dict[str, set[str]] = defaultdict(set)
    for participation, _, concept, _ in dataset.quads((None, occupation, None, None)):
        stated[str(participation)] |= {text for node, text in labels if node == concept}
    (table,) = [
        t
        for t in read(built / "csv-metadata.json").to_json()["tables"]
        if t["url"].endswith("/participations.csv")
    ]
    read_back: dict[str, set[str]] = {}
    for row in table["row"]:
        (thing,) = row["describes"]
        cell = thing.get("occupations", [])
        read_back[thing["@id"]] = set(cell if isinstance(cell, list) else [cell])
    assert {k: v for k, v in read_back.items() if v} == stated
    base = "https://w3id.org/aigraph/id/participation/"
    assert read_back[base + "2025-10-07-s07--lou-fauroux--panelist"] == {"artiste", "cinéaste"}
    assert read_back[base + "2025-10-07-s01--alexandra-bensamoun--panelist"] == {
        "professeure de droit spécialiste en IP/IT et IA"
    }
    assert read_back[base + "2025-10-07-s06--perrine-vincent--presenter"] == set()


def test_a_topic_row_gives_its_definition_in_both_languages(built: Path, dataset: Dataset) -> None:
    """A topic's definitions are written in French and in English (the topic page shows
    both); the table gave the English one only."""
    definition = URIRef("http://www.w3.org/2004/02/skos/core#definition")
    stated = {
        (str(s), o.language): str(o)
        for s, _, o, _ in dataset.quads((None, definition, None, None))
        if isinstance(o, Literal) and "/concept/topic/" in str(s)
    }
    with (built / "topics.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    read_back = {
        (row["topic"], lang): row[f"definition_{lang}"]
        for row in rows
        for lang in ("fr", "en")
        if row[f"definition_{lang}"]
    }
    assert read_back == stated and len(rows) * 2 == len(stated)


def test_a_session_row_gives_its_kind_in_the_releases_words(built: Path) -> None:
    """The release words the kinds ("table ronde", "keynote"); the table gave the English
    translation only."""
    with (built / "sessions.csv").open(encoding="utf-8", newline="") as f:
        kinds = [(row["position"], row["kind"], row["kind_fr"]) for row in csv.DictReader(f)]
    assert kinds[0] == ("1", "round table", "table ronde")
    assert kinds[3] == ("4", "conclusion of the morning", "conclusion de la matinée")
    assert kinds[7] == ("8", "keynote", "keynote")
    assert len(kinds) == 10 and all(fr for _, _, fr in kinds)


def test_the_undeclared_references_resolve(built: Path) -> None:
    """A participation's organisation and an organisation's parent may be empty, which a
    strict validator would take for a broken key (aigraph.tabular): checked here instead."""
    with open(built / "organisations.csv", newline="", encoding="utf-8") as handle:
        organisations = list(csv.DictReader(handle))
    with open(built / "participations.csv", newline="", encoding="utf-8") as handle:
        participations = list(csv.DictReader(handle))
    known = {row["organisation"] for row in organisations}
    given = [row["organisation"] for row in participations if row["organisation"]]
    parents = [row["parent"] for row in organisations if row["parent"]]
    assert given and parents
    assert set(given) <= known and set(parents) <= known


def test_the_tables_become_a_typed_database_for_datasette(built: Path, tmp_path: Path) -> None:
    """`csvw2datasette` (the `csvw` package) turns the tables and their metadata into an
    SQLite database for Datasette: typed columns, primary and foreign keys, the bound on
    confidence, and the licence in Datasette's metadata."""
    command = Path(sys.executable).parent / "csvw2datasette"
    done = subprocess.run([str(command), str(built / "csv-metadata.json"), "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    db = sqlite3.connect(tmp_path / "datasette.db")
    columns = {row[1]: row[2] for row in db.execute("PRAGMA table_info(`people.csv`)")}
    assert columns == {"person": "TEXT", "name": "TEXT", "participations": "INTEGER",
                       "rdf_type": "TEXT"}  # fmt: skip
    keys = {(row[2], row[3]) for row in db.execute("PRAGMA foreign_key_list(`participations.csv`)")}
    assert keys == {("people.csv", "person"), ("sessions.csv", "session")}
    with pytest.raises(sqlite3.IntegrityError):  # the metadata's bound, as a CHECK
        db.execute("UPDATE `links.csv` SET confidence = 1.5")
    joined = db.execute(
        "SELECT p.name, s.position FROM `participations.csv` p "
        "JOIN `sessions.csv` s ON p.session = s.session WHERE p.role = 'moderator'"
    ).fetchall()
    assert ("Anastasia Svoboda", 1) in joined
    metadata = json.loads((tmp_path / "datasette-metadata.json").read_text(encoding="utf-8"))
    assert metadata["license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
