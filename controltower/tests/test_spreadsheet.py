"""CSV cells a spreadsheet would run as formulas are written as text (OWASP CSV injection)."""

import pytest

from controltower.api.spreadsheet import safe_cell


@pytest.mark.parametrize(
    "text", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://x","y")']
)
def test_formula_starts_are_neutralised(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.5", "+3", "-1e5", "ore", "", "a=b", "'=already text"])
def test_numbers_and_plain_text_stay_as_they_are(text):
    assert safe_cell(text) == text
