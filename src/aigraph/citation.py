"""How to cite the dataset, and a query's answer: made from what the editors say of the
dataset (data/dataset.ttl: its creator, title and creation date) and the project's version,
so that the citation on the home page, the one in the dataset's description
(``dcterms:bibliographicCitation``, /.well-known/void and the build's void.ttl), the
editor's "Cite this answer" and CITATION.cff (checked against it by the tests) say the
same thing.

A query's answer is cited by what makes it reproducible: the dataset and its version, the
query as a link that runs it again, the day it was run, and the SHA-256 of the data file it
ran on (the N-Quads dump, /dumps/aigraph.nq), so that a reader can tell whether the data has
changed since.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF

from aigraph import __version__

#: The kind of work, as reference styles write it after the title (APA: "[Data set]").
KIND = {"fr": "jeu de données", "en": "dataset"}


@dataclass(frozen=True)
class Citation:
    creator: str
    year: str
    title: str
    version: str
    iri: str
    lang: str

    @property
    def author(self) -> str:
        """The creator as a reference opens with it: capitalised ("The aigraph developers")."""
        return self.creator[:1].upper() + self.creator[1:]

    def text(self) -> str:
        return (
            f"{self.author} ({self.year}). {self.title} [{KIND[self.lang]}], "
            f"version {self.version}. {self.iri}"
        )


#: An entity of the dataset, cited as a part of it (APA's "In …" for a part of a work): its
#: name, the dataset and its version, and the entity's own IRI, which resolves to its page.
PART_OF = {"en": "In", "fr": "Dans"}


def entity_citation(citation: Citation, name: str, iri: str) -> str:
    """How to cite one entity's record: "The aigraph developers (2026). Perrine Vincent.
    In aigraph : … [dataset], version 0.1.0. https://w3id.org/aigraph/id/person/…"."""
    return (
        f"{citation.author} ({citation.year}). {name}. {PART_OF[citation.lang]} {citation.title} "
        f"[{KIND[citation.lang]}], version {citation.version}. {iri}"
    )


def dataset_citation(description: Graph, dataset: URIRef, lang: str) -> Citation:
    """The citation of `dataset` in `lang` (fr or en), from its editors' `description`
    (aigraph.metadata.editorial_description)."""
    creator = description.value(dataset, DCTERMS.creator)
    name = description.value(creator, FOAF.name) if creator is not None else None
    created = description.value(dataset, DCTERMS.created)
    titles = [
        str(o)
        for o in description.objects(dataset, DCTERMS.title)
        if isinstance(o, Literal) and o.language == lang
    ]
    if name is None or created is None or not titles:
        raise ValueError("data/dataset.ttl lacks the creator's name, the date or a title")
    return Citation(str(name), str(created)[:4], titles[0], __version__, str(dataset), lang)


#: A query's answer, cited: the dataset, the query as the editor's link that runs it again,
#: the day it was run, its size and the data file's checksum. {url}, {date} and {rows} are
#: filled where the answer is known: by the server for the page without JavaScript, by the
#: editor's script otherwise (aigraph.server.ui, ui/src/query.js).
ANSWER = {
    "en": "{dataset}. SPARQL query: {url} (run on {date}; {rows}{data}).",
    "fr": "{dataset}. Requête SPARQL : {url} (exécutée le {date} ; {rows}{data}).",
}
DATA = {"en": "; data: aigraph.nq, SHA-256 {sha}", "fr": " ; données : aigraph.nq, SHA-256 {sha}"}


#: In place of the checksum: the script fills it in from /dumps/ (or drops the data's part
#: where the server offers no dump).
CHECKSUM_LATER = "{sha}"


def answer_template(citation: Citation, sha256: str | None) -> str:
    """The citation of an answer, with {url}, {date} and {rows} left to fill; with the
    data's checksum `sha256` (or CHECKSUM_LATER), or without it where the server offers no
    dump (too large, or a remote store)."""
    data = DATA[citation.lang].replace("{sha}", sha256) if sha256 else ""
    template = ANSWER[citation.lang].replace("{data}", data)
    return template.replace("{dataset}", citation.text())
