-- Which derived rows an import builds, read by build_derived.sql and the customer state through four macros
-- (cockpit/importer/derived.py runs each statement by the name of what it makes). Statements are separated by lines
-- holding only ';'.
--   in_scope(id)                   the customer's rows are built again (the touched customers: derived_scope)
--   in_scope_from(id, day)         ...the row of that day, for tables of order lines alone (customer_day)
--   in_state_scope(id)             ...for tables that show the customer's record, home country or complaints
--   in_state_scope_from(id, day)   ...the row of that day (or of the period ending that day), for such tables
-- A full build: every row, without a join.
create or replace macro in_scope(id) as true
;
create or replace macro in_scope_from(id, day) as true
;
create or replace macro in_state_scope(id) as true
;
create or replace macro in_state_scope_from(id, day) as true
;
-- A top-up, before the merge: the customer records and complaints as they were (a complaint imported again may name
-- another customer, whose complaint counts change too; a record or complaint written again unchanged changes
-- nothing but its import id).
create or replace temp table customers_before as select * exclude (import_id, source_file) from customers
;
create or replace temp table complaints_before as select * exclude (import_id, source_file) from complaints
;
-- A top-up, after the merge and before the order lines are written: the customers of this import's lines and of
-- the lines they replace, every customer record and complaint this import wrote, and the former owners of its
-- complaints. No other customer's derived rows can change: each derived table's rows read their own customer's
-- lines, record and complaints only. record_changed: a record of theirs is new or changed, or a complaint of theirs
-- (received, answered, resolved, moved to or from them), compared by content.
create or replace table derived_scope as
with changed_records as (
    select customer_id from (
        select * exclude (import_id, source_file) from customers where import_id = $import_id
        except
        select * from customers_before
    )
),
changed_complaints as (
    select complaint_id, customer_id from (
        select * exclude (import_id, source_file) from complaints where import_id = $import_id
        except
        select * from complaints_before
    )
),
record_changed as (
    select customer_id from changed_records
    union
    select customer_id from changed_complaints
    union
    select b.customer_id from complaints_before b where b.complaint_id in (select complaint_id from changed_complaints)
)
select customer_id, customer_id in (select customer_id from record_changed) as record_changed
from (
    select customer_id from new_orders
    union
    select o.customer_id from orders o
    where exists (select 1 from new_orders s where s.order_id = o.order_id and s.line_no = o.line_no)
    union
    select customer_id from customers where import_id = $import_id
    union
    select customer_id from complaints where import_id = $import_id
    union
    select b.customer_id from complaints_before b
    where b.complaint_id in (select complaint_id from complaints where import_id = $import_id)
)
where customer_id is not null
;
-- The first day whose order-derived rows this import can change: its lines' days, and every day of the orders
-- they belong to (a line added to an old order changes that order's total on the order's earlier days too; a line
-- replaced by key is one of its order's lines). Null when the import brings no dated line. The rows of earlier
-- days of a customer whose only change is lines read nothing the import changed.
create or replace table derived_scope_day as
select min(ordered_on) as first_day
from (
    select ordered_on from new_orders
    union all
    select ordered_on from orders where order_id in (select order_id from new_orders)
)
;
-- Whether this import wrote a customer record whose id, name, e-mail, phone or rep is new or changed: what the
-- duplicate search reads (cockpit/records.py duplicate_pairs). Without one the pairs found before still hold.
select exists (
    select customer_id, customer_name, email, phone, sales_rep from customers where import_id = $import_id
    except
    select customer_id, customer_name, email, phone, sales_rep from customers_before
)
;
-- ...a touched customer's rows, or one without a customer (lines of an order that names none: few, always built
-- again)...
create or replace macro in_scope(id) as id is null or id in (select customer_id from derived_scope)
;
-- ...of customer_day: every day of a customer whose record changed (it gives the destination of lines that name
-- none), else the days from first_day on. (Written as in_scope and a test of the day: DuckDB then filters the rows by
-- customer first, a semi join; one disjunction of the two subqueries made it join every customer_day row first,
-- 2.35 M rows at 10 M lines, 0.06 → 0.2 s.)
create or replace macro in_scope_from(id, day) as
    in_scope(id)
    and (id is null or day >= (select first_day from derived_scope_day)
         or id in (select customer_id from derived_scope where record_changed))
;
-- A top-up, before the summary tables are built again: the touched customers' lifetime facts as they were, and
-- whether they had any order line (a return alone gives a state without a first order day).
create or replace temp table facts_before as
select customer_id, home_country, first_order_on,
       customer_id in (select customer_id from customer_day where in_scope(customer_id)) as had_lines
from customer_facts
where in_scope(customer_id)
;
-- A top-up, after customer_facts is built again: the touched customers whose rows of the tables that show their
-- record, home country, first order day or complaints change on every day (whole_history), rather than only from
-- first_day on: a record or complaint changed, lines that moved the home country, or the first order day of a
-- customer who had lines before. whole_state: the same for the quarter-end states (cockpit/importer/derived.py
-- _build_customer_state), but for a customer new to the database, who has state (one row per quarter end with
-- lines on or before it: customer_state.sql) only from their first line, this import's, on or after first_day.
create or replace temp table state_scope as
select s.customer_id,
       s.record_changed or b.customer_id is null or f.customer_id is null
       or b.home_country is distinct from f.home_country
       or (b.had_lines and b.first_order_on is distinct from f.first_order_on) as whole_history,
       whole_history and b.customer_id is not null as whole_state
from derived_scope s
left join facts_before b using (customer_id)
left join customer_facts f using (customer_id)
;
create or replace macro in_state_scope(id) as id is null or id in (select customer_id from state_scope where whole_history)
;
create or replace macro in_state_scope_from(id, day) as
    in_scope(id)
    and (id is null or day >= (select first_day from derived_scope_day)
         or id in (select customer_id from state_scope where whole_history))
