"""Printed amounts and units to exact yuan."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pipelines.extraction.text import compact, normalize

UNIT_FACTORS: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000)}
CENT = Decimal("0.01")

# Printed "nothing": blank, dashes, 无.  Zero is printed as 0 / 0.00 and is a value.
_NOTHING = {"", "-", "--", "—", "——", "－", "无", "/"}
_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


class AmountError(ValueError):
    """A cell that should hold an amount holds something else."""


def is_amount(text: str | None) -> bool:
    return bool(_AMOUNT.match(compact(text).replace("，", ",")))


def parse_amount(text: str | None) -> Decimal | None:
    """Printed amount → Decimal in the printed unit; None when nothing is printed.

    Numbers that wrap inside narrow cells (``12,510.0`` / ``0``) come joined,
    because all whitespace is removed before parsing.
    """
    cleaned = compact(text).replace("，", ",")
    if cleaned in _NOTHING:
        return None
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = "-" + cleaned[1:-1]
    # The message names what is printed, without the cell's layout whitespace around it.
    if not _AMOUNT.match(cleaned):
        raise AmountError(f"not an amount: {text.strip()!r}")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise AmountError(f"not an amount: {text.strip()!r}") from exc


# The tail of a label that wrapped into the amount cell beside it, before or after the
# amount: ``算的项目\n0.00``, ``助1839311.66``, ``)0.00``, ``1090.22\n出``.  The tail
# holds no digit, so no figure is cut from the amount.
_LABEL_OVERFLOW = re.compile(
    r"^(?P<label>[^\d.,\-]*[^\d\s.,\-])\s*(?P<amount>-?[\d,]*\d(\.\d+)?)\s*$"
    r"|^(?P<amount_first>-?[\d,]*\d(\.\d+)?)\s+(?P<tail>[^\d.,\-\s][^\d]*)$"
)
_LABEL_TAIL = 4  # characters: a cell holding only this much text is a label's tail


def _is_label_tail(text: str) -> bool:
    if not text or len(text) > _LABEL_TAIL or any(ch.isdigit() for ch in text) or text.endswith("计"):
        return False
    try:
        parse_amount(text)  # 无, -- and the like are printed blanks, not label tails
    except AmountError:
        return True
    return False


def strip_label_overflow(text: str) -> str:
    """The amount of a cell a label wrapped into; blank where the cell holds only the
    label's last characters (``)``, ``助``, ``建设)``) and its amount is on the next line."""
    if _is_label_tail(compact(text)):
        return ""
    match = _LABEL_OVERFLOW.match(normalize(text).strip())
    return (match.group("amount") or match.group("amount_first")) if match else text


# The warehouse stores DECIMAL(18,2): sixteen digits before the point.
MAX_YUAN = Decimal(10) ** 16


def to_yuan(amount: Decimal, unit: str) -> Decimal:
    """Amount in the printed unit → yuan, exact to the cent."""
    try:
        factor = UNIT_FACTORS[unit]
    except KeyError as exc:
        raise UnknownUnit(f"unit {unit!r} is not one of {', '.join(UNIT_FACTORS)}") from exc
    # Checked before multiplying: a huge exponent would overflow the decimal context.
    if not amount.is_finite() or amount.adjusted() >= 16 or abs(amount * factor) >= MAX_YUAN:
        raise AmountError(f"out of range: {amount} {unit} is not less than 10^16 yuan (DECIMAL(18,2))")
    return (amount * factor).quantize(CENT)


# Any money unit a table may print (元, 万元, 千元, 亿元 …): one outside UNIT_FACTORS is
# kept as printed, and its amounts fail to convert, rather than being read as the default unit.
PRINTED_UNIT = r"[十百千万亿]*元"
_UNIT_LINE = re.compile(rf"(?:金额)?单位[:：]\s*({PRINTED_UNIT})")
_BRACKETED_UNIT = re.compile(rf"[（(]({PRINTED_UNIT})[)）]")


class UnknownUnit(AmountError):
    """Amounts printed in a unit the conversion does not know (单位：千元)."""


def find_unit(text: str) -> str | None:
    """The unit a ``单位：万元`` / ``单位:元`` line declares, if any."""
    match = _UNIT_LINE.search(compact(text))
    return match.group(1) if match else None


def find_header_unit(text: str) -> str | None:
    """The unit a table's header cells declare: ``金额单位：万元``, or a column heading
    naming it in brackets (``预算金额（万元）``)."""
    match = _UNIT_LINE.search(compact(text)) or _BRACKETED_UNIT.search(compact(text))
    return match.group(1) if match else None
