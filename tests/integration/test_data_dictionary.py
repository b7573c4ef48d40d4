"""The data dictionary where users look: every mart column's YAML description is a column comment
in the published copy (DBeaver, Superset, duckdb_columns()), and `yusuan docs` builds the dbt docs
site (descriptions and lineage) as one page that renders in headless Chromium, offline."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from PIL import Image

from pipelines.cli import main
from tests.integration.test_report import CHROMIUM, chromium

MARTS_YAML = sorted((Path(__file__).resolve().parents[2] / "dbt" / "models" / "marts").rglob("_*.yml"))
# dbt docs' colours for models (teal) and sources (green) in the lineage graph.
MODEL_NODE, SOURCE_NODE = (0, 148, 179), (95, 184, 37)
RENDERED = "--virtual-time-budget=15000"  # the page is an app: let its scripts draw before reading it


def yaml_descriptions() -> dict[tuple[str, str], str]:
    """(mart, column) -> description, as the YAML states it."""
    found = {}
    for path in MARTS_YAML:
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            for column in model.get("columns", []):
                found[(model["name"], column["name"])] = " ".join(column.get("description", "").split())
    return found


def test_every_mart_column_has_its_yaml_description_as_a_comment(con):
    comments = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'"
    ).fetchall()
    assert comments, "no mart in the published copy"
    missing = [(table, column) for table, column, comment in comments if not (comment or "").strip()]
    assert missing == []
    described = yaml_descriptions()
    assert {(t, c): " ".join(comment.split()) for t, c, comment in comments} == {
        key: text for key, text in described.items() if key in {(t, c) for t, c, _ in comments}
    }
    assert {(t, c) for t, c, _ in comments} <= set(described)  # no column the YAML does not describe
    marts = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()
    }
    relation_comments = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts' "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts'"
        ).fetchall()
    )
    assert set(relation_comments) == marts and all(relation_comments.values())


@pytest.fixture(scope="module")
def docs_page(sample_warehouse, tmp_path_factory) -> Path:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI's .ci/run installs it)")
    out = tmp_path_factory.mktemp("docs")
    assert main(["docs", "--warehouse", str(sample_warehouse.published), "--out", str(out)]) == 0
    return out / "index.html"


def test_the_docs_page_shows_each_columns_description(docs_page, tmp_path):
    dom = chromium(tmp_path, f"{docs_page.as_uri()}#!/model/model.yusuan.document_headline", "--dump-dom").stdout
    shown = re.sub(r"<script\b.*?</script>", "", dom, flags=re.S)  # the page, not the manifest inside it
    shown = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
    for (mart, _column), description in yaml_descriptions().items():
        if mart == "document_headline":
            assert description[:60] in shown


def test_the_lineage_graph_is_drawn(docs_page, tmp_path):
    shot = tmp_path / "lineage.png"
    chromium(tmp_path, f"{docs_page.as_uri()}#!/model/model.yusuan.release?g_v=1", RENDERED, f"--screenshot={shot}")
    colours = Counter(Image.open(shot).convert("RGB").getdata())
    # Every model and source is a filled box: dozens of models, the raw sources among them.
    assert colours[MODEL_NODE] > 5000 and colours[SOURCE_NODE] > 500
