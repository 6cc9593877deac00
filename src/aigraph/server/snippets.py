"""Code that runs the editor's query from a script: curl, Python (SPARQLWrapper) and
JavaScript (fetch), as the Wikidata Query Service's "Code" dialog offers, so that a researcher
takes a query from the editor to a notebook or a shell without rewriting it.

Each snippet carries the query's exact text (every literal form below is checked to give the
text back) and asks for the answer a script reads most easily: CSV from curl, SPARQL JSON or
Turtle elsewhere. The tests run every snippet, as written, against a real server
(tests/test_snippets.py)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from aigraph.sniff import sniff


@dataclass(frozen=True)
class Snippet:
    name: str  # curl, python, javascript: a stable key, for the page and the tests
    title: str  # shown above the code
    language: str  # the code's language, for <code class="language-…">
    code: str


GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def snippets(endpoint: str, query: str) -> list[Snippet]:
    """The snippets that run `query` on `endpoint`; none for an update, which a script could
    send only with the operator's token (docs/serving.md)."""
    sniffed = sniff(query)
    if sniffed.is_update:
        return []
    # a query the lexer cannot place yet (half-written) is shown as a SELECT would be: the
    # server's answer, a 400 with the parser's message, is what the script will print
    form = sniffed.form or "SELECT"
    return [
        Snippet("curl", "curl", "shell", curl(endpoint, query, form)),
        Snippet("python", "Python (SPARQLWrapper)", "python", python(endpoint, query, form)),
        Snippet(
            "javascript", "JavaScript (fetch)", "javascript", javascript(endpoint, query, form)
        ),
    ]


def curl(endpoint: str, query: str, form: str) -> str:
    """A POST of the query as a form, read from a here-document (quoted: the shell expands
    nothing in it), so that the query keeps its lines and needs no escaping."""
    accept = {"SELECT": "text/csv", "ASK": "application/sparql-results+json"}.get(
        form, "text/turtle"
    )
    end = heredoc_delimiter(query)
    body = query if query.endswith("\n") else query + "\n"
    # --compressed: asks for gzip and decodes it (a large CSV travels at a tenth of its size)
    return (
        f"curl -sS --fail-with-body --compressed {shlex.quote(endpoint)} \\\n"
        f"  -H {shlex.quote('Accept: ' + accept)} \\\n"
        f"  --data-urlencode 'query@-' <<'{end}'\n"
        f"{body}{end}\n"
    )


def heredoc_delimiter(text: str) -> str:
    """A here-document's end word that no line of `text` is (the first such line would end
    the document early)."""
    lines = set(text.splitlines())
    end = "SPARQL"
    while end in lines:
        end += "_END"
    return end


def python(endpoint: str, query: str, form: str) -> str:
    head = f"sparql = SPARQLWrapper({json.dumps(endpoint)})\n"
    head += "sparql.setMethod(POST)  # a long query would not fit in a URL\n"
    head += f"sparql.setQuery({python_string(query)})\n"
    if form in GRAPH_FORMS:
        return (
            "from rdflib import Graph\n"
            "from SPARQLWrapper import POST, TURTLE, SPARQLWrapper\n\n"
            + head
            + "sparql.setReturnFormat(TURTLE)\n"
            + 'graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")\n'
            + 'print(graph.serialize(format="turtle"))\n'
        )
    read = (
        'print(results["boolean"])\n'
        if form == "ASK"
        else 'for row in results["results"]["bindings"]:\n'
        '    print({name: term["value"] for name, term in row.items()})\n'
    )
    return (
        "from SPARQLWrapper import JSON, POST, SPARQLWrapper\n\n"
        + head
        + "sparql.setReturnFormat(JSON)\n"
        + "results = sparql.queryAndConvert()\n"
        + read
    )


def python_string(text: str) -> str:
    """A Python literal of `text`: a triple-quoted string where the text allows one (it
    keeps the query's lines), raw where it holds a backslash; else Python's own repr."""
    plain = all(c.isprintable() or c in "\n\t" for c in text)
    if plain and '"""' not in text and not text.endswith(('"', "\\")):
        return ('r"""' if "\\" in text else '"""') + text + '"""'
    return repr(text)


def javascript(endpoint: str, query: str, form: str) -> str:
    graph = form in GRAPH_FORMS
    accept = "text/turtle" if graph else "application/sparql-results+json"
    if graph:
        read = "console.log(await response.text());\n"
    elif form == "ASK":
        read = "console.log((await response.json()).boolean);\n"
    else:
        read = (
            "const { head, results } = await response.json();\n"
            "const rows = results.bindings.map((row) =>\n"
            "  Object.fromEntries(head.vars.map((name) => [name, row[name]?.value])));\n"
            "console.table(rows);\n"
        )
    return (
        f"const query = {javascript_string(query)};\n"
        f"const response = await fetch({json.dumps(endpoint)}, {{\n"
        '  method: "POST",\n'
        f"  headers: {{ Accept: {json.dumps(accept)} }},\n"
        "  body: new URLSearchParams({ query }),\n"
        "});\n"
        "if (!response.ok) throw new Error(await response.text());\n" + read
    )


def javascript_string(text: str) -> str:
    """A template literal of `text` (it keeps the query's lines): a backslash, a backquote
    and `${` are escaped, the three things a template literal reads otherwise. A text with a
    carriage return or another control character is written as a JSON string instead: a
    template literal reads a carriage return as a line feed."""
    if not all(c.isprintable() or c in "\n\t" for c in text):
        return json.dumps(text)
    escaped = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return f"`{escaped}`"
