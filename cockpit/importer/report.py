"""What an import did (or, for check, would do): the plan, the files, quarantine reasons, the counts; as text for
the CLI and as a dict for --json and the Data page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .plan import plan_text


@dataclass
class Report:
    plan: list[dict] = field(default_factory=list)   # what the importer decided, per file and sheet (plan_text)
    files: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    unresolved_countries: Counter = field(default_factory=Counter)
    quarantine_sample: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    placeholder_customers: int = 0
    import_id: int | None = None
    database: str = ""
    written: bool = False
    seconds: float = 0.0
    table_counts: dict = field(default_factory=dict)
    # Customers whose summary tables this import built again (a top-up); None: every customer's (a full build).
    rebuilt_customers: int | None = None
    # The first day whose rows a top-up's order lines change: of the customers whose only change is lines, the
    # rows of earlier days are kept (None: no dated line, or a full build).
    rebuilt_from: dt.date | None = None

    def as_dict(self) -> dict:
        return {
            "database": self.database, "written": self.written, "import_id": self.import_id,
            "plan": self.plan, "files": self.files, "skipped": self.skipped, "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded, "rows_quarantined": self.rows_quarantined,
            "reasons": dict(self.reasons), "unresolved_countries": dict(self.unresolved_countries),
            "placeholder_customers": self.placeholder_customers, "notes": self.notes,
            "table_counts": self.table_counts, "rebuilt_customers": self.rebuilt_customers,
            "rebuilt_from": self.rebuilt_from.isoformat() if self.rebuilt_from else None,
            "seconds": round(self.seconds, 2),
        }

    def text(self) -> str:
        lines = plan_text(self.plan)
        for f in self.files:
            lines.append(f"  {f['file']}: {f['table']}, {f['rows_read']:,} rows read, {f['rows_loaded']:,} loaded, "
                         f"{f['rows_quarantined']:,} quarantined" + (f" ({f['encoding']})" if f.get("encoding") else ""))
        for s in self.skipped:
            lines.append(f"  skipped {s}")
        head = "Checked" if not self.written else "Imported"
        lines.insert(len(plan_text(self.plan)), f"{head} {len(self.files)} file(s): {self.rows_read:,} rows read, {self.rows_loaded:,} loaded, "
                        f"{self.rows_quarantined:,} quarantined" + (f" in {self.seconds:.1f} s" if self.seconds else ""))
        if self.reasons:
            lines.append("Quarantine reasons:")
            lines += [f"  {n:,} × {r}" for r, n in self.reasons.most_common()]
        if self.quarantine_sample:
            lines.append("Examples:")
            lines += [f"  {q['file']} row {q['row_number']}, column '{q['column_name']}': {q['reason']}"
                      for q in self.quarantine_sample[:10]]
        if self.unresolved_countries:
            lines.append("Countries that are not one country (kept as 'unknown'):")
            lines += [f"  '{v}' × {n:,}" for v, n in self.unresolved_countries.most_common()]
        if self.placeholder_customers:
            lines.append(f"{self.placeholder_customers:,} new customer(s) appear in orders or complaints but not in a "
                         "customer file: added with unknown details (or the details the orders carry)")
        lines += [f"Note: {n}" for n in self.notes]
        if self.written and self.rebuilt_customers is not None:
            lines.append(f"Summary tables built again for the {self.rebuilt_customers:,} customer(s) this import "
                         "touched (the others' are unchanged)" + (
                             f"; of those whose only change is order lines, the rows from {self.rebuilt_from.isoformat()} on"
                             if self.rebuilt_from else ""))
        if self.table_counts:
            lines.append(("Database now holds: " if self.written else "After this import the database would hold: ")
                         + ", ".join(f"{k} {v:,}" for k, v in self.table_counts.items()))
        return "\n".join(lines)
