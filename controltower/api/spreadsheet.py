"""CSV cells a spreadsheet cannot run (OWASP "CSV injection"): text that starts with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, LibreOffice and Google Sheets
show it as text instead of evaluating it. Numbers stay numbers: a number, or text that is exactly
a number ("-12.5"), is written as it is."""

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(text: str) -> str:
    if text.startswith(TRIGGERS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text
