"""The authority files aigraph links to, how their identifiers are written, and their check
characters. One table, used by the source checks, the reconciliation tool and the status
report.

Check characters, from each scheme's own definition:
- ISNI and ORCID: ISO 7064 MOD 11-2 over the first 15 digits, "X" for 10 (ISO 27729; ORCID
  "Structure of the ORCID Identifier");
- ROR: "0", six Crockford base-32 characters, and two check digits, ISO 7064 MOD 97-10 of the
  base-32 value (ROR "Identifier" documentation);
- SIREN: 9 digits whose Luhn sum is a multiple of 10 (INSEE, répertoire Sirene);
- IdRef (PPN): 8 digits and a MOD 11 check character, weights 9…2, "X" for 10 (ABES);
- Wikidata, VIAF, BnF, Archives nationales: syntax only (no check character, or one
  aigraph does not verify).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def iso7064_mod11_2(digits: str) -> str:
    """The check character of ISNI and ORCID for the 15 digits given."""
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def ror_checksum(body: str) -> str:
    """The two check digits of a ROR id for its six base-32 characters."""
    value = 0
    for ch in body:
        value = value * 32 + CROCKFORD.index(ch)
    return f"{98 - (value * 100) % 97:02d}"


def idref_check(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
    result = (11 - total % 11) % 11
    return "X" if result == 10 else str(result)


def _isni_ok(local: str) -> bool:
    return iso7064_mod11_2(local[:15]) == local[15]


def _orcid_ok(local: str) -> bool:
    digits = local.replace("-", "")
    return iso7064_mod11_2(digits[:15]) == digits[15]


def _ror_ok(local: str) -> bool:
    return ror_checksum(local[1:7]) == local[7:]


def _idref_ok(local: str) -> bool:
    return idref_check(local[:8]) == local[8]


@dataclass(frozen=True)
class Authority:
    """One authority file: its IRI namespace, the syntax of the local part, its check."""

    key: str
    name: str
    namespace: str
    pattern: str
    check: Callable[[str], bool] | None = None

    def matches(self, iri: str) -> bool:
        return iri.startswith(self.namespace)

    def local(self, iri: str) -> str:
        """The identifier as the authority writes it: "Q1054221" for …/entity/Q1054221."""
        return iri[len(self.namespace) :]

    def problem(self, iri: str) -> str | None:
        """None if `iri` is a well-formed identifier of this authority, else what is wrong."""
        local = self.local(iri)
        if not re.fullmatch(self.pattern, local):
            return f"{local!r} is not a {self.name} identifier (expected {self.pattern})"
        if self.check is not None and not self.check(local):
            return f"{local!r} fails the {self.name} check character"
        return None


AUTHORITIES: tuple[Authority, ...] = (
    Authority("wikidata", "Wikidata", "http://www.wikidata.org/entity/", r"Q[1-9][0-9]*"),
    Authority("isni", "ISNI", "https://isni.org/isni/", r"[0-9]{15}[0-9X]", _isni_ok),
    Authority("viaf", "VIAF", "http://viaf.org/viaf/", r"[1-9][0-9]{0,21}"),
    Authority(
        "bnf", "BnF", "https://data.bnf.fr/ark:/12148/", r"cb[0-9]{8}[0-9bcdfghjkmnpqrstvwxz]"
    ),
    Authority("idref", "IdRef", "https://www.idref.fr/", r"[0-9]{8}[0-9X]", _idref_ok),
    Authority("ror", "ROR", "https://ror.org/", r"0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}", _ror_ok),
    Authority(
        "orcid",
        "ORCID",
        "https://orcid.org/",
        r"[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]",
        _orcid_ok,
    ),
    # the Archives nationales de France's agents (RiC-O): a record producer's six digits
    # (its record FRAN_NP_…), or an entry of the index of corporate bodies (FRAN_RI_013)
    Authority(
        "anf",
        "Archives nationales",
        "https://rdf.archives-nationales.culture.gouv.fr/agent/",
        r"[0-9]{6}|FRAN_RI_013-[0-9a-z]+--?[0-9a-z]+",
    ),
)

#: SIREN is a literal (aig:siren), not an IRI: no namespace of its own.
SIREN = Authority("siren", "SIREN", "", r"[0-9]{9}", luhn_ok)
WEBSITE = "website"


def authority_of(iri: str) -> Authority | None:
    return next((a for a in AUTHORITIES if a.matches(iri)), None)


def identifier_text(iri: str) -> str:
    """How an identifier reads for a person: as its authority names it ("Wikidata
    Q1054221"), or the IRI itself when no authority of the table writes it."""
    authority = authority_of(iri)
    return iri if authority is None else f"{authority.name} {authority.local(iri)}"


def identifier_problem(target: str, *, literal: bool = False) -> str | None:
    """What is wrong with a link target, or None. Unknown namespaces (official websites) are
    accepted if they are http(s) IRIs."""
    if literal:
        return SIREN.problem(target)
    authority = authority_of(target)
    if authority is not None:
        return authority.problem(target)
    if not re.match(r"https?://[^\s/]+", target):
        return f"{target!r} is neither a known authority's identifier nor a web address"
    return None
