"""Text normalisation shared by every parser."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# NFKC folds the Kangxi Radicals block (U+2F00–U+2FDF) but not the CJK Radicals
# Supplement (U+2E80–U+2EFF), which some PDFs use for ordinary characters.
_RADICAL_SUPPLEMENT = str.maketrans(
    {
        "⺠": "民",
        "⻅": "见",
        "⻆": "角",
        "⻉": "贝",
        "⻋": "车",
        "⻓": "长",
        "⻔": "门",
        "⻘": "青",
        "⻚": "页",
        "⻛": "风",
        "⻜": "飞",
        "⻝": "食",
        "⻢": "马",
        "⻥": "鱼",
        "⻦": "鸟",
        "⻩": "黄",
        "⻬": "齐",
        "⻮": "齿",
        "⻰": "龙",
        "⻄": "西",
        "⻨": "麦",
        "⻳": "龟",
        "⺟": "母",
        "⺝": "月",
    }
)

_WHITESPACE = re.compile(r"\s+")


# The parsers normalise the same cell texts over and over (a label is compacted for every
# rule that reads it): the results are kept.
_CACHED_TEXTS = 4096  # a document's distinct cell texts; bounded, since page texts pass here too


@lru_cache(maxsize=_CACHED_TEXTS)
def normalize(text: str | None) -> str:
    """NFKC plus radical folding; keeps line breaks (they carry cell wrapping)."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text).translate(_RADICAL_SUPPLEMENT)


@lru_cache(maxsize=_CACHED_TEXTS)
def compact(text: str | None) -> str:
    """Normalised text with all whitespace removed.

    Chinese labels carry no meaningful spaces: a line break or padding inside a
    cell (``事业单位\\n经营收入``, ``合    计``) is layout, not content.
    """
    return _WHITESPACE.sub("", normalize(text))


# Ordinals that number printed lines: 一、 (一) 1. 1、 （1）
_ORDINAL_PREFIX = re.compile(r"^(?:[一二三四五六七八九十百]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d))")
_TRAILING_NOTE = re.compile(r"[(（]?注\d*[)）]?$")


def strip_ordinal(label: str) -> str:
    """``一、财政拨款`` → ``财政拨款``; ``1.一般公共预算`` → ``一般公共预算``."""
    label = compact(label)
    while True:
        stripped = _ORDINAL_PREFIX.sub("", label, count=1)
        if stripped == label:
            return label
        label = stripped
