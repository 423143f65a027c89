"""Text cells of a CSV export kept from running as spreadsheet formulas, and read back unchanged.

Notes come from any workspace member, and a spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` (or a tab or carriage return before one) as a formula: `=HYPERLINK(...)` in a note
could send whoever opens the export somewhere else. OWASP's advice for CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection) is to prefix such a cell with a single
quote, which spreadsheets show as text and do not display. Only text cells are neutralised: a
negative value stays a number.

To read every note back exactly, a cell that already starts with quotes before one of those
characters gets one more, and the import removes exactly one.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise_cell(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows as text, never runs."""
    return QUOTE + text if text.lstrip(QUOTE).startswith(FORMULA_STARTS) else text


def restore_cell(cell: str) -> str:
    """The text `neutralise_cell` was given, from what it returned (other cells unchanged)."""
    if cell.startswith(QUOTE) and cell.lstrip(QUOTE).startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
