"""RDF files may come compressed (`dump.nt.gz`, `.bz2`, `.xz`), as RDF dumps are published:
`aigraph serve --data` and the graph files read them by the extension before the
compression's, decompressing as the parser reads, and say what is wrong with one that
cannot be read."""

from __future__ import annotations

import bz2
import lzma
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from aigraph.dataset import DataLoadError, rdf_format_for, read_rdf
from aigraph.server.data import load_file
from aigraph.server.settings import Settings
from support import gz, running_server

ROOT = Path(__file__).resolve().parents[1]

TURTLE = b"""@prefix s: <http://schema.org/> .
<urn:x:person:1> a s:Person ; s:name "Zo\xc3\xa9 Exemple"@fr , "Zoe"@en .
<urn:x:person:2> a s:Person ; s:name "Second" ; s:knows <urn:x:person:1> .
"""
TRIG = b'<urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> . }\n<urn:x:d> <urn:x:e> "f" .\n'

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gz,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


def quads(store: ox.Store) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
@pytest.mark.parametrize(("name", "data"), [("data.ttl", TURTLE), ("data.trig", TRIG)])
def test_a_compressed_file_loads_as_the_plain_one(
    tmp_path: Path, suffix: str, name: str, data: bytes
) -> None:
    plain, packed = tmp_path / name, tmp_path / (name + suffix)
    plain.write_bytes(data)
    packed.write_bytes(COMPRESSORS[suffix](data))
    expected, got = ox.Store(), ox.Store()
    load_file(expected, plain)
    load_file(got, packed)
    assert quads(got) == quads(expected) and len(quads(got)) >= 2
    assert rdf_format_for(packed) == rdf_format_for(plain)
    assert read_rdf(packed) == data  # the rdflib path (the project's own files) reads it too


def test_triples_of_a_compressed_file_go_to_the_graph_given(tmp_path: Path) -> None:
    path = tmp_path / "people.ttl.GZ"  # extensions are read without case
    path.write_bytes(gz(TURTLE))
    store = ox.Store()
    load_file(store, path, "urn:x:graph")
    assert {q.graph_name for q in quads(store)} == {ox.NamedNode("urn:x:graph")}


UNREADABLE = b"not gzip at all"
CUT = gz(TURTLE)[:30]


@pytest.mark.parametrize(
    ("name", "data", "words", "both"),
    [
        ("data.ttl.gz", UNREADABLE, "cannot decompress: Not a gzipped file", True),
        ("data.ttl.gz", CUT, "cannot decompress: Compressed file ended", True),
        ("data.ttl.bz2", b"BZh9 nonsense", "cannot decompress", True),
        ("data.ttl.xz", b"\xfd7zXZ\x00 nonsense", "cannot decompress", True),
        # read whole, then parsed (the project's files): only the loader parses
        ("data.ttl.gz", gz(b"<a:b> <a:c> ."), "cannot parse as Turtle", False),
        ("data.txt.gz", gz(TURTLE), "unknown RDF file extension '.txt'", False),
        ("data.gz", gz(TURTLE), "unknown RDF file extension ''", False),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_the_cause(
    tmp_path: Path, name: str, data: bytes, words: str, both: bool
) -> None:
    """Both readers (the server's loader, and read_rdf for the files rdflib parses) name
    the file and the cause."""
    path = tmp_path / name
    path.write_bytes(data)
    readers: list[Callable[[], object]] = [lambda: load_file(ox.Store(), path)]
    if both:
        readers.append(lambda: read_rdf(path))
    for read in readers:
        with pytest.raises(DataLoadError) as refused:
            read()
        message = str(refused.value)
        assert message.startswith(f"{path}: ") and words in message, message


def test_aigraph_serve_serves_a_gzipped_dump(tmp_path: Path) -> None:
    path = tmp_path / "people.ttl.gz"
    path.write_bytes(gz(TURTLE))
    with running_server(Settings(bundled=False, data=[path], workers=1)) as url:
        answer = httpx.get(
            url + "sparql",
            params={"query": "SELECT ?name { <urn:x:person:1> <http://schema.org/name> ?name }"},
        )
    names = {b["name"]["value"] for b in answer.json()["results"]["bindings"]}
    assert names == {"Zoé Exemple", "Zoe"}


def test_aigraph_serve_refuses_a_corrupt_dump_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "people.nt.gz"
    path.write_bytes(gz(TURTLE)[:-12])  # its end lost
    result = subprocess.run(
        [sys.executable, "-m", "aigraph", "serve", "--data", str(path), "--port", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "cannot decompress" in result.stderr and "Traceback" not in result.stderr
