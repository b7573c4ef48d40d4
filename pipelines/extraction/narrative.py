"""Claims the prose (说明) makes about the budget's figures.

A budget explains its numbers in sentences such as
``2026年本部门收入预算7,651.71万元，比上年减少458.14万元，下降5.6%，主要原因是…``.
Each sentence is read left to right as a sequence of tokens: a subject (收入预算,
基本支出, “三公”经费, a classification code …), a stated amount, a basis of
comparison (比上年, 比上年执行数, 比2025年预算), a change with its direction and a
percentage.  Tokens attach to the subject before them, so clauses that share a subject
(``…万元，比上年增加X万元，增长Y%``) make one claim.  The rules are on the sentence's
structure alone:

- ``;`` ends a clause group; a subject the rules do not know (一般公共预算拨款收入,
  事业收入 …) ends the current claim, so its figures never land on another subject;
- after ``其中`` an unknown item does not end the claim: ``收入4,203.47万元，其中：一般
  公共预算拨款…、其他收入…，较上年增加142.30万元`` states the total's change;
- a bracketed aside has its own claims and the claim before it resumes after it;
- the reasons (``主要原因是…``, ``主要用于…``) state no claim, up to the clause's end;
- a change needs a basis in its sentence, else it is not read;
- a bare 支出预算 right after a claim about 财政拨款收入, in the same or the next sentence, is
  the appropriations' spending (``财政拨款收入预算总计…万元。支出预算总计…万元``).

Pure: no I/O, no Dagster.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines.extraction.numbers import to_yuan
from pipelines.extraction.text import normalize

INCREASE, DECREASE, UNCHANGED = "increase", "decrease", "unchanged"
# What the change is measured against: the previous year's budget, its execution
# (上年执行数 / 预计执行数), its final accounts, or 上年 without saying which.
BUDGET, EXECUTION, FINAL_ACCOUNTS, UNSPECIFIED = "budget", "execution", "final_accounts", "unspecified"

_MAX_GAP = 40  # characters between two tokens of one claim: further apart, they are not one clause
_MAX_LEAD = 40  # characters of a clause kept before its subject, when the clause runs on from a heading or a table
_MAX_ASIDE = 150  # a bracket left open longer than this is a stray, not an aside
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_UNIT = r"亿元|万元|元"
_AFTER_OWNER = r"(?<=部门|单位|当年|年度|本级)"
# 收入 / 支出 right after a kind of money is that kind's (其他资金收入, 拨款收入, 经营支出, 采购支出).
_NOT_A_PART = r"(?<![金款他业营缴转余助费购])"
_SUFFIX = r"(?:财政拨款|拨款)?(?:预算)?(?:支出|收入)?(?:预算)?(?:安排)?(?:数)?(?:为)?"

# Subjects the claims may be about, each with how it is printed; a pattern is tried
# where the sentence reaches it, so a longer name starting earlier wins.
_SUBJECTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("total_income", "total_expenditure"),
        rf"收入、?支出(?:预算)?(?:总计|总额)|收支(?:总)?预算(?:总计|总额)|收入、支出预算{_SUFFIX}",
    ),
    (
        ("fiscal_appropriation_income", "fiscal_appropriation_expenditure"),
        r"财政拨款收入、?支出(?:预算)?(?:总计|总额)|财政拨款收支(?:总)?预算(?:总计|总额)?",
    ),
    (("fiscal_appropriation_income",), r"财政拨款(?:预算)?收入(?:预算)?(?:为)?"),
    (("fiscal_appropriation_expenditure",), r"财政拨款(?:预算)?支出(?:预算)?(?:为)?"),
    # 预算收入 / 预算支出 name the totals only after the department or the year; after
    # another noun (公务用车购置预算支出) they are that noun's.
    (
        ("total_income",),
        rf"{_NOT_A_PART}(?:收入总预算|收入预算(?:总计|总额)?(?:为)?|收入(?:总计|总额))|{_AFTER_OWNER}预算收入",
    ),
    (
        ("total_expenditure",),
        rf"{_NOT_A_PART}(?:支出总预算|支出预算(?:总计|总额)?(?:为)?|支出(?:总计|总额))|{_AFTER_OWNER}预算支出",
    ),
    (("basic_expenditure",), rf"基本支出{_SUFFIX}"),
    (("project_expenditure",), rf"项目支出{_SUFFIX}"),
    (("three_public_total",), rf"三公经费{_SUFFIX}"),
    (("outbound_travel",), rf"因公出国\(境\)(?:费用|经费|费)?{_SUFFIX}"),
    (("official_reception",), rf"公务接待(?:费用|经费|费){_SUFFIX}"),
    (("official_vehicles",), rf"公务用车购置及运行(?:维护)?(?:费用|经费|费){_SUFFIX}"),
    (("vehicle_purchase",), rf"公务用车购置(?:费用|经费|费)?{_SUFFIX}"),
    (("vehicle_operation",), rf"公务用车运行(?:维护)?(?:费用|经费|费)?{_SUFFIX}"),
    (("operating_costs",), rf"机关运行经费{_SUFFIX}"),
    (("meetings",), rf"会议费{_SUFFIX}"),
    (("training",), rf"培训费{_SUFFIX}"),
)
# Amounts the rules do not claim about: parts of income, appropriations by fund, and the
# basic / project split of appropriations alone (the tables' split is over all funds).
_OTHER_SUBJECT = (
    r"(?:一般公共预算|政府性基金(?:预算)?|国有资本经营(?:预算)?)(?:财政)?(?:当年)?(?:拨款)?(?:安排)?(?:的)?"
    r"(?:基本支出|项目支出|收入|支出)?(?:预算)?(?:为)?"
    r"|财政拨款(?:预算)?(?:基本|项目)支出(?:预算)?"
    r"|(?:事业单位经营|事业|经营|其他|上年结转结余|上年结转|附属单位上缴|用事业基金弥补收支差额)收入"
)
# A classification printed with its code: ``行政运行（2010301）``, ``工资福利支出（301）``.
_CLASS = r"(?P<class_name>[\u4e00-\u9fff]{2,20}?)\((?P<class_code>[235]\d{2}(?:\d{2}){0,2})\)"
_BASIS = (
    r"(?:比|较|与|同)(?:上年|上一年度?|去年|(?P<basis_year>20\d\d)年(?:度)?(?:\(上一年度,下同\))?)(?:度)?"
    r"(?:同期)?(?P<basis_kind>年初预算数?|预算数?|预计执行数?|执行数?|决算数?)?(?:相比|比较)?"
)
_TOKENS = re.compile(
    "|".join(
        [
            r"(?P<aside_open>\()",
            r"(?P<aside_close>\))",
            r"(?P<clause_end>;)",
            r"(?P<reasons>原因|主要是|主要用于)",
            r"(?P<of_which>其中)",
            r"(?P<roughly>基本持平)",
            rf"(?P<change>(?P<change_verb>增加|减少|增长|下降|降低|上升|降幅|增幅)了?"
            rf"(?:\((?:增加|减少|增长|下降)\))?(?P<change_number>{_NUMBER})(?P<change_unit>{_UNIT}|%))",
            rf"(?P<amount>(?P<amount_number>{_NUMBER})(?P<amount_unit>{_UNIT}))",
            f"(?P<basis>{_BASIS})",
            r"(?P<same>持平|相同|相等|一致|无变化|不变|无增减)",
            f"(?P<other>{_OTHER_SUBJECT})",
            f"(?P<classified>{_CLASS})",
            *(f"(?P<subject{i}>{pattern})" for i, (_, pattern) in enumerate(_SUBJECTS)),
        ]
    )
)
_DECREASING = {"减少", "下降", "降低", "降幅"}
_BASIS_KINDS = {"预算": BUDGET, "执行": EXECUTION, "预计执行": EXECUTION, "决算": FINAL_ACCOUNTS, "年初预算": BUDGET}
_PERCENT = Decimal("0.01")  # stored as DECIMAL(18,2)
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
_PAGE_NUMBER = re.compile(r"^[-—\s]*\d{1,4}[-—\s]*$")
_SENTENCE_MARKS = re.compile(r"[()。]")
# Only a sentence with one of these can state a claim: an amount, a percentage or 持平.
_MAY_CLAIM = re.compile(r"元|%|持平|相同|相等|一致|无变化|不变|无增减")


@dataclass(frozen=True)
class Claim:
    """One statement the prose makes about one subject."""

    subject: str  # a headline metric name, a 三公 part's measure, or function:CODE / economic:CODE
    subject_text: str  # the subject as printed
    amount_yuan: Decimal | None
    change_yuan: Decimal | None  # signed: a decrease is negative
    direction: str | None  # increase | decrease | unchanged
    change_pct: Decimal | None  # signed, as printed
    basis: str | None  # budget | execution | final_accounts | unspecified; None without a change
    basis_year: int | None  # the year named (比2025年预算); None: 上年
    page: int
    sentence: str


@dataclass
class _Draft:
    subjects: tuple[str, ...]
    subject_text: str
    page: int
    quote_start: int  # where the clause that states the claim begins
    last_end: int
    amount: Decimal | None = None
    change: Decimal | None = None
    direction: str | None = None
    pct: Decimal | None = None
    basis: tuple[str, int | None] | None = None  # the basis stated in the claim's clauses


@dataclass
class _Scope:
    """The reading state of one clause group or bracketed aside."""

    drafts: list[_Draft] = field(default_factory=list)
    clause_start: int = 0
    of_which: bool = False
    in_reasons: bool = False


@dataclass
class _Sentence:
    text: str  # compact: no whitespace, NFKC, quotes removed
    origin: int  # offset of the sentence in the document's text
    page_starts: list[int]  # offset in the document's text where each page begins


def _yuan(number: str, unit: str) -> Decimal:
    amount = Decimal(number.replace(",", ""))
    if unit == "亿元":
        return to_yuan(amount * 10000, "万元")
    return to_yuan(amount, unit)


def _sentences(page_texts: list[str]) -> list[_Sentence]:
    """The document's text cut into sentences at 。 outside brackets; a sentence may run
    across a page break (page numbers printed alone on a line are dropped)."""
    text_parts: list[str] = []
    page_starts: list[int] = []
    length = 0
    for page_text in page_texts:
        kept = "".join(
            line for line in normalize(page_text).splitlines() if line.strip() and not _PAGE_NUMBER.match(line)
        )
        kept = re.sub(r"\s+", "", kept).translate(_QUOTES)
        page_starts.append(length)
        text_parts.append(kept)
        length += len(kept)
    text = "".join(text_parts)

    sentences = []
    start, open_at = 0, None
    for mark in _SENTENCE_MARKS.finditer(text):
        i = mark.start()
        if mark.group() == "(":
            open_at = i
        elif mark.group() == ")" or (open_at is not None and i - open_at > _MAX_ASIDE):
            open_at = None
        if mark.group() == "。" and open_at is None:
            if i > start:
                sentences.append(_Sentence(text[start : i + 1], start, page_starts))
            start = i + 1
    if start < len(text):
        sentences.append(_Sentence(text[start:], start, page_starts))
    return sentences


def _page_of(sentence: _Sentence, offset: int) -> int:
    """The 1-based page of a character of the sentence."""
    return bisect_right(sentence.page_starts, sentence.origin + offset)


def _read_sentence(sentence: _Sentence, paired: list[tuple[str, ...]]) -> list[Claim]:
    """``paired`` holds the subjects of the last claim read outside an aside or a 其中 list in
    this sentence or the one before: ``财政拨款收入…万元。支出预算…万元`` states the
    appropriations' spending."""
    drafts_done: list[_Draft] = []
    scopes = [_Scope()]
    basis: tuple[str, int | None] | None = None  # the sentence's first basis, for a change stated apart from it

    def attachable(scope: _Scope, start: int) -> list[_Draft]:
        return [d for d in scope.drafts if start - d.last_end <= _MAX_GAP]

    def close(scope: _Scope) -> None:
        drafts_done.extend(scope.drafts)
        scope.drafts = []

    for match in _TOKENS.finditer(sentence.text):
        scope = scopes[-1]
        kind = match.lastgroup
        start, end = match.start(), match.end()
        if kind == "aside_open":
            scopes.append(_Scope(clause_start=end, in_reasons=scope.in_reasons))
            continue
        if kind == "aside_close":
            if len(scopes) > 1:
                close(scopes.pop())
                for draft in scopes[-1].drafts:
                    draft.last_end = end  # the claim resumes after its aside
            continue
        if kind == "clause_end":
            close(scope)
            scope.of_which = scope.in_reasons = False
            scope.clause_start = end
            continue
        if scope.in_reasons:
            continue
        if kind == "reasons":
            scope.in_reasons = True
            continue
        if kind == "of_which":
            scope.of_which = True
            continue
        if kind == "roughly":  # 基本持平 after a stated change says nothing more
            continue
        if kind == "basis":
            kind_text = match.group("basis_kind") or ""
            year = match.group("basis_year")
            stated = (
                _BASIS_KINDS.get(kind_text.removesuffix("数"), UNSPECIFIED) if kind_text else UNSPECIFIED,
                int(year) if year else None,
            )
            basis = basis or stated
            for draft in attachable(scope, start):
                draft.basis = draft.basis or stated  # 比上年执行数增加…，与上年基本持平: the first basis
                draft.last_end = end
            continue
        if kind == "other":
            if scope.of_which:  # an item of the enumeration: the claim it details goes on
                for draft in scope.drafts:
                    draft.last_end = end
            else:
                close(scope)
            continue
        if kind == "classified":
            code = match.group("class_code")
            prefix = "function" if code.startswith("2") else "economic"
            close(scope)
            if len(scopes) == 1 and not scope.of_which:
                paired[:] = [(f"{prefix}:{code}",)]
            scope.drafts = [_Draft((f"{prefix}:{code}",), match.group(0), *_located(sentence, scope, start), end)]
            continue
        if kind.startswith("subject"):
            subjects, _ = _SUBJECTS[int(kind.removeprefix("subject"))]
            if [d.subjects for d in scope.drafts] == [subjects] and scope.drafts[0].direction is None:
                scope.drafts[0].last_end = end  # the subject named again: 收入…万元，其中…，收入较上年…
                continue
            close(scope)
            top_level = len(scopes) == 1 and not scope.of_which
            if top_level and subjects == ("total_expenditure",) and paired[-1:] == [("fiscal_appropriation_income",)]:
                subjects = ("fiscal_appropriation_expenditure",)
            if top_level:
                paired[:] = [subjects]
            scope.drafts = [_Draft(subjects, match.group(0), *_located(sentence, scope, start), end)]
            continue
        targets = attachable(scope, start)
        if kind == "amount":
            for draft in targets:
                if draft.amount is None and draft.change is None and draft.direction is None:
                    draft.amount = _yuan(match.group("amount_number"), match.group("amount_unit"))
                    draft.last_end = end
                elif scope.of_which:
                    draft.last_end = end
        elif kind == "change":
            sign = -1 if match.group("change_verb") in _DECREASING else 1
            number = Decimal(match.group("change_number").replace(",", ""))
            for draft in targets:
                if match.group("change_unit") == "%":
                    if draft.pct is None:
                        draft.pct = sign * number
                elif draft.change is None:
                    draft.change = sign * _yuan(match.group("change_number"), match.group("change_unit"))
                    draft.direction = DECREASE if sign < 0 else INCREASE
                draft.last_end = end
        elif kind == "same":
            for draft in targets:
                if draft.change is None and draft.direction is None:
                    draft.change, draft.direction, draft.pct = Decimal(0), UNCHANGED, Decimal(0)
                    draft.last_end = end
    for scope in scopes:
        close(scope)

    claims = []
    for draft in drafts_done:
        draft_basis = draft.basis or basis
        has_change = draft.direction is not None or draft.pct is not None
        if has_change and draft_basis is None:
            # A change with nothing to say what it is against is not read.
            draft.change = draft.direction = draft.pct = None
            has_change = False
        if draft.amount is None and not has_change:
            continue
        for subject in draft.subjects:
            claims.append(
                Claim(
                    subject=subject,
                    subject_text=draft.subject_text,
                    amount_yuan=draft.amount,
                    change_yuan=draft.change,
                    direction=draft.direction,
                    change_pct=draft.pct.quantize(_PERCENT) if draft.pct is not None else None,
                    basis=draft_basis[0] if has_change else None,
                    basis_year=draft_basis[1] if has_change else None,
                    page=draft.page,
                    sentence=_quote(sentence.text, draft),
                )
            )
    return claims


def _located(sentence: _Sentence, scope: _Scope, start: int) -> tuple[int, int]:
    """The page of a subject at ``start`` and where the quote of its claim begins."""
    return _page_of(sentence, start), max(scope.clause_start, start - _MAX_LEAD)


def _quote(text: str, draft: _Draft) -> str:
    """The clause that states the claim, up to the end of its last figure's clause."""
    ends = [i for i in (text.find(mark, draft.last_end) for mark in ";。)") if i >= 0]
    return text[draft.quote_start : min(ends) + 1 if ends else len(text)]


def read_claims(page_texts: list[str]) -> list[Claim]:
    """Every claim the document's prose makes, in reading order."""
    claims: list[Claim] = []
    paired: list[tuple[str, ...]] = []
    for sentence in _sentences(page_texts):
        before = list(paired)
        if _MAY_CLAIM.search(sentence.text):
            claims.extend(_read_sentence(sentence, paired))
        if paired == before:  # a pairing holds into the next sentence only
            paired.clear()
    return claims
