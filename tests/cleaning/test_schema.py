"""The schema in cleaning/schema.py and its documentation in output/README.md must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaning.schema import ARTICLE_SCHEMA, REJECT_SCHEMA, RUN_SCHEMA, QualityFlag, RejectReason, Stage

README = Path(__file__).parents[2] / "cleaning" / "storage" / "README.dataset.md"  # written into every output


def _table_after(heading: str) -> dict[str, list[str]]:
    """Return {first cell: other cells} of the first Markdown table after a heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    rows: dict[str, list[str]] = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[0] not in {"column", "code"} and not set(cells[0]) <= {"-", " "}:
                rows[cells[0].strip("`")] = cells[1:]
        elif rows:
            break
    return rows


@pytest.mark.parametrize(
    ("heading", "schema"), [("## articles", ARTICLE_SCHEMA), ("## rejects", REJECT_SCHEMA), ("## runs", RUN_SCHEMA)]
)
def test_every_column_is_documented_in_order_with_its_type(heading, schema):
    documented = _table_after(heading)
    assert list(documented) == schema.names, (
        f"update the {heading} table in output/README.md to match cleaning/schema.py"
    )
    for field in schema:
        doc_type = documented[field.name][0].replace("\\", "")
        assert doc_type == str(field.type).replace("item: ", ""), field.name


def test_every_column_has_a_docstring_in_the_schema():
    for field in (*ARTICLE_SCHEMA, *REJECT_SCHEMA, *RUN_SCHEMA):
        assert field.metadata, f"{field.name} needs a 'doc' in cleaning/schema.py"
        assert field.metadata[b"doc"], f"{field.name} needs a 'doc' in cleaning/schema.py"


@pytest.mark.parametrize(
    ("heading", "codes"), [("### Quality flags", QualityFlag), ("### Reject reasons", RejectReason)]
)
def test_every_code_is_documented(heading, codes):
    documented = set(_table_after(heading))
    assert documented == {c.value for c in codes}, (
        f"document every code of {codes.__name__} under '{heading}' in output/README.md"
    )


def test_codes_are_stable_snake_case():
    for code in (*QualityFlag, *RejectReason, *Stage):
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code.value), code


def test_the_repository_output_readme_is_the_packaged_one():
    assert (README.parents[2] / "output" / "README.md").read_bytes() == README.read_bytes(), (
        "cp cleaning/storage/README.dataset.md output/README.md"
    )


def test_the_dataset_readme_ships_as_package_data():
    import tomllib

    pyproject = tomllib.loads((README.parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "README.dataset.md" in pyproject["tool"]["setuptools"]["package-data"]["cleaning.storage"]
