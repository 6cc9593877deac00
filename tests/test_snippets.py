"""The code the editor offers for its query (aigraph.server.snippets): each literal gives the
query's text back, and each snippet, run as written with the real tool (curl, Python with
SPARQLWrapper, Node.js's fetch) against a real server, prints the answer."""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef

from aigraph.engine import Engine
from aigraph.server.snippets import (
    heredoc_delimiter,
    javascript_string,
    python_string,
    snippets,
)
from support import every_triple


def _node_with_fetch() -> bool:
    """Node.js 18 or later (its global fetch, which the JavaScript snippet uses)."""
    if shutil.which("node") is None:
        return False
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    return int(version.lstrip("v").split(".")[0] or 0) >= 18


def _curl_with_fail_with_body() -> bool:
    """curl 7.76 or later (--fail-with-body, which the curl snippet uses)."""
    if shutil.which("curl") is None:
        return False
    return (
        "--fail-with-body"
        in subprocess.run(["curl", "--help", "all"], capture_output=True, text=True).stdout
    )


NODE = _node_with_fetch()
CURL = _curl_with_fail_with_body()
NO_NODE = "Node.js 18 or later (global fetch) is not installed"
NO_CURL = "curl 7.76 or later (--fail-with-body) is not installed"

# texts a literal must keep whole: lines, quotes and triple quotes, backslashes (also last),
# a backquote and ${ (a template literal's own), non-ASCII, a carriage return, a tab, NUL
TEXTS = [
    "SELECT * WHERE { ?s ?p ?o }",
    "PREFIX schema: <http://schema.org/>\nSELECT ?n WHERE {\n  ?p schema:name ?n\n}\n",
    'SELECT ("""a "b" c""" AS ?x) {}',
    'ASK { FILTER("ends with a quote" = "ends with a quote") }"',
    'SELECT ("a\\\\b\\"c" AS ?x) {}',
    "ends with a backslash \\",
    "# `backquotes` and ${braces} and $ alone\nASK {}",
    'SELECT ?x { BIND("Béatrice 名前 ✓" AS ?x) }',
    "line one\r\nline two\rthree",
    "tab\there",
    "nul\x00and\u2028separator",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_python_literal_gives_the_text_back(text: str) -> None:
    literal = python_string(text)
    assert ast.literal_eval(literal) == text
    # the query's lines stay lines in the code wherever Python allows it
    if "\n" in text and "\r" not in text and '"""' not in text and not text.endswith("\\"):
        assert literal.count("\n") == text.count("\n")


@pytest.mark.skipif(not NODE, reason=NO_NODE)
def test_a_javascript_literal_gives_the_text_back() -> None:
    program = "console.log(JSON.stringify([" + ",".join(map(javascript_string, TEXTS)) + "]))"
    done = subprocess.run(
        ["node", "-e", program], capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(done.stdout) == TEXTS


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("ASK {}", "SPARQL"),
        ("ASK {\nSPARQL\n}", "SPARQL_END"),
        ("SPARQL\nSPARQL_END", "SPARQL_END_END"),
        ("  SPARQL  \n", "SPARQL"),  # only a line that is the word alone ends the document
    ],
)
def test_the_here_document_ends_after_the_query(text: str, delimiter: str) -> None:
    assert heredoc_delimiter(text) == delimiter


def test_an_update_has_no_snippet() -> None:
    # a script could send it only with the operator's token: the page offers reading
    assert snippets("http://127.0.0.1:8000/sparql", "INSERT DATA { <a:b> <a:c> <a:d> }") == []
    assert [s.name for s in snippets("http://x/sparql", "SELECT")] == [
        "curl",
        "python",
        "javascript",
    ]


BEATRICE = 'FILTER(?name = "Béatrice Bauwens")'
# a query that tries each literal form: a long literal holding quotes, a backslash and a line
# that is the here-document's usual end word; a comment with a backquote and ${
AWKWARD = (
    "# a `comment` with ${braces}\n"
    "PREFIX schema: <http://schema.org/>\n"
    "SELECT ?name ?text WHERE {\n"
    f"  ?p a schema:Person ; schema:name ?name . {BEATRICE}\n"
    '  BIND("""say "hi" \\\\ then\nSPARQL\nend""" AS ?text)\n'
    "}"
)
AWKWARD_TEXT = 'say "hi" \\ then\nSPARQL\nend'

SELECT = f"SELECT ?name WHERE {{ ?p a <http://schema.org/Person> ; <http://schema.org/name> ?name . {BEATRICE} }}"
ASK = 'ASK { ?p <http://schema.org/name> "Jean-Michel Jarre" }'
CONSTRUCT = (
    "CONSTRUCT { ?p <http://schema.org/name> ?name } WHERE "
    f"{{ ?p a <http://schema.org/Person> ; <http://schema.org/name> ?name . {BEATRICE} }}"
)


def run(snippet_name: str, code: str, tmp_path: Path) -> str:
    """Run a snippet as a person would: curl in bash, the Python in this environment's
    interpreter (SPARQLWrapper and rdflib are test dependencies), the JavaScript in Node.js."""
    if snippet_name == "curl":
        if not CURL:
            pytest.skip(NO_CURL)
        command = ["bash", "-c", code]
    elif snippet_name == "python":
        command = [sys.executable, "-c", code]
    else:
        if not NODE:
            pytest.skip(NO_NODE)
        script = tmp_path / "snippet.mjs"  # a module: the snippet awaits at top level
        script.write_text(code, encoding="utf-8")
        command = ["node", str(script)]
    done = subprocess.run(command, capture_output=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode("utf-8")


def snippet_code(server: str, query: str, name: str) -> str:
    """The snippet as the server offers it for the editor's query."""
    response = httpx.get(server + "ui/snippets.json", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    (found,) = [s for s in response.json()["snippets"] if s["name"] == name]
    assert found["code"].count(server + "sparql") == 1  # this server's endpoint, by the URL used
    return found["code"]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def names_in(turtle: str) -> list[str]:
    """The schema:name values of a Turtle document, read by rdflib's parser."""
    graph = Graph().parse(data=turtle, format="turtle")
    return [str(o) for o in graph.objects(None, URIRef("http://schema.org/name"))]


# (query, snippet, what its output must show)
CASES = [
    (SELECT, "curl", lambda out: csv_rows(out) == [["name"], ["Béatrice Bauwens"]]),
    (SELECT, "python", lambda out: out == "{'name': 'Béatrice Bauwens'}\n"),
    (SELECT, "javascript", lambda out: "Béatrice Bauwens" in out and "name" in out),
    (ASK, "curl", lambda out: json.loads(out)["boolean"] is True),
    (ASK, "python", lambda out: out == "True\n"),
    (ASK, "javascript", lambda out: out == "true\n"),
    (CONSTRUCT, "curl", lambda out: names_in(out) == ["Béatrice Bauwens"]),
    (CONSTRUCT, "python", lambda out: names_in(out) == ["Béatrice Bauwens"]),
    (CONSTRUCT, "javascript", lambda out: names_in(out) == ["Béatrice Bauwens"]),
    (
        AWKWARD,
        "curl",
        lambda out: csv_rows(out) == [["name", "text"], ["Béatrice Bauwens", AWKWARD_TEXT]],
    ),
    (AWKWARD, "python", lambda out: ast.literal_eval(out)["text"] == AWKWARD_TEXT),
    (AWKWARD, "javascript", lambda out: "Béatrice Bauwens" in out and "say" in out),
]


@pytest.mark.parametrize(("query", "name", "shows"), CASES)
def test_each_snippet_runs_and_prints_the_answer(
    server: str, tmp_path: Path, query: str, name: str, shows: object
) -> None:
    out = run(name, snippet_code(server, query, name), tmp_path)
    assert callable(shows) and shows(out), out


def test_the_curl_snippet_fetches_a_large_answer_gzipped(
    server: str, tmp_path: Path, engine: Engine
) -> None:
    """The curl snippet asks for gzip (--compressed) and curl decodes it: a large CSV
    travels at a fraction of its size, and prints as it is (the headers kept aside show
    the coding)."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    code = snippet_code(server, query, "curl")
    assert code.startswith("curl ") and " --compressed " in code
    printed = run("curl", code.replace("curl ", "curl -D headers.txt ", 1), tmp_path)
    rows = csv_rows(printed)
    assert rows[0] == ["s", "p", "o"] and len(rows) == 1 + every_triple(engine)
    headers = (tmp_path / "headers.txt").read_text().lower()
    assert "content-encoding: gzip" in headers


def test_a_failing_query_fails_the_snippet_with_the_servers_message(
    server: str, tmp_path: Path
) -> None:
    # the parser's message reaches the person, and the script stops (non-zero)
    for name in ("curl", "python", "javascript"):
        code = snippet_code(server, "SELECT * WHERE { ?s ?p }", name)
        if name == "curl" and not CURL:
            continue
        if name == "javascript" and not NODE:
            continue
        command = {
            "curl": ["bash", "-c", code],
            "python": [sys.executable, "-c", code],
            "javascript": ["node", "--input-type=module", "-e", code],
        }[name]
        done = subprocess.run(command, capture_output=True, timeout=60, cwd=tmp_path)
        assert done.returncode != 0, name
        said = (done.stdout + done.stderr).decode()
        assert "1:" in said and ("expected" in said.lower() or "error" in said.lower()), said


def test_the_snippets_answer_and_the_editor_page_shows_them(server: str) -> None:
    response = httpx.get(server + "ui/snippets.json", params={"query": ASK}, timeout=30)
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert [s["name"] for s in body["snippets"]] == ["curl", "python", "javascript"]
    assert [s["language"] for s in body["snippets"]] == ["shell", "python", "javascript"]
    # no query: a 400 that says so
    missing = httpx.get(server + "ui/snippets.json", timeout=30)
    assert missing.status_code == 400 and "query" in missing.text
    # an update: none, and the reason
    update = httpx.get(server + "ui/snippets.json", params={"query": "CLEAR ALL"}, timeout=30)
    assert update.json()["snippets"] == [] and "update" in update.json()["note"]
    # without JavaScript the editor's page shows the code for its query, escaped
    page = httpx.get(server + "query", params={"query": ASK, "lang": "fr"}, timeout=30)
    assert 'id="code"' in page.text and "Utiliser cette requête dans un programme" in page.text
    assert "sparql.setQuery(&#34;&#34;&#34;ASK" in page.text or (
        "sparql.setQuery(&quot;&quot;&quot;ASK" in page.text
    )
    assert server + "sparql" in page.text


def test_the_openapi_example_is_what_the_server_writes() -> None:
    from aigraph.server import examples

    (example,) = examples.SNIPPETS["snippets"]
    (made,) = [s for s in snippets("http://127.0.0.1:8000/sparql", "ASK {}") if s.name == "curl"]
    assert example == {"name": "curl", "title": "curl", "language": "shell", "code": made.code}
