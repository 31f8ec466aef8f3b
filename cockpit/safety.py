"""Data never becomes code: values from imported files or the URL shown as text where Markdown is rendered, and
text cells that a spreadsheet would run as formulas neutralised in every CSV, Excel file and pack table."""
from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd

# What Markdown (CommonMark, GFM and Streamlit's additions) reads as syntax anywhere in a line: emphasis, code,
# links and images, HTML, tables, strikethrough, LaTeX ($), entities (&), e-mail autolinks (@).
_ALWAYS = re.compile(r"([\\`*_{}\[\]()<>|~$&!@])")
# ':' starts an emoji shortcode, a :color[…] or :material/…: directive, or a scheme's '://' (an autolink).
_COLON = re.compile(r":(?=[A-Za-z0-9/])")
# At the start of a line: a heading, a list item, a quote, a setext rule.
_LINE_START = re.compile(r"^(\s*)([#+\-=>])")
_ORDERED_ITEM = re.compile(r"^(\s*\d+)\.")


WORD_JOINER = "\u2060"


def md_text(value) -> str:
    """value as literal text inside Markdown (st.markdown, st.caption, st.info, an expander's label, …): every
    character Markdown would read as syntax escaped with a backslash, line breaks as spaces (a new line could start
    a heading or a list), bare addresses broken so they are not made links. None shows as an empty string."""
    if value is None:
        return ""
    text = " ".join(str(value).splitlines())
    # GFM finds bare links (http://…, www.…, name@host) in the text after escapes are read: a word joiner
    # (U+2060, invisible) inside each of those patterns keeps them text.
    text = re.sub(r"(?i)(https?|ftp|mailto|www)([:.])", "\\1" + WORD_JOINER + "\\2", text).replace("@", "@" + WORD_JOINER)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _COLON.sub(r"\\:", text)
    text = _ORDERED_ITEM.sub(r"\1\\.", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def chart_text(values) -> list[str]:
    """Labels from the data as Plotly shows them: Plotly reads a small HTML (<b>, <i>, <a href>, <br>) in every
    label, tick and hover text; escaped, the characters show as typed."""
    return [html.escape(str(v), quote=False) for v in values]


# A cell a spreadsheet would read as a formula or a command: its first character that is not blank is one of these
# (after full-width forms are folded: '＝' is '='), or it starts with a tab or a carriage return.
_FORMULA_START = set("=+-@|")


def risky_cell(text: str) -> bool:
    if not text:
        return False
    if text[0] in "\t\r":
        return True
    folded = unicodedata.normalize("NFKC", text).lstrip(" \t\r\n\u3000\u00a0")
    return bool(folded) and folded[0] in _FORMULA_START


def neutralise(text):
    """A text cell that a spreadsheet would run, prefixed with ' (kept as text); anything else unchanged."""
    return "'" + text if isinstance(text, str) and risky_cell(text) else text


def safe_for_spreadsheet(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df whose text cells cannot run as formulas in Excel, LibreOffice or Google Sheets."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise).astype(object)
    return out
