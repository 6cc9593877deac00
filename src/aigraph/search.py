"""Finding the graph's entities by name: an index of their labels in French and English,
accent- and case-insensitive, for the search box, the reconciliation service and the Wikidata
reconciliation tool (which scores candidates with the same comparison).

Labels are read from the graph with one SPARQL query (schema:name, rdfs:label,
skos:prefLabel), so the index says what the graph says; it is rebuilt when the data changes.
An entity is also found by its identifiers elsewhere (schema:sameAs, skos:exactMatch: a
Wikidata item, an ISNI…), given whole or as its authority writes it ("Q1054221").
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from aigraph.engine import as_solutions
from aigraph.linking.identifiers import authority_of, identifier_text

#: The kinds of entity a person looks for, by class (the first that applies wins), with
#: their names in the interface's languages, singular and plural.
KINDS: tuple[tuple[str, str, dict[str, str], dict[str, str]], ...] = (
    (
        "person",
        "http://schema.org/Person",
        {"fr": "personne", "en": "person"},
        {"fr": "personnes", "en": "people"},
    ),
    (
        "organisation",
        "http://www.w3.org/ns/org#Organization",
        {"fr": "organisation", "en": "organisation"},
        {"fr": "organisations", "en": "organisations"},
    ),
    (
        "event",
        "https://w3id.org/aigraph/ns#StudyDay",
        {"fr": "journée", "en": "study day"},
        {"fr": "journées", "en": "study days"},
    ),
    (
        "session",
        "https://w3id.org/aigraph/ns#Session",
        {"fr": "session", "en": "session"},
        {"fr": "sessions", "en": "sessions"},
    ),
    (
        "programme",
        "https://w3id.org/aigraph/ns#Initiative",
        {"fr": "programme", "en": "programme"},
        {"fr": "programmes", "en": "programmes"},
    ),
    (
        "topic",
        "https://w3id.org/aigraph/concept/scheme/topics",
        {"fr": "thème", "en": "topic"},
        {"fr": "thèmes", "en": "topics"},
    ),
    # how the release introduces people ("journaliste", "scénariste"): their pages list who
    # held them, so that "the journalists of the day" is one search away
    (
        "job-title",
        "https://w3id.org/aigraph/concept/scheme/job-titles",
        {"fr": "fonction", "en": "job title"},
        {"fr": "fonctions", "en": "job titles"},
    ),
    (
        "occupation",
        "https://w3id.org/aigraph/concept/scheme/occupations",
        {"fr": "métier", "en": "occupation"},
        {"fr": "métiers", "en": "occupations"},
    ),
)
KIND_NAMES = {key: names for key, _, names, _ in KINDS}


def kind_plurals(lang: str) -> dict[str, str]:
    """Each kind's plural name in `lang`, for the pages that list them."""
    return {key: plural[lang] for key, _, _, plural in KINDS}


CLASSES = " ".join(f"<{iri}>" for _, iri, _, _ in KINDS)
LABELS_QUERY = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?class ?label WHERE {{
  {{ ?s a ?class }} UNION {{ ?s skos:inScheme ?class }}
  VALUES ?class {{ {CLASSES} }}
  {{ ?s schema:name ?label }} UNION {{ ?s rdfs:label ?label }} UNION {{ ?s skos:prefLabel ?label }}
  # a served file may say anything: only IRIs are entities, only literals are names
  FILTER (isIRI(?s) && isLiteral(?label))
}}"""

IDENTIFIERS_QUERY = """
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?id WHERE { ?s schema:sameAs|skos:exactMatch ?id FILTER (isIRI(?id)) }"""


def identifier_key(text: str) -> str:
    """How an identifier is looked up: case aside, and without the spaces an ISNI is often
    printed with ("0000 0001 2158 6061")."""
    text = text.strip()
    if re.fullmatch(r"[0-9X ]+", text, re.IGNORECASE):
        text = text.replace(" ", "")
    return text.casefold()


def identifier_keys(iri: str) -> tuple[tuple[str, ...], str]:
    """The texts an identifier is found by (its IRI, and the local part its authority
    writes: "Q1054221"), and how it reads ("Wikidata Q1054221", or the IRI itself)."""
    authority = authority_of(iri)
    keys = (iri,) if authority is None else (iri, authority.local(iri))
    return keys, identifier_text(iri)


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Béatrice  Bauwens" → "beatrice bauwens"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", bare.casefold()).split())


def search_words(iri: str) -> str:
    """The words of an IRI's last segment ("jean-michel-jar/" gives "jean michel jar"), for
    the search a page not found offers: a mistyped or stale link still names what it meant."""
    last = unquote(iri.rstrip("/").rsplit("/", 1)[-1])
    words = " ".join(re.split(r"[-_+\s]+", last)).strip()
    return words if any(c.isalpha() for c in words) else ""


def meant(name: str, names: Iterable[str]) -> str | None:
    """The one of `names` that `name` most likely mistypes (a missing or extra letter, a
    different case, a suffix such as ``.csv``), or None: what "no X named …" adds as "did
    you mean …?"."""
    by_fold = {n.casefold(): n for n in names}
    found = difflib.get_close_matches(name.casefold(), list(by_fold), n=1, cutoff=0.75)
    return by_fold[found[0]] if found else None


def did_you_mean(name: str | None) -> str:
    """The words that name what was meant, to end a message with ("" for nothing)."""
    return f"; did you mean {name!r}?" if name else ""


def similarity(query: str, label: str) -> float:
    """How well `query` names `label`, from 0 to 1 (both folded first).

    1 for the same words; 0.9 when every word of the query starts a word of the label in
    order of typing (type-ahead: "jarr" → "Jean-Michel Jarre"); otherwise a blend of the
    character-level ratio and the share of the query's words found in the label."""
    return Folded(query).score(fold(label))


class Folded:
    """A search text folded once, scored against many folded labels (a search at 10^6
    triples compares it with 26,000 entities' labels)."""

    def __init__(self, text: str) -> None:
        self.text = fold(text)
        self.words = self.text.split()
        self.sorted_words = sorted(self.words)

    def score(self, label: str, floor: float = 0.0) -> float:
        """`similarity` for an already folded `label`; a label that cannot reach `floor`
        may score 0 without being compared in full."""
        q, lab = self.text, label
        if not q or not lab:
            return 0.0
        if q == lab:
            return 1.0
        l_words = lab.split()
        if self.sorted_words == sorted(l_words):
            return 0.98  # same words, another order ("Jarre Jean Michel")
        if all(any(w.startswith(qw) for w in l_words) for qw in self.words):
            return round(0.9 * (0.7 + 0.3 * min(1.0, len(q) / len(lab))), 4)
        shared = sum(1 for qw in self.words if qw in l_words) / len(self.words)
        matcher = difflib.SequenceMatcher(None, q, lab)
        # the score is 0.6 × ratio + 0.3 × shared, and both quick ratios are upper bounds of
        # the ratio (difflib's documentation): most labels are ruled out without the full one
        if floor and 0.6 * matcher.real_quick_ratio() + 0.3 * shared < floor:
            return 0.0
        if floor and 0.6 * matcher.quick_ratio() + 0.3 * shared < floor:
            return 0.0
        return round(0.6 * matcher.ratio() + 0.3 * shared, 4)


@dataclass
class Entry:
    iri: str
    kind: str
    labels: dict[str, list[str]] = field(default_factory=dict)  # language ("" = none) → labels
    _folded: list[tuple[str, str]] | None = field(default=None, repr=False, compare=False)
    _sort_key: str | None = field(default=None, repr=False, compare=False)

    def label(self, lang: str = "fr") -> str:
        for key in (lang, "", "fr", "en"):
            if self.labels.get(key):
                return sorted(self.labels[key])[0]
        return self.iri

    def sort_key(self) -> str:
        """The folded French label, by which equal scores are ordered (folded once)."""
        if self._sort_key is None:
            self._sort_key = fold(self.label())
        return self._sort_key

    def all_labels(self) -> list[str]:
        return sorted({label for labels in self.labels.values() for label in labels})

    def folded_labels(self) -> list[tuple[str, str]]:
        """(label, folded label) pairs, folded once (the labels do not change after the
        index is built)."""
        if self._folded is None:
            self._folded = [(label, fold(label)) for label in self.all_labels()]
        return self._folded


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    matched: str


class _Candidates:
    """Where a search looks first: every label of the index, folded, with the two lookups
    that find the few that can reach a search's floor without scoring all of them.

    A label reaches the floor only in one of three ways (`Folded.score`): every query word
    starts one of its words (found through the sorted words, by prefix); some query word is
    one of its words (found through the words); or, with no word shared, its character
    ratio is high enough. difflib's ratio counts the characters of its matching blocks, a
    common subsequence, so it is at most the ratio of the longest common subsequence, which
    RapidFuzz's `fuzz.ratio` computes in C for every label at once: a label below that
    bound is skipped, and the labels scored are scored exactly as before. A search at 10^6
    triples (26,017 entities) scored every label in 0.2-0.37 s."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.labels: list[tuple[Entry, str, str]] = []  # (entry, label, folded label)
        self.by_word: dict[str, list[int]] = {}  # folded word → indexes of its labels
        for entry in entries:
            for label, folded in entry.folded_labels():
                for word in set(folded.split()):
                    self.by_word.setdefault(word, []).append(len(self.labels))
                self.labels.append((entry, label, folded))
        self.folded = [folded for _, _, folded in self.labels]
        self.words = sorted(self.by_word)

    def starting(self, prefix: str) -> set[int]:
        """The labels with a word that starts with `prefix`."""
        found: set[int] = set()
        at = bisect.bisect_left(self.words, prefix)
        while at < len(self.words) and self.words[at].startswith(prefix):
            found.update(self.by_word[self.words[at]])
            at += 1
        return found

    def for_query(self, query: Folded, floor: float) -> Iterable[int]:
        """The labels that may score `floor` or more for `query` (a superset of those that
        do); every label if the floor is too low for the bounds to rule any out."""
        if floor <= 0.3:  # a shared word alone (0.3) may reach it: no bound applies
            return range(len(self.labels))
        prefixed = set.intersection(*(self.starting(w) for w in query.words))
        shared = {i for w in query.words for i in self.by_word.get(w, ())}
        # with no word shared, the score is 0.6 × ratio: the ratio must reach floor / 0.6
        # (a hair lower, for the score's rounding to 4 decimals)
        cutoff = 100 * floor / 0.6 - 0.01
        close = (
            {i for _, _, i in process.extract(
                query.text, self.folded, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )}
            if cutoff <= 100
            else set()
        )  # fmt: skip
        return prefixed | shared | close


class LabelIndex:
    """The labelled entities of a graph, searchable by name."""

    def __init__(
        self, entries: Iterable[Entry], identifiers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """`identifiers`: (entity IRI, identifier IRI) pairs, for the entities of `entries`."""
        self.entries = {e.iri: e for e in entries}
        self.candidates = _Candidates(self.entries.values())
        #: identifier_key(text) → [(entity IRI, how the identifier reads)]
        self.identifiers: dict[str, list[tuple[str, str]]] = {}
        for entity, identifier in sorted(set(identifiers)):
            if entity not in self.entries:
                continue
            keys, name = identifier_keys(identifier)
            for key in keys:
                named = self.identifiers.setdefault(identifier_key(key), [])
                if entity not in (iri for iri, _ in named):
                    named.append((entity, name))
        self._listings: dict[tuple[frozenset[str], str], list[Entry]] = {}

    def listing(self, kinds: Iterable[str], lang: str) -> list[Entry]:
        """Every entity of `kinds`, by its label in `lang` (accents and case aside), then
        IRI. Sorted once per kinds and language (44 ms for 12,000 people at 10^6 triples):
        the index does not change once built."""
        key = (frozenset(kinds), lang)
        found = self._listings.get(key)
        if found is None:
            found = [e for e in self.entries.values() if e.kind in key[0]]
            found.sort(key=lambda e: (fold(e.label(lang)), e.iri))
            self._listings[key] = found
        return found

    @classmethod
    def from_store(cls, store: ox.Store) -> LabelIndex:
        """The index of `store`, whose default graph is the merge of every graph (the
        server's ServedData.merged, an Engine's store)."""
        kind_of = {iri: key for key, iri, _, _ in KINDS}
        order = {key: i for i, (key, *_) in enumerate(KINDS)}
        entries: dict[str, Entry] = {}
        for row in as_solutions(store.query(LABELS_QUERY)):
            iri = row["s"].value
            kind = kind_of[row["class"].value]
            entry = entries.get(iri)
            if entry is None or order[kind] < order[entry.kind]:
                labels = entry.labels if entry else {}
                entry = entries[iri] = Entry(iri, kind, labels)
            label = row["label"]
            entry.labels.setdefault(label.language or "", []).append(label.value)
        for entry in entries.values():
            entry.labels = {k: sorted(set(v)) for k, v in entry.labels.items()}
        identifiers = [
            (row["s"].value, row["id"].value)
            for row in as_solutions(store.query(IDENTIFIERS_QUERY))
            if isinstance(row["s"], ox.NamedNode)
        ]
        return cls(entries.values(), identifiers)

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(iri)

    def search(
        self, text: str, kinds: Iterable[str] | None = None, limit: int = 10, floor: float = 0.5
    ) -> list[Hit]:
        """The best entities for `text`, best first (ties by label), at most `limit`."""
        wanted = set(kinds) if kinds else None
        # an identifier given whole names its entity: first, with a full score
        named = [
            Hit(self.entries[iri], 1.0, name)
            for iri, name in self.identifiers.get(identifier_key(text), [])
            if wanted is None or self.entries[iri].kind in wanted
        ]
        query = Folded(text)
        if not query.text:
            return named[:limit]  # an empty text names nothing (every score is 0)
        labels = self.candidates.labels
        best: dict[str, tuple[float, str]] = {}
        for i in self.candidates.for_query(query, floor):
            entry, label, folded = labels[i]
            if wanted is not None and entry.kind not in wanted:
                continue
            scored = (query.score(folded, floor), label)
            if scored[0] >= floor and scored > best.get(entry.iri, (0.0, "")):
                best[entry.iri] = scored
        first = {h.entry.iri for h in named}
        hits = [
            Hit(self.entries[iri], score, label)
            for iri, (score, label) in best.items()
            if iri not in first
        ]
        return named[:limit] + heapq.nsmallest(
            max(0, limit - len(named)),
            hits,
            key=lambda h: (-h.score, h.entry.sort_key(), h.entry.iri),
        )
