"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in tests/test_robustness.py: a serializer for
the SPARQL Protocol's direct POST bodies, which schemathesis does not know — the query or
update text itself, in UTF-8 (SPARQL 1.1 Protocol §2.1.3, §2.2.2)."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.serializer("application/sparql-query", "application/sparql-update")
def sparql_text(ctx: Any, value: Any) -> bytes:
    return ("" if value is None else str(value)).encode("utf-8")
