"""The mapping file (YAML: which table, which header is which field, defaults, date order) and finding the files
to import in the paths given."""

from __future__ import annotations

import fnmatch
import tempfile
from pathlib import Path

import yaml

from ..readers import SUPPORTED
from ..schema import TABLES, field_map
from .model import ImportFailed, Spec


def load_mapping(path: str | Path | None) -> list[Spec]:
    if not path:
        return []
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFailed(f"mapping file {path}: cannot be read ({exc})") from exc
    if not isinstance(doc, dict):
        raise ImportFailed(f"mapping file {path}: expected sections such as 'orders:' and 'customers:'")
    specs = []
    for name, body in doc.items():
        body = body or {}
        if not isinstance(body, dict):
            raise ImportFailed(f"mapping file {path}: section '{name}' must be a mapping of settings")
        table = body.get("table", name)
        if table in ("order_lines", "order_headers"):
            pass
        elif table not in TABLES:
            raise ImportFailed(f"mapping file {path}: section '{name}': unknown table '{table}' "
                               f"(expected one of {', '.join(TABLES)}, order_lines, order_headers)")
        columns = {str(k): str(v) for k, v in (body.get("columns") or {}).items()}
        known = set(field_map("orders" if table in ("order_lines", "order_headers") else table))
        unknown = [k for k in columns if k not in known]
        if unknown:
            raise ImportFailed(f"mapping file {path}: section '{name}': unknown field(s) {', '.join(unknown)} "
                               f"(fields of {table}: {', '.join(sorted(known))})")
        specs.append(Spec(name=str(name), table=table, pattern=body.get("file"), sheet=body.get("sheet"),
                          columns=columns, defaults={str(k): str(v) for k, v in (body.get("defaults") or {}).items()},
                          date_order=body.get("date_order"), events=body.get("events"), exact=bool(body.get("exact"))))
    return specs


def load_mapping_text(text: str, origin: str = "preset") -> list[Spec]:
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    try:
        return load_mapping(fh.name)
    except ImportFailed as exc:
        raise ImportFailed(str(exc).replace(fh.name, origin)) from exc
    finally:
        Path(fh.name).unlink(missing_ok=True)


def specs_to_yaml(specs: list[Spec]) -> str:
    doc = {}
    for s in specs:
        body = {"table": s.table, "file": s.pattern}
        if s.sheet:
            body["sheet"] = s.sheet
        if s.columns:
            body["columns"] = dict(s.columns)
        if s.defaults:
            body["defaults"] = dict(s.defaults)
        if s.date_order:
            body["date_order"] = s.date_order
        if s.events:
            body["events"] = s.events
        if s.exact:
            body["exact"] = True
        doc[s.name or f"{s.table}_{len(doc) + 1}"] = body
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def discover(paths: list[str | Path], specs: list[Spec]) -> list[tuple[Path, Spec | None, bool]]:
    """Expand folders; pair each file with the mapping section whose glob matches it.
    Returns (path, spec, explicit) where explicit means the user named the file itself."""
    found: list[tuple[Path, Spec | None, bool]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            base, explicit = p, False
        elif p.exists():
            files, base, explicit = [p], p.parent, True
        else:
            raise ImportFailed(f"{p}: no such file or folder")
        for f in files:
            rel = f.relative_to(base).as_posix()
            spec = next((s for s in specs if s.pattern and (fnmatch.fnmatch(rel, s.pattern) or fnmatch.fnmatch(f.name, s.pattern))), None)
            found.append((f, spec, explicit))
    return found
