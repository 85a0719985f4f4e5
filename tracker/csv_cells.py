"""CSV cells a spreadsheet would run as a formula are written as text ("CSV injection").

One rule for both ways the API writes CSV, Python's (`api.renderers.csv_lines`) and PostgreSQL's
COPY (`tracker.selectors.red_line_csv`): a text cell that starts with ``= + - @``, a tab or a
carriage return gets a leading ``'``, which spreadsheets take as "this is text" and do not show.
Numbers are not text cells: ``-3`` stays a number. ``?raw=1`` on an export turns the rule off.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def formula_escape(cell: str) -> str:
    return ESCAPE + cell if cell.startswith(FORMULA_STARTS) else cell


def formula_escape_sql(expression: str) -> str:
    """The same rule as SQL over a text `expression`, which is evaluated once (it may be a subquery)."""
    # A bracket expression with "-" last, tab and CR written as E-string escapes.
    starts = "".join({"\t": "\\t", "\r": "\\r"}.get(c, c) for c in FORMULA_STARTS if c != "-") + "-"
    return f"regexp_replace({expression}, E'^([{starts}])', E'{ESCAPE * 2}\\\\1')"
