"""The server's HTML, shared by every page: the Jinja templates, the interface's words in
French and English, the page's language, and the small endpoint page. Every value is escaped
(templates autoescape; the endpoint page escapes by hand)."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

#: What separates the thousands of a number and its decimals, by the page's language (CLDR:
#: French writes 2 779 with a narrow no-break space, and 0,95; English 2,779 and 0.95)
SEPARATORS = {"fr": ("\u202f", ","), "en": (",", ".")}


def number(n: float, lang: str) -> str:
    """`n` as a reader of `lang` writes it (the templates' `number` filter): 2 779, 0,95."""
    thousands, decimals = SEPARATORS.get(lang, SEPARATORS["en"])
    if isinstance(n, float) and n.is_integer():
        n = int(n)  # a confidence of 1.0 reads "1"
    text = f"{n:,}"  # (never in exponent notation, as "g" would write 1e+06)
    return text.translate({ord(","): thousands, ord("."): decimals})


TEMPLATES.filters["number"] = number

UI = {
    "fr": {
        "nav": "Navigation",
        "ontology": "ontologie",
        "language": "langue",
        "facts": "Faits",
        "incoming": "Mentionné par",
        "raw": "Données brutes",
        "truncated": "Description coupée à {n} faits (les liens entrants d'abord) : "
        "les liens entrants par une requête SPARQL",
        "contents": "Contenu de ce graphe nommé",
        "context": "voir dans le communiqué",
        "words": "Les mots du communiqué",
        "statements": "Ce que ce graphe affirme",
        "more_statements": "Les {n} premières affirmations ; toutes sont dans ses données brutes.",
        "editorial": "ajout éditorial, absent du communiqué",
        "quoted_above": "cité plus haut",
        "derived": "déduit des assertions par une règle",
        "vocabulary_note": "Tiré des vocabulaires des éditeurs d'aigraph : les libellés et la "
        "définition sont les leurs, non ceux du communiqué.",
        "vocabulary_link": "vocabulaires",
        "below": "(plus bas)",
        "linked": "(lien externe, absent du communiqué ; trouvé dans",
        "confidence": "confiance",
        "source": "Le communiqué du CNC",
        "checksum": "SHA-256",
        "highlighted": "passage surligné :",
        "not_found": "Introuvable",
        "not_found_text": "Ce graphe ne dit rien de",
        "nothing_served": "Rien n'est servi à l'adresse",
        "endpoint": "Point d'accès SPARQL",
        "not_found_search": "Rechercher :",
        "error_lead": "La réponse du serveur, en anglais :",
        "error_status": "Erreur {n}",
        "status_400": "Demande incorrecte",
        "status_401": "Jeton requis",
        "status_403": "Refusé",
        "status_404": "Introuvable",
        "status_405": "Méthode non permise",
        "status_406": "Format indisponible",
        "status_408": "Demande trop lente",
        "status_413": "Demande trop volumineuse",
        "status_415": "Type de contenu non pris en charge",
        "status_429": "Trop de demandes",
        "status_500": "Erreur du serveur",
        "status_502": "Erreur du service distant",
        "status_503": "Service indisponible",
        "retry_after": "Réessayez dans {n} s.",
        "fix_query": "Ouvrir cette requête dans l'éditeur",
        "see": "Voir :",
        "home": "Accueil",
        "licence": "Données : CC BY 4.0 ; texte du communiqué : © CNC.",
        "dataset": "Description du jeu de données (VoID)",
        "queries": "Requêtes",
        "downloads": "Téléchargements",
        "programme": "Programme",
        "editor": "Éditeur SPARQL",
        "network": "Réseau",
        "links": "Liens externes",
        "search": "Rechercher",
        "browse": "Parcourir :",
        "next_page": "Suivants →",
        "search_placeholder": "personne, organisation, thème…",
        "run": "Exécuter",
        "results": "Résultats",
        "row": "ligne",
        "rows": "lignes",
        "no_results": "Aucun résultat.",
        "examples": "Exemples du catalogue",
        "table": "Tableau",
        "graph": "Graphe",
        "chart": "Diagramme",
        "download": "Télécharger",
        "csvw": "Les métadonnées du CSV (CSV on the Web) : licence, source, citation, requête",
        "error": "Erreur",
        "passages": "Passages du communiqué",
        "supports": "Ce passage établit",
        "show_facts": "voir les faits",
        "skip": "Aller au contenu",
        "code": "Utiliser cette requête dans un programme",
        "code_note": "La même requête depuis un terminal, Python ou JavaScript (Node.js ou un "
        "navigateur) ; la réponse en CSV, JSON ou Turtle.",
        "code_update": "Une mise à jour demande le jeton de l'opérateur : pas de code ici.",
        "copy": "Copier",
        "copied": "Copié",
        "triple": "triplet",
        "triples": "triplets",
        "cite": "Citer :",
        "cite_answer": "Citer cette réponse",
        "cite_note": "Le jeu de données, sa version, la requête (un lien qui l'exécute de "
        "nouveau), le jour, et la somme de contrôle des données : de quoi retrouver la réponse.",
    },
    "en": {
        "nav": "Navigation",
        "ontology": "ontology",
        "language": "language",
        "facts": "Facts",
        "incoming": "Mentioned by",
        "raw": "Raw data",
        "truncated": "Description cut at {n} facts (incoming links first): "
        "the incoming links by a SPARQL query",
        "contents": "Contents of this named graph",
        "context": "see it in the release",
        "words": "The release's words",
        "statements": "What this graph states",
        "more_statements": "The first {n} statements; all are in its raw data.",
        "editorial": "editorial addition, not in the release",
        "quoted_above": "quoted above",
        "derived": "derived from the claims by a rule",
        "vocabulary_note": "From the aigraph editors' vocabularies: the labels and definition "
        "are theirs, not the release's.",
        "vocabulary_link": "vocabularies",
        "below": "(below)",
        "linked": "(external link, not in the release; found in",
        "confidence": "confidence",
        "source": "The CNC's press release",
        "checksum": "SHA-256",
        "highlighted": "highlighted passage:",
        "not_found": "Not found",
        "not_found_text": "This graph says nothing about",
        "nothing_served": "Nothing is served at",
        "endpoint": "SPARQL endpoint",
        "not_found_search": "Search for:",
        "error_lead": "The server's answer:",
        "error_status": "Error {n}",
        "status_400": "Bad request",
        "status_401": "Token required",
        "status_403": "Forbidden",
        "status_404": "Not found",
        "status_405": "Method not allowed",
        "status_406": "Not acceptable",
        "status_408": "Request too slow",
        "status_413": "Request too large",
        "status_415": "Unsupported content type",
        "status_429": "Too many requests",
        "status_500": "Server error",
        "status_502": "Remote service error",
        "status_503": "Service unavailable",
        "retry_after": "Try again in {n} s.",
        "fix_query": "Open this query in the editor",
        "see": "See:",
        "home": "Home",
        "licence": "Data: CC BY 4.0; release text: © CNC.",
        "dataset": "Dataset description (VoID)",
        "queries": "Queries",
        "downloads": "Downloads",
        "programme": "Programme",
        "editor": "SPARQL editor",
        "network": "Network",
        "links": "External links",
        "search": "Search",
        "browse": "Browse:",
        "next_page": "Next →",
        "search_placeholder": "person, organisation, topic…",
        "run": "Run",
        "results": "Results",
        "row": "row",
        "rows": "rows",
        "no_results": "No results.",
        "examples": "Catalogue examples",
        "table": "Table",
        "graph": "Graph",
        "chart": "Chart",
        "download": "Download",
        "csvw": "The CSV's metadata (CSV on the Web): licence, source, citation, query",
        "error": "Error",
        "passages": "Passages of the release",
        "supports": "This passage supports",
        "show_facts": "see the facts",
        "skip": "Skip to content",
        "code": "Use this query in a program",
        "code_note": "The same request from a terminal, Python or JavaScript (Node.js or a "
        "browser); the answer as CSV, JSON or Turtle.",
        "code_update": "An update needs the operator's token: no code here.",
        "copy": "Copy",
        "copied": "Copied",
        "triple": "triple",
        "triples": "triples",
        "cite": "Cite:",
        "cite_answer": "Cite this answer",
        "cite_note": "The dataset, its version, the query (a link that runs it again), the day, "
        "and the data's checksum: what it takes to find the answer again.",
    },
}


def language(request: Request) -> str:
    """``?lang=fr|en`` first (in any case: language tags are case-insensitive, RFC 5646
    §2.1.1), then Accept-Language, then French (the release's language)."""
    asked = request.query_params.get("lang", "").lower()
    if asked in UI:
        return asked
    best, weight = "fr", 0.0
    for item in request.headers.get("accept-language", "").split(","):
        tag, _, params = item.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower()[:2]
        if code in UI and q > weight:
            best, weight = code, q
    return best


def local_href(iri: str, base: str) -> str | None:
    """The path on this server that serves `iri`, if it is one of ours."""
    if iri.startswith(base):
        rest = iri[len(base) :]
        # the resources, and this server's endpoint, catalogue and files (a catalogue query
        # names its endpoint and the page that runs it; VoID, the endpoint and the dumps)
        if rest.startswith(("id/", "concept/", "queries/", "dumps/")) or rest == "sparql":
            return "/" + rest
        if rest.startswith("ns"):
            return "/ns" + (rest[2:] if rest[2:3] == "#" else "")
    return None


def script_json(doc: object) -> str:
    """`doc` as JSON text to embed in a <script> element ("</" cannot end it early)."""
    return json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")


def render(template: str, lang: str, **context: object) -> str:
    """`template` in `lang`. `keep` (a query string) is what the language switch keeps of
    the page's URL besides `lang` (none by default)."""
    return TEMPLATES.get_template(template).render(lang=lang, t=UI[lang], **context)


def kept_query(request: Request) -> str:
    """The page's query string without `lang`, for its language switch: switching keeps a
    search's words, the editor's query, a catalogue query's parameters. (A catalogue query
    that takes a `lang` parameter reads the same `lang`: switching changes its labels too.)"""
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])


#: The endpoint page's words, in each language (what a browser sees at /sparql)
ENDPOINT_WORDS = {
    "fr": {
        "title": "Point d'accès SPARQL d'aigraph",
        "intro": "Ceci est un point d'accès "
        '<a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL 1.1 Protocol</a> : '
        "envoyez une requête par <code>GET {url}?query=…</code> ou <code>POST</code>. "
        'Sa <a href="{url}?format=turtle">description de service</a> dit ce qu\'il offre ; '
        'la <a href="/.well-known/void">description du jeu de données</a> et les '
        '<a href="/dumps/">téléchargements</a> disent ce qu\'il sert.',
        "editor": "Pour écrire une requête avec complétion, résultats étiquetés et graphiques : "
        'l\'<a href="/query">éditeur SPARQL</a>. Le programme de la journée : '
        '<a href="/">aigraph</a>.',
        "query": "Requête",
        "run": "Exécuter",
    },
    "en": {
        "title": "aigraph SPARQL endpoint",
        "intro": "This is a "
        '<a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL 1.1 Protocol</a> '
        "endpoint: send a query with <code>GET {url}?query=…</code> or <code>POST</code>. "
        'Its <a href="{url}?format=turtle">Service Description</a> says what it offers; the '
        '<a href="/.well-known/void">dataset description</a> and the '
        '<a href="/dumps/">downloads</a> say what it serves.',
        "editor": "To write a query with completion, labelled results and charts: the "
        '<a href="/query">SPARQL editor</a>. The day\'s programme: <a href="/">aigraph</a>.',
        "query": "Query",
        "run": "Run",
    },
}


def endpoint_page(endpoint: str, lang: str = "en") -> str:
    """The small page a browser gets at /sparql with no query: a form, and where to go."""
    url = escape(endpoint, quote=True)
    words = ENDPOINT_WORDS[lang]
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{words["title"]}</title>
<link rel="describedby" type="text/turtle" href="/.well-known/void"></head>
<body>
<h1>{words["title"]}</h1>
<p>{words["intro"].format(url=url)}</p>
<p>{words["editor"]}</p>
<form method="get" action="{url}">
<label for="query">{words["query"]}</label><br>
<textarea id="query" name="query" rows="8" cols="80">
SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10</textarea><br>
<label for="format">Format</label>
<select id="format" name="format">
<option>json</option><option>xml</option><option>csv</option><option>tsv</option>
</select>
<button type="submit">{words["run"]}</button>
</form>
</body></html>
"""
