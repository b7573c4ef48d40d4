"""The marts' declarations, read from dbt/ without running dbt: grouped by purpose,
every model and column described, every model tested, and the Fiscal Data Package
mart named as the export writes it."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.outputs.fiscal_data_package import LINE_COLUMNS

MARTS = Path(__file__).resolve().parents[2] / "dbt" / "models" / "marts"
GROUPS = {"core", "analysis", "audit", "exports", "narrative"}


def _declared() -> dict[str, tuple[str, dict]]:
    """Model name → (group folder, its YAML entry), from each group's one YAML file."""
    declared: dict[str, tuple[str, dict]] = {}
    for group in GROUPS:
        (path,) = (MARTS / group).glob("_*.yml")
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            assert model["name"] not in declared, model["name"]
            declared[model["name"]] = (group, model)
    return declared


def test_every_mart_sits_in_a_group_with_its_yaml():
    assert {path.name for path in MARTS.iterdir() if path.is_dir()} == GROUPS
    assert not list(MARTS.glob("*.sql")) and not list(MARTS.glob("*.yml"))
    models = {path.stem: path.parent.name for path in MARTS.glob("*/*.sql")}
    assert models == {name: group for name, (group, _model) in _declared().items()}


def test_every_mart_is_described_contracted_and_tested():
    for name, (_group, model) in _declared().items():
        assert model.get("description"), name
        assert model["config"]["contract"]["enforced"], name
        assert all(column.get("description") and column.get("data_type") for column in model["columns"]), name
        tests = model.get("data_tests", []) + [t for column in model["columns"] for t in column.get("data_tests", [])]
        assert tests, name


def test_the_fiscal_data_package_mart_has_the_export_columns():
    _group, model = _declared()["fiscal_data_package_line"]
    assert [column["name"] for column in model["columns"]] == [column.name for column in LINE_COLUMNS]
