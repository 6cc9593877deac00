"""The command line: outputs people can read, formats machines can parse, documented exit
codes. Commands run in a subprocess, as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rdflib import Graph

from aigraph.cli import make_parser
from aigraph.project import Project
from support import wait_until_healthy

ROOT = Project.default().root


def aigraph(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aigraph", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_conforms_with_exit_0() -> None:
    result = aigraph("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms: 0 violation(s)" in result.stdout
    assert "No authority identifier yet" in result.stdout  # warnings are shown, grouped


#: what release.trig needs beside it to be validated alone (sector classifications, the
#: descriptions of the fixed graphs)
COMPANIONS = ("editorial.trig", "graphs.trig")


def test_validate_reports_a_violation_readably_with_exit_1(tmp_path: Path) -> None:
    broken = (
        (ROOT / "data" / "release.trig")
        .read_text(encoding="utf-8")
        .replace(
            "aig:role role:panelist ;\n        aig:statedOccupation occupation:auteur-compositeur",
            "aig:statedOccupation occupation:auteur-compositeur",
        )
    )
    (tmp_path / "release.trig").write_text(broken, encoding="utf-8")
    data = ROOT / "data"
    result = aigraph(
        "validate", str(tmp_path / "release.trig"), *(str(data / f) for f in COMPANIONS)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "Does NOT conform: 1 violation(s)" in out
    assert "participation:2025-10-07-s03--jean-michel-jarre--panelist" in out
    assert "A participation has exactly one role (aig:role) from the role scheme." in out
    assert "shape: shape:Participation-role" in out


def test_validate_json_and_turtle_formats(tmp_path: Path) -> None:
    report = json.loads(aigraph("validate", "--format", "json").stdout)
    assert report["conforms"] is True and report["violations"] == 0
    # 27 people and 12 organisations name no authority identifier yet (docs/linking.md)
    assert report["warnings"] == len(report["results"]) == 27 + 12
    turtle = aigraph("validate", "--format", "turtle").stdout
    g = Graph().parse(data=turtle, format="turtle")
    assert len(list(g.subjects(predicate=None, object=None))) > 46


@pytest.mark.parametrize(
    "content,message",
    [
        ("this is not turtle", "cannot parse as TriG"),
        (None, "cannot read"),
        # RDF 1.2 parses, but rdflib and pySHACL cannot hold it: said, not a traceback
        ("<http://a> <http://b> <<( <http://c> <http://d> <http://e> )>> .", "RDF 1.2 triple"),
    ],
)
def test_validate_unreadable_input_exits_2(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "bad.trig"
    if content is not None:
        path.write_text(content)
    result = aigraph("validate", str(path))
    assert result.returncode == 2
    assert message in result.stderr and "bad.trig" in result.stderr


def test_an_internal_error_exits_2_not_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug must not exit 1, which `validate` and `build` use for "does not conform"."""
    from aigraph import cli

    def broken(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "cmd_validate", broken)
    assert cli.main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: a bug" in err and "aigraph validate: internal error" in err


def test_query_table() -> None:
    result = aigraph("query", "moderators")
    assert result.returncode == 0
    assert "Perrine Vincent" in result.stdout and "(4 rows)" in result.stdout


@pytest.mark.parametrize(
    "written",
    [
        "person:lou-fauroux",  # as the table writes it
        "<https://w3id.org/aigraph/id/person/lou-fauroux>",  # as it writes an IRI it cannot shorten
        "https://w3id.org/aigraph/id/person/lou-fauroux",
    ],
)
def test_an_iri_parameter_is_read_as_the_table_writes_it(written: str) -> None:
    """A reader copies `person:lou-fauroux` from one answer into the next command: it was
    taken as an IRI of its own ("this data says nothing of <person:lou-fauroux>")."""
    result = aigraph("query", "person", "--param", f"person={written}", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["name"], r["occupation"]) for r in rows} == {
        ("Lou Fauroux", "artiste"),
        ("Lou Fauroux", "cinéaste"),
    }


def test_query_csv_and_tsv_parse() -> None:
    rows = list(csv.DictReader(io.StringIO(aigraph("query", "sessions", "--format", "csv").stdout)))
    assert [r["position"] for r in rows] == [str(i) for i in range(1, 11)]
    tsv = aigraph("query", "sessions", "--format", "tsv").stdout.splitlines()
    assert tsv[0].split("\t")[:2] == ["?session", "?position"] and len(tsv) == 11


STAR = (
    "PREFIX schema: <http://schema.org/>\n"
    "SELECT * WHERE { ?session schema:performer ?person . ?person schema:name ?name }\n"
    "ORDER BY ?session ?name\n"
)


def test_a_triple_term_reads_in_the_table(tmp_path: Path) -> None:
    """An RDF 1.2 triple term in an answer (`<<( s p o )>>`, which the engine supports): the
    text table writes it as Turtle 1.2 does, its literal quoted; it crashed the command."""
    rq = tmp_path / "triple.rq"
    rq.write_text(
        "SELECT ?t WHERE { BIND (<<( <https://w3id.org/aigraph/id/person/perrine-vincent> "
        '<http://schema.org/name> "Perrine Vincent" )>> AS ?t) }'
    )
    result = aigraph("query", str(rq))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == (
        '<<( person:perrine-vincent schema:name "Perrine Vincent" )>>'
    )


@pytest.mark.parametrize(
    ("fmt", "header"),
    [
        ("table", lambda out: out.splitlines()[0].split()),
        ("csv", lambda out: out.splitlines()[0].split(",")),
        ("tsv", lambda out: [v.lstrip("?") for v in out.splitlines()[0].split("\t")]),
        ("json", lambda out: json.loads(out)["head"]["vars"]),
        (
            "xml",
            lambda out: [
                v.get("name")
                for v in ET.fromstring(out).iter("{http://www.w3.org/2005/sparql-results#}variable")
            ],
        ),
    ],
)
def test_select_star_columns_come_in_the_querys_order(
    tmp_path: Path, fmt: str, header: Callable[[str], list[str]]
) -> None:
    """SPARQL leaves `SELECT *`'s column order to the engine (§18.2.1) and Oxigraph sorts
    them (`?name ?person ?session`); the endpoint follows the query's order, and so does the
    CLI, where it gave Oxigraph's."""
    rq = tmp_path / "star.rq"
    rq.write_text(STAR)
    result = aigraph("query", str(rq), "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert header(result.stdout) == ["session", "person", "name"]


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
    ],
)
def test_the_cli_and_the_endpoint_give_the_same_bytes(
    tmp_path: Path, server: str, fmt: str, media: str
) -> None:
    """One writer for both (aigraph.serialize): the same answer, byte for byte (CSV's CRLF
    line ends included, RFC 4180), where the CLI used Oxigraph's serialisers."""
    rq = tmp_path / "star.rq"
    rq.write_text(STAR)
    cli_answer = subprocess.run(
        [sys.executable, "-m", "aigraph", "query", str(rq), "--format", fmt],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    http = httpx.post(server + "sparql", data={"query": STAR}, headers={"Accept": media})
    assert cli_answer == http.content


def test_query_json_and_xml_are_sparql_results() -> None:
    data = json.loads(
        aigraph(
            "query",
            "person",
            "--param",
            "person=https://w3id.org/aigraph/id/person/jean-michel-jarre",
            "--format",
            "json",
        ).stdout
    )
    (binding,) = data["results"]["bindings"]
    assert binding["occupation"] == {
        "type": "literal",
        "value": "auteur-compositeur",
        "xml:lang": "fr",
    }
    xml = ET.fromstring(aigraph("query", "moderators", "--format", "xml").stdout)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(xml.findall(f"{ns}results/{ns}result")) == 4


def test_query_file_and_construct(tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text(
        "CONSTRUCT { ?s <http://schema.org/name> ?n } WHERE { ?s a <http://schema.org/Person> ; <http://schema.org/name> ?n }"
    )
    out = aigraph("query", str(rq), "--format", "turtle")
    assert out.returncode == 0
    assert len(Graph().parse(data=out.stdout, format="turtle")) == 27
    # written to be read: the prefixes it uses, one line per person, in IRI order
    assert out.stdout.startswith("@prefix person: <https://w3id.org/aigraph/id/person/> .\n")
    people = [line.split()[0] for line in out.stdout.splitlines() if line.startswith("person:")]
    assert len(people) == 27 and people == sorted(people)
    lines = aigraph("query", str(rq), "--format", "ntriples").stdout.splitlines()
    assert len(lines) == 27 and all(line.endswith(" .") for line in lines)


@pytest.mark.parametrize(
    "args,message",
    [
        (("query", "nope"), "no query named 'nope'"),
        (("query", "participant"), "no such file; did you mean 'participants'? (catalogue: "),
        (
            ("query", "person", "--param", "person=bad iri"),
            "parameter 'person': not an absolute IRI",
        ),
        (("query", "person", "--param", "oops"), "--param takes NAME=VALUE"),
        (
            ("query", "topics", "--param", "lang=de"),
            "parameter 'lang': no text of this data is in 'de' (its languages: en, fr)",
        ),
        (("query", "topics", "--param", "lang=fr_FR"), "'lang': not a language tag"),
        (
            (
                "query",
                "person",
                "--param",
                "person=https://w3id.org/aigraph/id/person/jean-michel-jar",
            ),
            "this data says nothing of <https://w3id.org/aigraph/id/person/jean-michel-jar> "
            "(search: /search?q=jean+michel+jar)",
        ),
    ],
)
def test_query_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = aigraph(*args)
    assert result.returncode == 2 and message in result.stderr


def test_a_cross_product_gets_advice_and_still_runs(tmp_path: Path) -> None:
    """The editor's advice (aigraph.lint) on standard error; the answer as asked."""
    rq = tmp_path / "pairs.rq"
    rq.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { ?p a <http://schema.org/Person> . "
        "?o a <http://www.w3.org/ns/org#Organization> }"
    )
    result = aigraph("query", str(rq), "--format", "csv")
    assert result.returncode == 0 and result.stdout.splitlines()[1] == str(27 * 19)
    assert "aigraph: advice: These parts of the pattern share no variable: {?p} × {?o}." in (
        result.stderr
    )
    # the catalogue's queries get none
    assert "advice" not in aigraph("query", "moderators").stderr


def test_malformed_query_exits_2_with_the_parser_position(tmp_path: Path) -> None:
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT * WHERE { ?s ?p }")
    result = aigraph("query", str(rq))
    assert result.returncode == 2
    assert "does not parse" in result.stderr and "1:" in result.stderr


def test_stats() -> None:
    data = json.loads(aigraph("stats", "--format", "json").stdout)
    assert data["counts"]["people"] == 27
    assert data["counts"]["sessions"] == 10
    assert data["counts"]["participations"] == 29
    assert data["counts"]["job titles"] == 20 and data["counts"]["occupations"] == 9
    # websites, SIREN numbers, Wikidata, ISNI, BnF and Archives nationales identifiers
    assert data["counts"]["external links"] == 23  # graph:links (docs/linking.md)
    assert data["counts"]["catalogue queries"] == 11  # queries/*.rq, in graph:queries
    assert data["violations"] == 0


def test_query_list_shows_the_catalogue() -> None:
    out = aigraph("query", "--list").stdout
    for name in ("sessions", "participants", "moderators", "evidence", "sectors"):
        assert name in out


def test_serve_options_reach_the_settings() -> None:
    from aigraph.server.run import settings_from_args

    args = make_parser().parse_args(
        [
            "serve",
            "--port",
            "9999",
            "--workers",
            "3",
            "--query-timeout",
            "2.5",
            "--no-bundled",
            "--data",
            "a.ttl",
            "--graph",
            "http://example.org/g=b.nt",
            "--base-iri",
            "https://example.org/x/",
        ]
    )
    settings = settings_from_args(args)
    assert (settings.port, settings.workers, settings.query_timeout, settings.bundled) == (
        9999,
        3,
        2.5,
        False,
    )
    assert [str(p) for p in settings.data] == ["a.ttl"]
    assert {k: str(v) for k, v in settings.graphs.items()} == {"http://example.org/g": "b.nt"}
    assert settings.base_iri == "https://example.org/x/"


def test_serve_refuses_bad_settings_with_exit_2() -> None:
    result = aigraph("serve", "--base-iri", "https://example.org/no-slash")
    assert result.returncode == 2 and "must end with '/'" in result.stderr


def test_serve_on_a_port_already_taken_says_so_with_exit_2() -> None:
    """Before, uvicorn logged the error and exited 3, after `aigraph serve` had said it was
    serving. Now the port is bound first: the message says what to do, before any data is
    loaded."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = aigraph("serve", "--port", str(port))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"aigraph serve: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(another server uses this port: stop it, or give --port)\n"
    )
    assert "serving on" not in result.stderr
    assert time.monotonic() - started < 30


def _can_bind(family: socket.AddressFamily, host: str) -> bool:
    try:
        with socket.socket(family) as probe:
            probe.bind((host, 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize(
    ("host", "written"),
    [("127.0.0.1", r"127\.0\.0\.1"), ("::1", r"\[::1\]")],  # an IPv6 address in brackets
)
def test_serve_on_port_0_says_the_port_it_got_and_stops_on_ctrl_c(host: str, written: str) -> None:
    """`--port 0` lets the system choose: the line that says where it serves is a URL that
    names the port it got, and answers. Ctrl+C stops it: exit code 0, no traceback."""
    if host == "::1" and not _can_bind(socket.AF_INET6, host):
        pytest.skip("no IPv6 loopback on this machine")
    process = subprocess.Popen(
        [sys.executable, "-m", "aigraph", "serve", "--host", host, "--port", "0"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.match(rf"aigraph: serving on (http://{written}:(\d+)/) ", line)
        assert found is not None and found.group(2) != "0", line
        wait_until_healthy(found.group(1), process)  # type: ignore[arg-type]
        assert httpx.get(found.group(1) + "sparql", params={"query": "ASK {}"}).json() == {
            "head": {},
            "boolean": True,
        }
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("fmt", "parse_as"),
    [
        ("turtle", "turtle"),
        ("ntriples", "nt"),
        ("rdfxml", "xml"),
        ("trig", "trig"),
        ("nquads", "nquads"),
        ("void", "turtle"),
    ],
)
def test_export_writes_the_build_files(fmt: str, parse_as: str, tmp_path: Path) -> None:
    """`aigraph export --format F` gives the same bytes as the build's file, and they parse."""
    from rdflib import Dataset

    from aigraph.build import EXPORT_FORMATS

    (name,) = EXPORT_FORMATS[fmt]
    result = aigraph("export", "--format", fmt, "--out", str(tmp_path / name))
    assert result.returncode == 0, result.stderr
    if fmt == "turtle":  # the same bytes as the build's file
        assert aigraph("build", "--out", str(tmp_path / "build"), "--no-validate").returncode == 0
        assert (tmp_path / name).read_bytes() == (tmp_path / "build" / name).read_bytes()
    parsed = Dataset()
    parsed.parse(tmp_path / name, format=parse_as)
    assert len(parsed) > 100


def test_export_to_stdout_and_csv_folder(tmp_path: Path) -> None:
    import csv
    import io
    import json

    out = aigraph("export", "--format", "jsonld-sessions")
    assert out.returncode == 0
    assert len(json.loads(out.stdout)["@graph"]) == 10
    refused = aigraph("export", "--format", "csv")
    assert refused.returncode == 2 and "give --out FOLDER" in refused.stderr
    assert aigraph("export", "--format", "csv", "--out", str(tmp_path)).returncode == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "participations.csv").read_text())))
    assert len(rows) == 29
    assert aigraph("export", "--format", "nope").returncode == 2


def test_the_server_does_not_import_what_it_never_runs() -> None:
    """Start-up to the first answer is a goal (about a second, bench/): the server reads the
    shapes but never runs pySHACL, reads queries with Oxigraph, not rdflib's SPARQL parser
    (the lint runs on a request, importing it then), and talks HTTP to a remote store only
    with the remote backend. Together they were 0.15 s of each start; the version was read
    from the installed metadata, 35 ms in the server and in each query worker."""
    code = (
        "import sys\n"
        "from aigraph.server.run import serve\n"
        "from aigraph.server.app import create_app\n"
        "import aigraph.server.worker\n"
        "create_app()\n"
        "print(' '.join(m for m in ('pyshacl', 'httpx', 'rdflib.plugins.sparql')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
    worker = subprocess.run(
        [sys.executable, "-c", "import sys, aigraph.server.worker; print('importlib.metadata' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert worker.stdout.strip() == "False"
    # a worker starts from a fresh interpreter, which imports the command's script first
    # (multiprocessing's "spawn"): the script's module must not import the command's
    # modules, nor run it, when imported
    script = subprocess.run(
        [sys.executable, "-c", "import sys, aigraph.__main__; print('aigraph.cli' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert script.stdout.strip() == "False"


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/aigraph/id/person/lou-fauroux",
        "https://w3id.org/aigraph/concept/role/moderator",
        "http://schema.org/Person",
        "https://w3id.org/aigraph/ns#Participation",
        "https://example.org/elsewhere",
    ],
)
def test_a_short_form_is_read_back_as_its_iri(iri: str) -> None:
    from aigraph.validate import compact, expand

    assert expand(compact(iri)) == iri


@pytest.mark.parametrize("name", ["zzz:x", "lou-fauroux", "https://w3id.org/x", "person"])
def test_what_is_no_short_form_is_left_as_it_is(name: str) -> None:
    from aigraph.validate import expand

    assert expand(name) is None


def test_an_undeclared_prefix_is_named_with_its_declaration(tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT * WHERE {\n  ?p a session:x }\n", encoding="utf-8")
    result = aigraph("query", str(rq))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "aigraph query: the query does not parse: error at 2:17: the prefix session: is not "
        "declared; add PREFIX session: <https://w3id.org/aigraph/id/session/> before the query"
    )
