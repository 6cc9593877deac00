"""The source text: the release, byte-identical to its origin, in NFC.

Position selectors count Unicode code points in this text (Web Annotation Data Model §4.2.2,
https://www.w3.org/TR/annotation-model/#text-position-selector): the text is read as a Python
``str``, never indexed as bytes (6,473 code points, 6,664 UTF-8 bytes).
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path


class SourceTextError(Exception):
    """The source text cannot be used: unreadable, not UTF-8, or not in NFC."""


@dataclass(frozen=True)
class SourceText:
    path: Path
    text: str
    sha256: str

    @property
    def slug(self) -> str:
        """The name under ``id/text/`` (the file name without extension)."""
        return self.path.stem


def load_source_text(path: Path) -> SourceText:
    """Read the source text and check that selectors can rely on it.

    Raises:
        SourceTextError: if the file is missing, not UTF-8 or not in Unicode NFC.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceTextError(f"{path}: cannot read the source text ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceTextError(f"{path}: not UTF-8 at byte {exc.start}") from exc
    if not unicodedata.is_normalized("NFC", text):
        raise SourceTextError(
            f"{path}: not in Unicode NFC; selectors count code points of the NFC form"
        )
    return SourceText(path=path, text=text, sha256=hashlib.sha256(raw).hexdigest())
