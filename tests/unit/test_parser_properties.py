"""Property-based tests of the cell parsers: whatever a cell holds, a parser either
returns a value of its documented kind or raises its own error (AmountError,
MetadataError), never a stray TypeError, InvalidOperation or IndexError."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.extraction.classification import ClassCodes, region_prefix
from pipelines.extraction.lines import join_code
from pipelines.extraction.measures import MEASURES, measure_for
from pipelines.extraction.metadata import DocumentMetadata, MetadataError, read_metadata
from pipelines.extraction.numbers import (
    MAX_YUAN,
    PRINTED_UNIT,
    UNIT_FACTORS,
    AmountError,
    find_unit,
    parse_amount,
    to_yuan,
)
from pipelines.extraction.registry import STATEMENTS, classify_title, find_title
from pipelines.extraction.text import _ORDINAL_PREFIX, compact, normalize, strip_ordinal

PROPERTIES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Cell text as PDFs print it: digits, separators, signs, CJK, full-width forms, whitespace.
CELL_ALPHABET = st.sampled_from(
    list("0123456789,.-()（）， \n\t") + list("万元合计一二三、：:无—－/%eE+") + ["１", "２", "．", "\u3000", "٣", "²"]
)
cell_text = st.one_of(st.text(CELL_ALPHABET, max_size=30), st.text(max_size=30))


def printed(amount: Decimal, grouped: bool) -> str:
    """An amount as a budget table prints it: thousands separators, two decimals."""
    text = f"{abs(amount):,.2f}" if grouped else f"{abs(amount):.2f}"
    return f"-{text}" if amount < 0 else text


@PROPERTIES
@given(cell_text)
@example("9" * 60)
@example("(1,234.50)")
@example("()")
@example("NaN")
@example("Infinity")
@example("1e3")
@example("=SUM(B2:B4)")
@example("open('PWNED','w')")
def test_parse_amount_returns_a_decimal_none_or_amount_error(text):
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert value is None or (isinstance(value, Decimal) and value.is_finite())


@PROPERTIES
@given(st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), places=2), st.booleans())
def test_printed_amounts_parse_back_exactly(amount, grouped):
    assert parse_amount(printed(amount, grouped)) == amount
    # A number wrapped inside a narrow cell comes with a line break in it.
    text = printed(amount, grouped)
    assert parse_amount(text[:-1] + "\n" + text[-1]) == amount


@PROPERTIES
@given(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.one_of(st.sampled_from(sorted(UNIT_FACTORS)), st.text(max_size=4)),
)
@example(Decimal("9" * 40), "万元")
@example(Decimal("999999999999.99"), "万元")
def test_to_yuan_is_exact_or_an_amount_error(amount, unit):
    try:
        yuan = to_yuan(amount, unit)
    except AmountError:
        # Only an unknown unit, NaN / infinity, or an amount of 10^16 yuan or more (15: rounding).
        assert (
            unit not in UNIT_FACTORS
            or not amount.is_finite()
            or amount.adjusted() + UNIT_FACTORS[unit].adjusted() >= 15
        )
        return
    assert abs(yuan) < MAX_YUAN and yuan.as_tuple().exponent == -2
    assert abs(yuan - amount * UNIT_FACTORS[unit]) <= Decimal("0.005")


@PROPERTIES
@given(st.text(max_size=60))
def test_find_unit_names_a_money_unit_or_none(text):
    # A unit outside UNIT_FACTORS (千元) is returned as printed, so that its amounts fail
    # to convert instead of being read in the document's default unit.
    unit = find_unit(text)
    assert unit is None or re.fullmatch(PRINTED_UNIT, unit)


@PROPERTIES
@given(st.text(max_size=10), st.sampled_from(["万元", "元", "千元", "亿元"]))
def test_a_unit_line_is_found_wherever_it_is_printed(prefix, unit):
    assert find_unit(f"部门：某某单位 单位：{unit}") == unit
    assert find_unit(f"{prefix}金额单位:{unit}") == unit or "单位" in compact(prefix)


@PROPERTIES
@given(st.lists(st.from_regex(r"\A[0-9]{1,3}\Z"), max_size=4))
def test_join_code_of_printed_parts(parts):
    code = join_code(parts)
    if not parts:
        assert code is None
    else:
        assert code.isdigit() and code.startswith(parts[0])
        pieces = parts[1:]
        joined = pieces[: next((i for i, p in enumerate(pieces) if len(p) > 2), len(pieces))]
        assert len(code) == len(parts[0]) + 2 * len(joined)


@PROPERTIES
@given(st.text(max_size=40))
def test_text_normalisation_never_fails(text):
    normalized = normalize(text)
    assert normalize(normalized) == normalized
    compacted = compact(text)
    assert not any(ch.isspace() for ch in compacted)
    stripped = strip_ordinal(text)
    assert not _ORDINAL_PREFIX.match(stripped) and compact(text).endswith(stripped)


@PROPERTIES
@given(st.text(max_size=60))
def test_titles_name_a_registered_statement_or_none(text):
    assert classify_title(text) in (None, *STATEMENTS)
    found = find_title(text.splitlines() or [text])
    assert found is None or found[1] in STATEMENTS


@PROPERTIES
@given(st.lists(st.text(max_size=12), max_size=4), st.booleans())
def test_measures_come_from_the_vocabulary(path, single):
    assert measure_for(path, single) in MEASURES


@PROPERTIES
@given(st.text(max_size=30))
def test_classification_keys_and_regions(name):
    assert isinstance(ClassCodes.key(name), str)
    region = region_prefix(name)
    assert region is None or name.startswith(region)


YEAR_TEXT = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda y, d, k, noise: f"{noise}{d}\n{y}年{k}",
        st.integers(1900, 2199),
        st.text(max_size=12),
        st.sampled_from(["部门预算", "单位决算", "年度部门决算", "预算"]),
        st.text(max_size=8),
    ),
)


@PROPERTIES
@given(
    st.lists(YEAR_TEXT, max_size=3),
    st.lists(st.text(max_size=30), max_size=3),
    st.lists(st.text(max_size=30), max_size=3),
    st.lists(st.sampled_from(["万元", "元"]), max_size=3),
)
@example(["深圳市福田区政务服务数据管理局\n2022年部门预算"], [], [], [])
def test_metadata_is_read_or_a_metadata_error(pages, context, titles, units):
    try:
        meta = read_metadata(pages, context, titles, units)
    except MetadataError:
        return
    assert isinstance(meta, DocumentMetadata)
    assert 2000 <= meta.fiscal_year <= 2099  # the cover and title patterns read 20xx only
    assert meta.document_kind in ("budget", "final_accounts") and meta.scope in ("department", "unit")
    assert meta.printed_unit in UNIT_FACTORS and meta.department_name and meta.pages == len(pages)
