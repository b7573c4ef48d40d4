"""Headlines beyond the reference totals, against figures read off the printed pages.

tests/data/nationwide/hand_checked.csv holds, per document, what it prints for the
"三公" subtotal, the fiscal-appropriation income line and the function classes of the
general-public-budget table (and a few figures it does not print at its own level).
A published headline for one of them must be exactly that figure or absent: absent
is honest, a different value is the worst outcome (三公 read in the wrong unit or
from the previous year, a class taken from the table of all funds).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from pipelines.extraction.document import ParsedDocument
from tests.support.references import HandCheckedFigure, hand_checked_figures, nationwide_documents

FIGURES = hand_checked_figures()
METRIC_FAMILIES = ("three_public_total", "fiscal_appropriation_income", "function:")


def _published(parsed: ParsedDocument | str, metric: str) -> set[Decimal]:
    """Every value published for the metric; a document that failed to extract publishes none."""
    if isinstance(parsed, str):
        return set()
    return {h.value_yuan for h in parsed.headlines if h.metric == metric}


def _expected(figure: HandCheckedFigure) -> set[Decimal]:
    """What may be published: the printed figure, or nothing where the document prints none."""
    return set() if figure.value_yuan is None else {figure.value_yuan}


def _outcome(parsed: ParsedDocument | str, figure: HandCheckedFigure) -> str:
    published = _published(parsed, figure.metric)
    if not published:
        return "absent"
    return "exact" if published == _expected(figure) else "wrong"


def test_hand_checked_file_is_consistent():
    documents = {d.name for d in nationwide_documents()}
    keys = [(f.file, f.metric) for f in FIGURES]
    assert len(keys) == len(set(keys)), "one row per document and metric"
    for figure in FIGURES:
        assert figure.file in documents, figure.file
        assert figure.metric.startswith(METRIC_FAMILIES), figure.metric
        assert figure.unit in ("元", "万元"), figure.unit
        assert figure.page > 0 and figure.note
        assert figure.value_yuan == figure.printed_in_yuan(), (figure.file, figure.metric)


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f"{f.file}:{f.metric}")
def test_published_headline_is_exact_or_absent(nationwide, figure):
    published = _published(nationwide[figure.file], figure.metric)
    assert published <= _expected(figure), (
        f"printed {figure.printed or 'nothing'} {figure.unit} on p{figure.page} ({figure.note}); "
        f"published {sorted(published)}"
    )


@pytest.mark.parametrize("name", sorted(d.name for d in nationwide_documents()))
def test_function_headlines_are_function_classes(nationwide, name):
    """Function classes (类) of the 支出功能分类 are 2xx; 3xx/5xx are economic classes."""
    parsed = nationwide[name]
    codes = (
        []
        if isinstance(parsed, str)
        else [h.metric.split(":")[1] for h in parsed.headlines if h.metric.startswith("function:")]
    )
    assert [c for c in codes if not c.startswith("2")] == []


def test_outcome_counts(nationwide):
    outcomes = Counter()
    for figure in FIGURES:
        family = figure.metric.split(":")[0]
        outcomes[(family, _outcome(nationwide[figure.file], figure))] += 1
    for family in sorted({family for family, _ in outcomes}):
        counts = {o: outcomes[(family, o)] for o in ("exact", "absent", "wrong")}
        print(f"hand-checked {family}: {counts}")
    assert sum(n for (_, outcome), n in outcomes.items() if outcome == "wrong") == 0
