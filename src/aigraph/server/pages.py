"""Small HTML pages of the endpoint itself (the researcher UI lives elsewhere). Every value
is escaped."""

from __future__ import annotations

from html import escape


def endpoint_page(endpoint: str) -> str:
    url = escape(endpoint, quote=True)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>aigraph SPARQL endpoint</title>
<link rel="describedby" type="text/turtle" href="/.well-known/void"></head>
<body>
<h1>aigraph SPARQL endpoint</h1>
<p>This is a <a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL 1.1 Protocol</a>
endpoint: send a query with <code>GET {url}?query=…</code> or <code>POST</code>.
Its <a href="{url}?format=turtle">Service Description</a> says what it offers; the
<a href="/.well-known/void">dataset description</a> and the <a href="/dumps/">downloads</a>
say what it serves.</p>
<form method="get" action="{url}">
<label for="query">Query</label><br>
<textarea id="query" name="query" rows="8" cols="80">
SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10</textarea><br>
<label for="format">Format</label>
<select id="format" name="format">
<option>json</option><option>xml</option><option>csv</option><option>tsv</option>
</select>
<button type="submit">Run</button>
</form>
</body></html>
"""
