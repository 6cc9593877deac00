"""Content negotiation by the rules of RFC 9110 §12.5.1 (Accept) and §12.4.2 (quality values).

- ``Accept`` is a list of media ranges (``type/subtype``, ``type/*``, ``*/*``) with optional
  parameters and a weight ``q`` (0 to 1, at most three decimals; ``q=0`` means "not
  acceptable").
- For each offer, the *most specific* matching range gives its weight (``text/*;q=0.1,
  text/turtle`` gives Turtle q=1); a range with parameters matches only offers with the same
  parameters, except ``charset=utf-8``, which is what every aigraph response uses, and
  JSON-LD's ``profile``: the expanded form is plain ``application/ld+json`` (what aigraph
  gives by default), the compacted form is the offer that names it (see `JSONLD`).
- The best offer has the highest weight; ties go to the more specific match, then to the
  server's order of preference. No acceptable offer → ``None`` (the caller answers 406:
  never a silent fallback).
- No ``Accept`` header (or an empty one) means anything is acceptable: the first offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

#: JSON-LD's media type, and the profiles (JSON-LD 1.1 §9.4, IANA registration) of its
#: document forms. aigraph's JSON-LD is in expanded form unless the client names the
#: compacted one (full IRIs, every value in an array, no @context: Oxigraph's writer): a
#: range whose profile lists the expanded form matches plain ``application/ld+json``; one
#: that lists the compacted form (and not the expanded) matches only the offer with that
#: profile; one that lists neither (the flattened form alone) matches no offer: 406.
JSONLD = ("application", "ld+json")
EXPANDED = "http://www.w3.org/ns/json-ld#expanded"
COMPACTED = "http://www.w3.org/ns/json-ld#compacted"


class AcceptHeaderError(ValueError):
    """The Accept header is malformed (a bad range or weight); the caller answers 400."""


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float = 1.0
    params: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def specificity(self) -> int:
        """3 for type/subtype with parameters, 2 for type/subtype, 1 for type/*, 0 for */*."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str) -> bool:
        main, _, rest = media_type.partition(";")
        otype, _, osub = main.strip().lower().partition("/")
        if self.type != "*" and self.type != otype:
            return False
        if self.subtype != "*" and self.subtype != osub:
            return False
        offered = dict(_params(rest))
        return all(offered.get(k) == v for k, v in self.params)


def _params(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise AcceptHeaderError(f"malformed media-type parameter {part.strip()!r}")
        out.append((key.strip().lower(), value.strip().strip('"').lower()))
    return out


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header (empty list: no preference)."""
    if header is None or not header.strip():
        return []
    ranges = []
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue  # RFC 9110 §5.6.1: empty list elements are ignored
        main, _, rest = item.partition(";")
        mtype, slash, subtype = main.strip().lower().partition("/")
        if not slash or not mtype or not subtype or (mtype == "*" and subtype != "*"):
            raise AcceptHeaderError(f"malformed media range {main.strip()!r}")
        q = 1.0
        params = []
        for key, value in _params(rest):
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    raise AcceptHeaderError(f"malformed weight q={value!r}") from None
                if not 0.0 <= q <= 1.0:
                    raise AcceptHeaderError(f"weight out of range: q={value}")
            elif key == "charset" and value == "utf-8":
                continue  # every response is UTF-8
            elif key == "profile" and (mtype, subtype) == JSONLD and EXPANDED in value.split():
                continue  # plain application/ld+json is in expanded form
            elif key == "profile" and (mtype, subtype) == JSONLD and COMPACTED in value.split():
                params.append((key, COMPACTED))  # the profile may list other forms beside it
            else:
                params.append((key, value))
        ranges.append(MediaRange(mtype, subtype, q, tuple(params)))
    return ranges


def negotiate(header: str | None, offers: list[str]) -> str | None:
    """The best of `offers` (in server preference order) for an Accept header, or None."""
    return _negotiate(header, tuple(offers))


# Clients send the same few Accept headers again and again: each is parsed and matched once
# (a malformed one raises every time: exceptions are not cached).
@lru_cache(maxsize=1024)
def _negotiate(header: str | None, offers: tuple[str, ...]) -> str | None:
    ranges = parse_accept(header)
    if not ranges:
        return offers[0] if offers else None
    best: tuple[float, int, int] | None = None
    choice = None
    for index, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        top = max(matching, key=MediaRange.specificity)
        # the most specific ranges decide; among equally specific ones, the highest weight
        q = max(r.q for r in matching if r.specificity() == top.specificity())
        if q <= 0:
            continue
        key = (q, top.specificity(), -index)
        if best is None or key > best:
            best, choice = key, offer
    return choice
