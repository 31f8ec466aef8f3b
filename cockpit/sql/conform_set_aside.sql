-- A database made by an early version of Customer Cockpit holds canonical columns under other types (dates as
-- timestamps, ids as BIGINT) or lacks columns added since (importer._conform_canonical runs this only then).
-- Its canonical tables are set aside under other names; schema.sql then makes them afresh and
-- conform_restore.sql copies the rows back by column name, each value cast to the current type.
-- Statements are separated by lines holding only ';'.
alter table customers rename to conform_old_customers
;
alter table orders rename to conform_old_orders
;
alter table complaints rename to conform_old_complaints
;
alter table pipeline_events rename to conform_old_pipeline_events
;
alter table fx_rates rename to conform_old_fx_rates
;
alter table import_log rename to conform_old_import_log
;
alter table quarantine rename to conform_old_quarantine
;
alter table settings rename to conform_old_settings
