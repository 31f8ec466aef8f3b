"""A corpus of hostile export files, generated at test time (nothing here is committed as data).

Each case: a file name, its bytes (or a builder), and the expected outcome:
- "import": imported; `quarantined` rows set aside (and `notes` substrings in the report);
- "refuse": refused with a message that contains every `mention` (file, row, column…); the database unchanged.
docs/reliability.md lists the same cases.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

OK_ORDERS = "Order No.,Customer ID,Order Date,Amount,Currency\n"


@dataclass
class Case:
    name: str
    content: bytes | Callable[[Path], None]
    outcome: str                      # import | refuse
    mention: tuple[str, ...] = ()     # substrings of the refusal message / report
    quarantined: int | None = None    # rows quarantined when imported
    loaded: int | None = None
    what: str = ""                    # one line for docs/reliability.md
    env: dict = field(default_factory=dict)


def orders(rows: list[str], header: str = OK_ORDERS) -> bytes:
    return (header + "\n".join(rows) + "\n").encode("utf-8")


def xlsx(frame: pd.DataFrame, **kwargs) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        frame.to_excel(path, index=False, **kwargs)
    return build


def cases() -> list[Case]:
    c: list[Case] = []
    add = c.append
    # Encodings and byte-level damage
    add(Case("utf8.csv", orders(["A1,K1,2024-01-05,100,USD"]), "import", loaded=1, what="UTF-8"))
    add(Case("utf8_bom.csv", b"\xef\xbb\xbf" + orders(["A1,K1,2024-01-05,100,USD"]), "import", loaded=1, what="UTF-8 with BOM"))
    add(Case("gbk_headers.csv", "订单号,客户编号,下单日期,金额\nA1,K1,2024/1/5,100\n".encode("gbk"), "import", loaded=1,
             what="GBK with Chinese headers"))
    add(Case("gb18030_rare.csv", "客户编号,客户名称\nK1,𠀀记贸易\n".encode("gb18030"), "import", loaded=1,
             what="GB18030 with a character outside GBK"))
    add(Case("utf16.csv", orders(["A1,K1,2024-01-05,100,USD"]).decode().encode("utf-16"), "import", loaded=1, what="UTF-16 with BOM"))
    add(Case("latin1.csv", "Customer ID,Customer Name,Country\nK1,Café Crème SARL,France\n".encode("latin-1"), "import",
             loaded=1, what="Latin-1 (Kaggle-style) text"))
    add(Case("mixed_encoding.csv", "客户编号,客户名称\nK1,上海贸易\n".encode("utf-8") + "K2,北京贸易\n".encode("gbk"), "refuse",
             ("mixed_encoding.csv", "row 3", "encoding"), what="UTF-8 and GBK lines in one file"))
    add(Case("nul_bytes.csv", b"Customer ID,Customer Name\nK1,Ab\x00c\nK2,Ok\n", "import", loaded=2, what="NUL and control bytes in cells"))
    add(Case("binary.csv", bytes(range(256)) * 20, "refuse", ("binary.csv",), what="binary noise named .csv"))
    # Structure
    add(Case("empty.csv", b"", "refuse", ("empty.csv", "empty"), what="empty file"))
    add(Case("blank_lines.csv", b"\n\n\n", "refuse", ("blank_lines.csv", "empty"), what="only blank lines"))
    add(Case("headers_only.csv", OK_ORDERS.encode(), "refuse", ("headers_only.csv", "no data rows"), what="header row only"))
    add(Case("no_header.csv", b"A1,K1,2024-01-05,100,USD\nA2,K1,2024-01-06,50,USD\n", "refuse",
             ("no_header.csv", "cannot tell"), what="data without a header row"))
    add(Case("duplicate_headers.csv", b"Customer ID,Customer ID,Customer Name\nK1,K9,Alpha\n", "import", loaded=1,
             what="the same header twice"))
    add(Case("missing_required.csv", b"Customer ID,Amount\nK1,100\n", "refuse", ("missing_required.csv", "ordered_on", "missing"),
             what="orders without an order date column"))
    add(Case("ragged_rows.csv", orders(["A1,K1,2024-01-05,100,USD", "A2,K1,2024-01-06", "A3,K1,2024-01-07,5,USD,extra,cells"]),
             "import", loaded=1, quarantined=2, mention=("expected 5 cells",), what="rows with too few / too many cells"))
    add(Case("semicolon_decimal_comma.csv", b"Customer ID;Order Date;Amount\nK1;05.03.2024;1.234,50\nK2;23.03.2024;99,90\n",
             "import", loaded=2, what="semicolons and decimal commas"))
    add(Case("tabs.tsv", b"Customer ID\tOrder Date\tAmount\nK1\t2024-03-05\t10\n", "import", loaded=1, what="tab-separated"))
    add(Case("crlf.csv", orders(["A1,K1,2024-01-05,100,USD"]).replace(b"\n", b"\r\n"), "import", loaded=1, what="Windows line ends"))
    add(Case("multiline_quoted.csv", b'Customer ID,Customer Name,Country\nK1,"Line one\nline two, with comma",DE\n', "import",
             loaded=1, what="quoted cell with a line break"))
    add(Case("unbalanced_quote.csv", b'Customer ID,Customer Name\nK1,"never closed\nK2,Beta\n', "refuse",
             ("unbalanced_quote.csv", "row 2", "never closes"), what="a quote that never closes"))
    add(Case("wide.csv", (",".join(f"col{i}" for i in range(300)) + ",Customer ID\n" + ",".join("x" for _ in range(300)) + ",K1\n").encode(),
             "import", loaded=1, what="300 unknown columns"))
    # Dates
    add(Case("bad_dates.csv", orders(["A1,K1,2024-02-30,1,USD", "A2,K1,tomorrow,1,USD", "A3,K1,2024-01-05,1,USD"]),
             "import", loaded=1, quarantined=2, mention=("not a date",), what="impossible and text dates"))
    add(Case("ambiguous_dates.csv", orders(["A1,K1,05/03/2024,1,USD", "A2,K1,06/04/2024,1,USD"]), "import", loaded=2,
             mention=("assumed M/D/Y",), what="dd/mm vs mm/dd undecidable"))
    add(Case("mixed_date_orders.csv", orders(["A1,K1,23/03/2024,1,USD", "A2,K1,03/23/2024,1,USD"]), "import", loaded=2,
             mention=("mixed day/month order",), what="day-first and month-first in one column"))
    add(Case("excel_serial_text.csv", orders(["A1,K1,45357,1,USD", "A2,K1,45358.5,1,USD"]), "import", loaded=2,
             what="Excel serial numbers as text"))
    add(Case("dates_1900_2999.csv", orders(["A1,K1,1900-01-01,1,USD", "A2,K1,2999-12-31,1,USD"]), "import", loaded=2,
             what="dates at the edges of time"))
    add(Case("chinese_dates.csv", "客户编号,下单日期,金额\nK1,2024年3月5日,10\nK2,2024年12月31日 18:30,20\n".encode("utf-8"),
             "import", loaded=2, what="2024年3月5日 with and without time"))
    add(Case("excel_serial.xlsx", xlsx(pd.DataFrame({"Customer ID": ["K1"], "Order Date": [45357], "Amount": [5]})), "import",
             loaded=1, what="Excel serial in a numeric cell"))
    # Money
    add(Case("text_amounts.csv", orders(["A1,K1,2024-01-05,abc,USD", "A2,K1,2024-01-05,12-34,USD", "A3,K1,2024-01-05,7,USD"]),
             "import", loaded=1, quarantined=2, mention=("not an amount",), what="amounts that are not numbers"))
    add(Case("negative_amounts.csv", orders(["A1,K1,2024-01-05,-100,USD", "A2,K1,2024-01-05,(50.00),USD"]), "import", loaded=2,
             what="returns as -100 and (50.00)"))
    add(Case("infinite.csv", orders(["A1,K1,2024-01-05,1e999,USD", "A2,K1,2024-01-05,5,USD"]), "import", loaded=1, quarantined=1,
             what="an amount that overflows to infinity"))
    add(Case("symbols.csv", orders(['A1,K1,2024-01-05,"$1,234.50",USD', 'A2,K1,2024-01-05,"€ 1.234,50",USD']), "import", loaded=2,
             what="currency symbols and separators"))
    add(Case("unknown_currency.csv", orders(["A1,K1,2024-01-05,5,XYZ"]), "refuse", ("XYZ", "no exchange rate"),
             what="a currency with no rate"))
    add(Case("no_amount_values.csv", orders(["A1,K1,2024-01-05,,USD"]), "import", loaded=0, quarantined=1,
             mention=("missing amount",), what="blank amount"))
    # Countries and identities
    add(Case("unknown_countries.csv", b"Customer ID,Country\nK1,Atlantis\nK2,Unspecified\nK3,EIRE\n", "import", loaded=3,
             mention=("Atlantis",), what="names that are not one country"))
    add(Case("duplicate_ids.csv", b"Customer ID,Customer Name\nK1,First\nK1,Second\n", "import", loaded=2,
             mention=("repeat an id",), what="the same customer twice"))
    add(Case("unknown_customers.csv", orders(["A1,ZZ999,2024-01-05,5,USD"]), "import", loaded=1, mention=("unknown details",),
             what="orders of a customer in no customer file"))
    add(Case("blank_ids.csv", b"Customer ID,Customer Name\n,Nameless\nK1,Named\n", "import", loaded=1, quarantined=1,
             mention=("missing customer_id",), what="a blank id"))
    add(Case("float_ids.csv", b"Customer ID,Customer Name\n17850.0,Float Id\n", "import", loaded=1, what="ids exported as 17850.0"))
    # Complaints
    add(Case("resolved_before_received.csv", b"Complaint ID,Customer ID,Date Received,Date Closed\nQ1,K1,2024-03-05 10:00,2024-03-01 09:00\n",
             "import", loaded=1, mention=("before received",), what="resolved before received"))
    add(Case("complaint_no_customer.csv", b"Complaint ID,Date Received,Order No.\nQ1,2024-03-05,NOPE\n", "import", loaded=1,
             mention=("no customer",), what="a complaint naming an unknown order only"))
    # Cell content
    add(Case("long_cells.csv", ("Customer ID,Customer Name\nK1," + "x" * 100_000 + "\n").encode(), "import", loaded=1,
             mention=("longer than 2,000",), what="a 100,000-character cell"))
    add(Case("control_chars.csv", b"Customer ID,Customer Name\nK1,Al\x07pha\x1b[31m\n", "import", loaded=1,
             what="bell and escape sequences"))
    add(Case("formulas.csv", b'Customer ID,Customer Name,Website\nK1,"=HYPERLINK(""http://evil"",""x"")",+cmd|\' /C calc\'!A0\nK2,@SUM(1+1),-2+3\n',
             "import", loaded=2, what="spreadsheet formulas in cells"))
    add(Case("sql_everywhere.csv", orders(["'; DROP TABLE orders; --,' OR 1=1 --,2024-01-05,5,USD"],
                                          header="Order No.,Customer ID,Order Date,Amount,Currency\n"), "import", loaded=1,
             what="SQL text in ids and names"))
    add(Case("sql_headers.csv", b'"Customer ID","x""); drop table customers; --"\nK1,v\n', "import", loaded=1,
             what="SQL text in a header"))
    add(Case("emoji.csv", "Customer ID,Customer Name\nK1,🚀 Rocket Ltd\n".encode(), "import", loaded=1, what="emoji"))
    add(Case("rtl.csv", "Customer ID,Customer Name,Country\nK1,شركة التجارة,الإمارات العربية المتحدة\n".encode(), "import",
             loaded=1, what="right-to-left text"))
    # Excel and Parquet damage
    add(Case("zip_not_xlsx.xlsx", _zip_of_text(), "refuse", ("zip_not_xlsx.xlsx", "not an Excel workbook"),
             what=".xlsx that is a zip of something else"))
    add(Case("password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096, "refuse", ("password.xlsx", "password"),
             what="password-protected (encrypted) workbook"))
    add(Case("text.xlsx", b"Customer ID,Name\nK1,A\n", "refuse", ("text.xlsx", "Excel"), what="CSV text named .xlsx"))
    add(Case("truncated.xlsx", _truncated_xlsx, "refuse", ("truncated.xlsx",), what="a workbook cut short"))
    add(Case("empty_sheets.xlsx", xlsx(pd.DataFrame()), "refuse", ("empty_sheets.xlsx", "empty"), what="workbook with no data"))
    add(Case("two_sheets.xlsx", _two_sheets, "import", loaded=2, what="customers and orders on two sheets"))
    add(Case("leading_blank_rows.xlsx", xlsx(pd.DataFrame({"Customer ID": ["K1"], "Customer Name": ["A"]}), startrow=3),
             "import", loaded=1, what="table starting on row 4"))
    add(Case("legacy.xls", _fake_xls, "refuse", ("legacy.xls",), what="a damaged .xls"))
    add(Case("bad.parquet", b"PAR1 not really parquet", "refuse", ("bad.parquet", "Parquet"), what="damaged Parquet"))
    add(Case("empty.parquet", _empty_parquet, "refuse", ("empty.parquet", "no rows"), what="Parquet with no rows"))
    add(Case("typed.parquet", _typed_parquet, "import", loaded=1, quarantined=2,
             what="Parquet with typed dates, float ids and nulls (no customer / no date quarantined)"))
    add(Case("notes.txt", b"this is just a note\nnothing tabular\n", "refuse", ("notes.txt",), what="prose in a .txt"))
    add(Case("unsupported.json", b'{"a": 1}', "refuse", ("unsupported.json", "unsupported"), what="an unsupported file type"))
    add(Case("too_big.csv", orders(["A1,K1,2024-01-05,1,USD"] * 20_000), "refuse", ("too_big.csv", "size limit"),
             env={"COCKPIT_MAX_FILE_MB": "0.1"}, what="a file over the configured size limit (generated at test time)"))
    add(Case("all_rows_bad.csv", orders(["A1,K1,nope,x,USD", "A2,,,,"]), "import", loaded=0, quarantined=2,
             what="every row bad: all quarantined, nothing else changes"))
    add(Case("huge_quantity.csv", b"Customer ID,Order Date,Quantity,Unit Price\nK1,2024-01-05,99999999999,0.01\nK1,2024-01-05,abc,1\n",
             "import", loaded=1, quarantined=1, what="quantity x unit price with a bad quantity"))
    return c


def _zip_of_text() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buf.getvalue()


def _truncated_xlsx(path: Path) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"Customer ID": ["K1"] * 200, "Customer Name": ["A"] * 200}).to_excel(buf, index=False)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


def _two_sheets(path: Path) -> None:
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame({"Customer ID": ["K1"], "Customer Name": ["A"]}).to_excel(xw, sheet_name="Customers", index=False)
        pd.DataFrame({"Customer ID": ["K1"], "Order Date": ["2024-01-05"], "Amount": [3]}).to_excel(xw, sheet_name="Orders", index=False)


def _fake_xls(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 2048)


def _empty_parquet(path: Path) -> None:
    pd.DataFrame({"Customer ID": pd.Series([], dtype="string")}).to_parquet(path)


def _typed_parquet(path: Path) -> None:
    pd.DataFrame({"CustomerID": [17850.0, None, 12345.0], "InvoiceDate": pd.to_datetime(["2011-01-01 08:00", "2011-01-02 00:00", None]),
                  "Quantity": [2, 3, 1], "UnitPrice": [1.5, 2.0, 3.0], "InvoiceNo": ["1", "2", "3"]}).to_parquet(path)


def write_all(folder: Path) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case in cases():
        path = folder / case.name
        if callable(case.content):
            case.content(path)
        else:
            path.write_bytes(case.content)
        out.append((case, path))
    return out
