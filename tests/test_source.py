"""The source text is the release, byte for byte, in NFC."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pytest

from aigraph.project import Project
from aigraph.source import SourceTextError, load_source_text

SHA256 = "093abb534ccd7ea2b82963de8d4114f8f8d6a387575d1ff1754bea8996d5755f"
SHARED_COPY = (
    Path(__file__).resolve().parents[2] / "shared" / "source" / "cnc-ia-release-2025-11-04.txt"
)


def test_checksum_and_form(project: Project) -> None:
    raw = project.source_text.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256
    text = raw.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert (len(raw), len(text)) == (6664, 6473)


def test_readme_states_the_checksum(project: Project) -> None:
    readme = (project.source_text.parent / "README.md").read_text(encoding="utf-8")
    assert SHA256 in readme and "2025-11-04" in readme


@pytest.mark.skipif(not SHARED_COPY.exists(), reason="no shared/ folder beside the checkout")
def test_identical_to_the_copy_the_project_received(project: Project) -> None:
    assert project.source_text.read_bytes() == SHARED_COPY.read_bytes()


@pytest.mark.parametrize(
    "content,error",
    [
        (b"caf\xe9", "not UTF-8 at byte 3"),
        ("cafe\u0301".encode(), "not in Unicode NFC"),
    ],
)
def test_unusable_text_is_refused(tmp_path: Path, content: bytes, error: str) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(content)
    with pytest.raises(SourceTextError, match=error):
        load_source_text(path)


def test_missing_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceTextError, match="cannot read"):
        load_source_text(tmp_path / "absent.txt")
