"""The values a document may bring (statements, measures, units, periods), kept as data.

Each vocabulary is one column of a dbt seed under ``dbt/seeds``.  The dbt tests
check the marts against the seeds (relationships), and validation checks each
document against the same CSV files before it is loaded, so a value nobody has
seen quarantines one document, never the build.  Adding a row to the seed lets
that document load on the next run: no code changes.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines import settings


@dataclass(frozen=True)
class Vocabulary:
    name: str
    seed: str  # file under dbt/seeds
    column: str


VOCABULARIES = [
    Vocabulary("statement", "statement.csv", "statement"),
    Vocabulary("measure", "measure.csv", "measure"),
    Vocabulary("unit", "unit.csv", "unit"),
    Vocabulary("period", "period.csv", "period"),
]


@dataclass(frozen=True)
class VocabularyColumn:
    """A column of an extraction output whose values must be in a vocabulary."""

    output: str  # the layer, as validation names it
    column: str
    vocabulary: str
    qualified: bool = False  # values may carry a ``:printed header`` suffix, checked without it


CHECKED_COLUMNS = [
    VocabularyColumn("document", "printed_unit", "unit"),
    VocabularyColumn("budget_line", "statement", "statement"),
    VocabularyColumn("budget_line", "measure", "measure", qualified=True),
    VocabularyColumn("budget_line", "printed_unit", "unit"),
    VocabularyColumn("budget_line", "period", "period"),
    VocabularyColumn("headline", "statement", "statement"),
    VocabularyColumn("statement", "statement", "statement"),
]


def seeds_dir() -> Path:
    return settings.Settings.from_env().dbt_project / "seeds"


def load_vocabularies(folder: Path | None = None) -> dict[str, frozenset[str]]:
    folder = folder or seeds_dir()
    vocabularies = {}
    for vocabulary in VOCABULARIES:
        with open(folder / vocabulary.seed, encoding="utf-8", newline="") as handle:
            vocabularies[vocabulary.name] = frozenset(row[vocabulary.column] for row in csv.DictReader(handle))
    return vocabularies


def seed_file(name: str) -> str:
    """Where a vocabulary is kept, as a person would look for it."""
    return f"dbt/seeds/{next(v.seed for v in VOCABULARIES if v.name == name)}"


def vocabulary_fingerprint(folder: Path | None = None) -> str:
    """Changes whenever a seed a vocabulary lives in changes: stored verdicts are then stale."""
    folder = folder or seeds_dir()
    digest = hashlib.sha256()
    for vocabulary in VOCABULARIES:
        digest.update((folder / vocabulary.seed).read_bytes())
    return digest.hexdigest()[:16]
