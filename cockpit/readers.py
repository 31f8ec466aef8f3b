"""Read export files (CSV in any common encoding, Excel .xlsx/.xls, Parquet) into raw DataFrames.

Nothing here interprets values: CSV cells stay text, Excel and Parquet keep the types their writer gave them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES


class FileProblem(Exception):
    """A file that cannot be read or used; the message names the file and what was expected."""


@dataclass
class RawTable:
    path: Path
    frame: pd.DataFrame
    encoding: str | None = None
    encoding_why: str | None = None   # what decided the encoding (for the import plan)
    sheet: str | None = None
    header_rows: int = 1          # rows before the first data row (for row numbers a spreadsheet user sees)
    notes: list[str] = field(default_factory=list)
    bad_rows: list[dict] = field(default_factory=list)   # rows the reader had to set aside (wrong cell count)

    @property
    def label(self) -> str:
        return f"{self.path.name} [{self.sheet}]" if self.sheet else self.path.name


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# The code pages a file that is not UTF-8 is told apart among: Chinese exports (GBK and its superset GB18030) and
# the Western Windows and DOS code pages (CP1252, of which Latin-1 is nearly a subset; CP437).
WESTERN = ("cp1252", "cp437")


def encoding_decision(sample: bytes, path: Path | None) -> tuple[str, str]:
    """The text encoding of a file from its first bytes, and why (for the import plan).

    UTF-8 (with or without BOM) when the bytes decode as UTF-8. Otherwise GB18030 when they decode as it and their
    non-ASCII characters are, nine in ten or more, common Chinese ones (GB2312): GB18030 decodes nearly any bytes,
    and Western text read as it turns accented letters and the letter after them into rare characters. Otherwise
    the Western code page charset-normalizer finds least messy and most coherent."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "UTF-8 byte-order mark"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "UTF-16 byte-order mark"
    try:
        # A sample may end inside a multi-byte character: ignore an incomplete tail only.
        sample.decode("utf-8")
        return "utf-8", "valid UTF-8" if any(b >= 0x80 for b in sample) else "plain ASCII (read as UTF-8)"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", "valid UTF-8"
        head = sample[: exc.start]
        if any(b >= 0x80 for b in head):
            # Valid multi-byte UTF-8 first, then bytes that are not: two encodings in one file.
            line = head.count(b"\n") + 1
            name = path.name if path is not None else "file"
            raise FileProblem(f"{name}: row {line}: the file mixes text encodings (UTF-8 before this row, something "
                              "else here); save the whole file as UTF-8 and import it again") from exc
    try:
        text = sample.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        wide = [c for c in text if ord(c) >= 0x80]
        common = sum(1 for c in wide if _in_gb2312(c))
        if wide and common >= 0.9 * len(wide):
            return "gb18030", (f"not UTF-8; {common:,} of {len(wide):,} non-ASCII characters are common Chinese "
                               "characters in GB18030 (GBK)")
    found = None
    try:
        from charset_normalizer import from_bytes
        found = from_bytes(sample, cp_isolation=list(WESTERN)).best()
    except Exception:  # noqa: BLE001 - detection is best effort; the message below says what to do
        pass
    if found is not None:
        return found.encoding, (f"not UTF-8 and not Chinese GB18030; charset-normalizer reads it best as "
                                f"{found.encoding} (of {', '.join(WESTERN)})")
    name = path.name if path is not None else "file"
    raise FileProblem(f"{name}: the text encoding could not be recognised (expected UTF-8, GBK/GB18030, Windows-1252 "
                      "or DOS 437); save the file as UTF-8 CSV and import it again")


def encoding_reason_code(why: str | None) -> str | None:
    """The kind of reason encoding_decision gave (for a translated sentence on the Data page)."""
    if not why:
        return None
    for code, start in (("bom", "UTF-8 byte-order"), ("bom", "UTF-16 byte-order"), ("ascii", "plain ASCII"),
                        ("utf8", "valid UTF-8"), ("chinese", "not UTF-8; "), ("western", "not UTF-8 and not")):
        if why.startswith(start):
            return "western" if code == "chinese" and "charset-normalizer" in why else code
    return None


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def detect_encoding(sample: bytes, path: Path | None) -> str:
    """encoding_decision's encoding alone."""
    return encoding_decision(sample, path)[0]


def _sniff_delimiter(text: str) -> str:
    import re
    first = text.splitlines()[0] if text else ""
    first = re.sub(r'"(?:[^"]|"")*"', "", first)  # delimiters inside quoted headers do not count
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _unclosed_quote_row(text: str) -> int:
    """The row where the quote that is never closed was opened (only called when the count of quotes is odd)."""
    inside, opened_at, row = False, 1, 1
    for ch in text:
        if ch == '"':
            inside = not inside
            if inside:
                opened_at = row
        elif ch == "\n":
            row += 1
    return opened_at


def _dedupe(headers: list[str]) -> tuple[list[str], list[str]]:
    seen: dict[str, int] = {}
    out, notes = [], []
    for i, h in enumerate(headers):
        h = str(h).strip() if h is not None else ""
        if not h or h.lower().startswith("unnamed:"):
            h = f"column_{i + 1}"
        if h in seen:
            seen[h] += 1
            new = f"{h} ({seen[h]})"
            notes.append(f"duplicate header '{h}' renamed to '{new}'")
            h = new
        else:
            seen[h] = 1
        out.append(h)
    return out, notes


def max_file_bytes() -> int:
    import os
    return int(float(os.environ.get("COCKPIT_MAX_FILE_MB", "4096")) * 1024 * 1024)


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > max_file_bytes():
        raise FileProblem(f"{path.name}: {size / 1048576:,.1f} MB is over the import size limit of "
                          f"{max_file_bytes() / 1048576:,.0f} MB (COCKPIT_MAX_FILE_MB)")


def read_csv(path: Path) -> RawTable:
    with open(path, "rb") as fh:
        start = fh.read(1 << 20)
    if not start or (start.isspace() and path.stat().st_size <= len(start)):
        raise FileProblem(f"{path.name}: the file is empty (expected a header row and data rows)")
    if start[:4] == b"PK\x03\x04":
        raise FileProblem(f"{path.name}: this is a zip/Excel file with a .csv name; save it as CSV or rename it")
    encoding, why = encoding_decision(start, path)
    raw = _read_csv_fast(path, start, encoding)
    if raw is None:
        data = path.read_bytes()
        if data.isspace():
            raise FileProblem(f"{path.name}: the file is empty (expected a header row and data rows)")
        raw = _read_csv_exact(path, data, encoding)
    raw.encoding_why = why
    return raw


def _line_ends(path: Path, skip: int) -> int:
    """Rows the file's line ends make (a last line without one counts), read in blocks."""
    count, last = 0, b""
    with open(path, "rb") as fh:
        fh.seek(skip)
        while block := fh.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last in (b"\n", b"") else 1)


def _read_csv_fast(path: Path, start: bytes, encoding: str) -> RawTable | None:
    """The common case, read in parallel straight from the file (never the whole text in Python memory): UTF-8,
    no line breaks inside values, every row with the header's number of cells. start: the file's first bytes.
    Returns None for anything else, which the careful reader then handles (and explains)."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    bom = 3 if start.startswith(b"\xef\xbb\xbf") else 0
    head = start[bom: bom + (1 << 16)].decode("utf-8", errors="ignore")
    delimiter = _sniff_delimiter(head)
    try:
        width = len(next(csv.reader(io.StringIO(head.splitlines()[0]), delimiter=delimiter)))
    except (StopIteration, csv.Error, IndexError):
        return None
    if width < 2:
        return None  # a single column cannot show a split row by its cell count
    bad_rows: list = []
    # The file's line ends are counted on a thread of their own while Arrow parses it (10 M lines: the count ~0.3 s,
    # reading the file again from the page cache, the parse ~1 s), and waited for on the way out, however it ends.
    with ThreadPoolExecutor(max_workers=1) as beside:
        line_ends = beside.submit(_line_ends, path, bom)
        return _parse_fast(path, bom, delimiter, width, bad_rows, line_ends, encoding)


def _parse_fast(path: Path, bom: int, delimiter: str, width: int, bad_rows: list, line_ends: Future,
                encoding: str) -> RawTable | None:
    try:
        source = pa.OSFile(str(path))
        source.seek(bom)
        table = pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False,
                                             invalid_row_handler=lambda row: bad_rows.append(row) or "skip"),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 column_types={f"f{i}": pa.large_string() for i in range(width)},
                                                 null_values=[], auto_dict_encode=False, timestamp_parsers=[]),
        )
    except pa.ArrowInvalid:
        return None  # invalid UTF-8 bytes, or a shape problem: the careful reader names the row
    if bad_rows or table.num_columns != width or table.num_rows < 1:
        return None
    # A line break inside a quoted value is only safe with the careful reader (blocks may split the value): as
    # many rows as line ends proves there is none (blank lines, which the reader skips, also send us there).
    # (A bare carriage return inside quotes, or a quote never closed, also changes the count of rows.)
    if table.num_rows != line_ends.result():
        return None
    headers, notes = _dedupe([col[0].as_py() for col in table.columns])
    if table.num_rows < 2:
        return None
    # Pandas columns over the same Arrow buffers (no copy of ten million strings).
    frame = pd.DataFrame({i: pd.arrays.ArrowStringArray(col.slice(1)) for i, col in enumerate(table.columns)})
    frame.columns = headers
    return RawTable(path, frame, encoding=encoding, notes=notes)


def _read_csv_exact(path: Path, data: bytes, encoding: str) -> RawTable:
    """The careful reader: decodes the whole file first (to name the row of a bad byte or an unclosed quote)
    and lets values hold line breaks."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(f"{path.name}: row {line}: bytes that are not valid {encoding} "
                          "(the file mixes encodings); save it as UTF-8 and import it again") from exc
    text = text.lstrip("\ufeff")
    if text.count('"') % 2:
        raise FileProblem(f"{path.name}: row {_unclosed_quote_row(text)}: a quote (\") opens a cell that never "
                          "closes, so every row after it would run together; fix the quote and import again")
    delimiter = _sniff_delimiter(text[:65536])
    bad_rows: list[dict] = []

    search_from = [0]

    def skip_bad_row(row) -> str:
        # A row with the wrong number of cells is set aside (and reported), not allowed to stop the file.
        number = row.number
        if not number or number < 1:
            # pyarrow cannot number rows when cells may hold line breaks: find the row's text instead.
            pos = text.find(row.text or "", search_from[0]) if row.text else -1
            number = text.count("\n", 0, pos) + 1 if pos >= 0 else 0
            if pos >= 0:
                search_from[0] = pos + 1
        bad_rows.append({"row_number": number, "value": (row.text or "")[:200],
                         "reason": f"expected {row.expected_columns} cells, found {row.actual_columns}"})
        return "skip"
    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=skip_bad_row),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 column_types={}, null_values=[], auto_dict_encode=False,
                                                 timestamp_parsers=[]),
        )
    except pa.ArrowInvalid as exc:
        raise FileProblem(f"{path.name}: not a readable CSV table ({exc}); expected a header row and the same "
                          "number of cells in every row") from exc
    # Every column as text: we parse values ourselves so that nothing is guessed silently.
    table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
    frame = table.to_pandas(types_mapper=lambda t: pd.StringDtype())
    if frame.empty:
        raise FileProblem(f"{path.name}: the file is empty (expected a header row and data rows)")
    headers, notes = _dedupe([str(v) if v is not None else "" for v in frame.iloc[0].tolist()])
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = headers
    if frame.empty and not bad_rows:
        raise FileProblem(f"{path.name}: has a header row but no data rows (expected at least one row to import)")
    raw = RawTable(path, frame, encoding=encoding, notes=notes)
    raw.bad_rows = bad_rows
    return raw


def read_excel(path: Path, sheet: str | None = None) -> list[RawTable]:
    head = path.read_bytes()[:8]
    if not head:
        raise FileProblem(f"{path.name}: the file is empty (expected an Excel workbook)")
    if path.suffix.lower() in (".xlsx", ".xlsm") and head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                if "[Content_Types].xml" not in zf.namelist():
                    raise FileProblem(f"{path.name}: a zip archive, not an Excel workbook (no workbook inside)")
        except zipfile.BadZipFile as exc:
            raise FileProblem(f"{path.name}: a damaged Excel workbook ({exc})") from exc
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and path.suffix.lower() in (".xlsx", ".xlsm"):
        raise FileProblem(f"{path.name}: the workbook is password-protected or encrypted; remove the password "
                          "in Excel (File > Info > Protect Workbook) and import it again")
    try:
        sheets = pd.read_excel(path, sheet_name=sheet if sheet is not None else None, engine="calamine",
                               header=None, dtype=object)
    except ValueError as exc:
        raise FileProblem(f"{path.name}: {exc}" + ("" if sheet is None else f" (the mapping asks for sheet '{sheet}')")) from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise FileProblem(f"{path.name}: not a readable Excel workbook ({type(exc).__name__}: {exc})") from exc
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    out = []
    for name, frame in sheets.items():
        frame = frame.dropna(how="all").dropna(axis=1, how="all")
        if len(frame) < 2:
            continue  # empty, or a header row with no data
        first_row = int(frame.index[0])
        headers, notes = _dedupe([("" if pd.isna(v) else str(v)) for v in frame.iloc[0].tolist()])
        body = frame.iloc[1:].copy()
        body.columns = headers
        body = body.reset_index(drop=True)
        body = body.infer_objects()
        out.append(RawTable(path, body, sheet=str(name), header_rows=first_row + 1, notes=notes))
    if not out:
        raise FileProblem(f"{path.name}: every sheet is empty (expected a header row and data rows)")
    return out


def read_parquet(path: Path) -> RawTable:
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as exc:  # noqa: BLE001
        raise FileProblem(f"{path.name}: not a readable Parquet file ({exc})") from exc
    headers, notes = _dedupe(list(frame.columns))
    frame.columns = headers
    if frame.empty:
        raise FileProblem(f"{path.name}: the Parquet file has no rows (expected at least one row to import)")
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    return RawTable(path, frame, header_rows=0, notes=notes)


def read_any(path: Path, sheet: str | None = None) -> list[RawTable]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise FileProblem(f"{path}: no such file")
    check_size(path)
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)]
    if suffix in EXCEL_SUFFIXES:
        return read_excel(path, sheet)
    if suffix in PARQUET_SUFFIXES:
        return [read_parquet(path)]
    raise FileProblem(f"{path.name}: unsupported file type '{suffix}' (expected .csv, .xlsx, .xls or .parquet)")


def sniff_csv_sample(path: Path, rows: int = 20) -> str:
    """First rows of a CSV decoded, for previews."""
    data = path.read_bytes()[: 1 << 16]
    enc = detect_encoding(data, path)
    return "\n".join(data.decode(enc, errors="replace").splitlines()[:rows])


__all__ = ["FileProblem", "RawTable", "read_any", "sha256_of", "detect_encoding", "encoding_decision", "SUPPORTED", "csv"]
