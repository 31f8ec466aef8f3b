"""The import engine: export files → one validated, merged DuckDB database, swapped in atomically.

The steps, one file each:
  mapping.py    the mapping file, and the files found in the paths given
  read.py       each file read (readers.py) and prepared, hashed beside
  detect.py     each file's table and header → field mapping, with the evidence
  plan.py       the import plan (what was decided and why); refusal when the evidence splits
  prepare.py    values parsed and validated (parse.py, countries.py); bad optional values blanked, bad rows quarantined
  assemble.py   this import's order lines as one table (headers joined to lines, parts of one order together)
  merge.py      records merged into the database by key, order lines written with their rates
  derived.py    the summary tables the pages read; an older database brought to this version
  files.py      the lock, the new version swapped in atomically (written once), kept versions and rollback
  run.py        run_import: the steps in order
  connection.py the writing connection (memory caps, statements read to the end, work beside, timings)
  inspect.py    what the Data page shows before an import
A failure at any step leaves the database as it was.
"""
from .derived import DERIVED_VERSION, derived_is_current, upgrade_derived
from .files import KEEP_VERSIONS, list_versions, rollback
from .inspect import Inspection, inspect_files, suggest_country
from .mapping import load_mapping, load_mapping_text, specs_to_yaml
from .model import ImportFailed, Prepared, Spec
from .plan import file_plan, plan_text
from .report import Report
from .run import run_import

__all__ = ["DERIVED_VERSION", "KEEP_VERSIONS", "ImportFailed", "Inspection", "Prepared", "Report", "Spec",
           "derived_is_current", "file_plan", "inspect_files", "list_versions", "load_mapping", "load_mapping_text",
           "plan_text", "rollback", "run_import", "specs_to_yaml", "suggest_country", "upgrade_derived"]
