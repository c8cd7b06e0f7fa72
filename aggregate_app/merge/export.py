"""Exports: CSV from every source becomes one CSV with a leading `source` column (header from
the first source, columns of later sources aligned by name); JSON exports sit side by side. Cells
are neutralised again here (a source of an older version may not have)."""

import csv
import io
from dataclasses import dataclass
from typing import Any

from controltower.api.spreadsheet import safe_cell

from .simple import by_source


@dataclass(frozen=True)
class CsvBody:
    text: str


def _rows(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def merge_csv(answers: dict[str, str]) -> CsvBody:
    header: list[str] = []
    rows: list[dict] = []
    for source, text in answers.items():
        fields, source_rows = _rows(text)
        header += [f for f in fields if f not in header and f != "source"]
        rows += [{**r, "source": source} for r in source_rows]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["source", *header], extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: safe_cell(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows)
    return CsvBody(out.getvalue())


def export(answers: dict[str, Any], page=None) -> Any:
    if answers and all(isinstance(v, str) for v in answers.values()):
        return merge_csv(answers)
    return by_source({k: v for k, v in answers.items() if not isinstance(v, str)})
