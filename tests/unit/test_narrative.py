"""Claims read from the prose, against sentences transcribed by hand from corpus PDFs.

The expected figures in tests/data/narrative/change_sentences.json were read from each
sentence by a person; the sentences are kept there, so no PDF is needed here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.extraction.narrative import Claim, read_claims

DATA = Path(__file__).resolve().parents[1] / "data" / "narrative" / "change_sentences.json"
TOTALS = {"total_income", "total_expenditure"}


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _sentences() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["sentences"]


def _claims(text: str) -> list[Claim]:
    return [c for c in read_claims([text]) if c.subject in TOTALS]


def _is_right(claim: Claim | None, expected: dict) -> bool:
    return claim is not None and (
        claim.amount_yuan == _decimal(expected["amount"])
        and claim.change_yuan == _decimal(expected["change"])
        and claim.direction == expected["direction"]
        and claim.change_pct == _decimal(expected["pct"])
        and claim.basis == expected["basis"]
        and claim.basis_year == expected.get("basis_year")
    )


def test_the_hand_transcribed_sentences_cover_ten_documents():
    assert len({s["file"] for s in _sentences()}) >= 10


def test_nine_in_ten_change_claims_about_the_totals_are_read_right():
    expected = [(s, e) for s in _sentences() for e in s["claims"]]
    right = 0
    for sentence, claim in expected:
        found = [c for c in _claims(sentence["text"]) if c.subject == claim["subject"]]
        right += any(_is_right(c, claim) for c in found)
    assert right / len(expected) >= 0.9, f"{right} of {len(expected)} read right"


def test_no_claim_about_the_totals_has_a_wrong_figure():
    """A claim may miss a figure (None), but never state one the sentence does not."""
    for sentence in _sentences():
        expected = {e["subject"]: e for e in sentence["claims"]}
        for claim in _claims(sentence["text"]):
            assert claim.subject in expected, (sentence["file"], claim)
            wanted = expected[claim.subject]
            for got, printed in (
                (claim.amount_yuan, wanted["amount"]),
                (claim.change_yuan, wanted["change"]),
                (claim.change_pct, wanted["pct"]),
            ):
                assert got is None or got == _decimal(printed), (sentence["file"], claim)


def test_a_sentence_across_a_page_break_keeps_the_page_of_its_subject():
    pages = ["…说明\n2026年本部门收入预算7,651.71万元，比上年减少458.14万", "- 23 -\n元，下降5.6%。"]
    [claim] = read_claims(pages)
    assert (claim.page, claim.change_yuan, claim.change_pct) == (1, Decimal("-4581400.00"), Decimal("-5.60"))


def test_an_item_of_a_named_part_does_not_take_the_total_s_figures():
    text = "收入预算19,577万元，其中：财政拨款收入19,577万元，比2025年预算减少290万元；事业收入0万元；其他收入0万元。"
    claims = {c.subject: c for c in read_claims([text])}
    assert claims["total_income"].change_yuan is None
    assert claims["fiscal_appropriation_income"].change_yuan == Decimal("-2900000.00")
    assert (claims["fiscal_appropriation_income"].basis, claims["fiscal_appropriation_income"].basis_year) == (
        "budget",
        2025,
    )
    assert set(claims) == {"total_income", "fiscal_appropriation_income"}


def test_an_aside_has_its_own_claims_and_the_claim_before_it_resumes():
    text = (
        "公务用车购置及运行维护费24.8万元（公务用车购置费0万元，比上年减少19.6万元；"
        "公务用车运行维护费24.8万元，比上年减少5.45万元。）比上年减少25.05万元，下降50.3%。"
    )
    claims = {c.subject: c for c in read_claims([text])}
    assert claims["official_vehicles"].change_yuan == Decimal("-250500.00")
    assert claims["vehicle_purchase"].change_yuan == Decimal("-196000.00")
    assert claims["vehicle_operation"].amount_yuan == Decimal("248000.00")


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("其中：(1)公务用车购置预算支出50万元，与上年预算数相等。", "vehicle_purchase"),
        ("2018年度政府采购支出预算总额3,096.24万元。", None),
        ("2.其他资金收入预算总计15万元。", None),
        ("2022年一般公共预算较上年增加406.39万元。", None),
    ],
)
def test_a_part_s_figures_are_never_the_total_s(text: str, subject: str | None):
    assert [c.subject for c in read_claims([text])] == ([subject] if subject else [])


def test_a_change_without_a_basis_is_not_read():
    [claim] = read_claims(["2026年本部门收入预算100万元，增加10万元。"])
    assert (claim.amount_yuan, claim.change_yuan, claim.basis) == (Decimal("1000000.00"), None, None)


def test_stored_output_from_before_every_page_was_kept_asks_for_the_page_texts():
    from pipelines.extraction.document import RawDocument

    old = RawDocument.from_dict({"sha256": "0" * 64, "pages": 5, "first_page_texts": ["a", "b", "c"], "tables": []})
    assert (old.page_texts, old.has_all_page_texts) == (["a", "b", "c"], False)
    assert RawDocument.from_dict(old.to_dict() | {"page_texts": list("abcde")}).has_all_page_texts


def test_spending_stated_right_after_the_appropriations_income_is_the_appropriations():
    # xian_hrss_2020_budget.pdf p12
    text = (
        "本部门财政拨款收入预算总计 181807.13 万元，全部为一般公共预算拨款。支出预算总计\n"
        "181807.13 万元，全部为一般公共预算拨款。"
    )
    assert [c.subject for c in read_claims([text])] == [
        "fiscal_appropriation_income",
        "fiscal_appropriation_expenditure",
    ]
    # jiangsu_npc_office_2018_budget.pdf p19-20: the income's parts come between, the total follows
    text = (
        "（一）收入预算总计 15897.44 万元。包括：1．财政拨款收入预算总计 15897.44 万元。"
        "2．财政专户管理资金收入预算总计 0 万元。3．其他资金收入预算总计 0 万元。（二）支出预算总计 15897.44 万元。"
    )
    assert [c.subject for c in read_claims([text])] == [
        "total_income",
        "fiscal_appropriation_income",
        "total_expenditure",
    ]


def test_each_claim_keeps_the_basis_its_own_clause_states():
    text = "收入预算100万元，比上年执行数增加10万元；支出预算100万元，比2025年预算减少5万元。"
    claims = {c.subject: (c.basis, c.basis_year, c.change_yuan) for c in read_claims([text])}
    assert claims == {
        "total_income": ("execution", None, Decimal("100000.00")),
        "total_expenditure": ("budget", 2025, Decimal("-50000.00")),
    }
