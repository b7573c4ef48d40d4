"""The seeds hold every value the extraction code can produce: a developer who adds a
measure, a statement, a unit or a period to the code must add it to dbt/seeds too, or every
document that brings it would be quarantined."""

from __future__ import annotations

import csv
from decimal import Decimal

from pipelines.extraction.measures import MEASURES
from pipelines.extraction.numbers import UNIT_FACTORS
from pipelines.extraction.periods import PERIODS
from pipelines.extraction.registry import STATEMENTS
from pipelines.vocabulary import CHECKED_COLUMNS, VOCABULARIES, load_vocabularies, seeds_dir


def test_the_seeds_contain_every_value_the_code_produces():
    vocabularies = load_vocabularies()
    assert set(MEASURES) - vocabularies["measure"] == set()
    assert set(STATEMENTS) - vocabularies["statement"] == set()
    assert set(UNIT_FACTORS) - vocabularies["unit"] == set()
    assert set(PERIODS) - vocabularies["period"] == set()


def test_the_unit_seed_gives_the_factors_the_code_converts_with():
    with open(seeds_dir() / "unit.csv", encoding="utf-8", newline="") as handle:
        factors = {row["unit"]: Decimal(row["yuan"]) for row in csv.DictReader(handle)}
    assert {unit: factors[unit] for unit in UNIT_FACTORS} == UNIT_FACTORS


def test_every_checked_column_has_a_vocabulary_and_no_seed_repeats_a_value():
    names = {vocabulary.name for vocabulary in VOCABULARIES}
    assert {checked.vocabulary for checked in CHECKED_COLUMNS} <= names
    for vocabulary in VOCABULARIES:
        with open(seeds_dir() / vocabulary.seed, encoding="utf-8", newline="") as handle:
            values = [row[vocabulary.column] for row in csv.DictReader(handle)]
        assert len(values) == len(set(values)) and all(values), vocabulary.seed
