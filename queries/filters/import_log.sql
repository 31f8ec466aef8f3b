-- One row per import, newest first: who, when, mode, files (JSON) and row counts.
select import_id, started_at, finished_at, imported_by, mode, reporting_currency, files, rows_read, rows_loaded,
       rows_quarantined, reasons
from import_log
order by import_id desc
