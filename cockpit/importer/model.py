"""The import's vocabulary: how a file is to be read (Spec), one parsed table (Prepared), progress callbacks
and the refusal (ImportFailed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from ..readers import RawTable


# progress(fraction done, step, **values): step is the key of the step's words in cockpit/i18n.py (import_step_...),
# which the CLI prints in English and the data page in the viewer's language.
Progress = Callable[..., None]


class ImportFailed(Exception):
    """The import was refused; the database was not changed. str() is the message for the user."""

    def __init__(self, message: str, problems: list[str] | None = None, plan: list[dict] | None = None):
        self.problems = problems or []
        self.plan = plan or []   # what the importer had decided before it refused (plan_text)
        full = message + ("".join("\n  - " + p for p in self.problems[:20]) if self.problems else "")
        if len(self.problems) > 20:
            full += f"\n  … and {len(self.problems) - 20} more"
        super().__init__(full)


@dataclass
class Spec:
    """How to read one kind of file: from the mapping file, or empty for automatic detection."""
    name: str = ""
    table: str | None = None
    pattern: str | None = None
    sheet: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    events: dict | None = None  # event-log complaints (one row per status change)
    exact: bool = False         # columns are complete: do not add alias matches (a reviewed mapping)


@dataclass
class Prepared:
    """One source table after parsing: canonical columns, ready to load."""
    raw: RawTable
    table: str                  # customers | orders | order_headers | order_lines | complaints | pipeline_events | fx_rates
    mapping: dict[str, str]
    frame: pd.DataFrame
    rows_read: int
    quarantine: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    dates: dict[str, str] = field(default_factory=dict)   # date field -> how its day/month order was decided


def no_progress(_f: float, _step: str, **_values) -> None:
    pass
