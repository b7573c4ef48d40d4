"""The nationwide corpus: 39 real budgets from 12 cities in nine layouts.

Each document's metadata is checked against its MANIFEST.tsv row and each of its
reference figures (tests/data/nationwide/reference.csv, verified two ways) must
come out exact: an absent figure fails here as a wrong one does. The documents are
extracted once per session by the `nationwide` fixture (tests/conftest.py).
"""

from __future__ import annotations

import pytest

from tests.support.references import nationwide_documents

DOCUMENTS = {d.name: d for d in nationwide_documents()}


def test_corpus_is_complete():
    assert len(DOCUMENTS) == 39
    assert sum(len(d.figures) for d in DOCUMENTS.values()) == 138
    assert all(d.path.exists() for d in DOCUMENTS.values())


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document(nationwide, name):
    expected = DOCUMENTS[name]
    parsed = nationwide[name]
    assert not isinstance(parsed, str), parsed
    meta = parsed.metadata
    assert (meta.fiscal_year, meta.document_kind, meta.scope) == (expected.fiscal_year, expected.kind, expected.scope)
    assert expected.department_matches(meta.department_name), meta.department_name
    assert any(s.statement != "unknown" for s in parsed.statements)
    got = {h.metric: h.value_yuan for h in parsed.headlines}
    assert {m: got.get(m) for m in expected.figures} == expected.figures
