-- After conform_set_aside.sql and schema.sql: the early version's rows into the tables made afresh, by column name
-- (a column added since stays empty), each value cast to the current type; a value that cannot be cast stops the
-- upgrade or import, which then leaves the database as it was. Statements are separated by lines holding only ';'.
insert into customers by name from conform_old_customers
;
insert into orders by name from conform_old_orders
;
insert into complaints by name from conform_old_complaints
;
insert into pipeline_events by name from conform_old_pipeline_events
;
insert into fx_rates by name from conform_old_fx_rates
;
insert into import_log by name from conform_old_import_log
;
insert into quarantine by name from conform_old_quarantine
;
insert into settings by name from conform_old_settings
;
drop table conform_old_customers
;
drop table conform_old_orders
;
drop table conform_old_complaints
;
drop table conform_old_pipeline_events
;
drop table conform_old_fx_rates
;
drop table conform_old_import_log
;
drop table conform_old_quarantine
;
drop table conform_old_settings
