-- Which customers' derived rows an import builds (derived_scope, read by build_derived.sql's in_scope and the
-- customer state; cockpit/importer/derived.py, which runs each statement by the name of what it makes).
-- Statements are separated by lines holding only ';'.

-- Whether a row's customer is in the scope being built (build_derived.sql, cockpit/rhythm.py). A full build: every
-- row, without a join.
create or replace macro in_scope(id) as true
;
-- A top-up, before the merge: the customer records and complaints as they were (a complaint imported again may name
-- another customer, whose complaint counts change too; a record or complaint written again unchanged changes no
-- customer's state: state_scope).
create or replace temp table customers_before as select * exclude (import_id, source_file) from customers
;
create or replace temp table complaints_before as select * exclude (import_id, source_file) from complaints
;
-- A top-up, after the merge and before the order lines are written: the customers of this import's lines and of
-- the lines they replace, every customer record and complaint this import wrote, and the former owners of its
-- complaints. No other customer's derived rows can change: each derived table's rows read their own customer's
-- lines, record and complaints only.
create or replace table derived_scope as
select distinct customer_id
from (
    select customer_id from new_orders
    union all
    select o.customer_id from orders o
    where exists (select 1 from new_orders s where s.order_id = o.order_id and s.line_no = o.line_no)
    union all
    select customer_id from customers where import_id = $import_id
    union all
    select customer_id from complaints where import_id = $import_id
    union all
    select b.customer_id from complaints_before b
    where b.complaint_id in (select complaint_id from complaints where import_id = $import_id)
)
where customer_id is not null
;
-- The first day whose order-derived rows this import can change: its lines' days, and every day of the orders
-- they belong to (a line added to an old order changes that order's total on the order's earlier days too; a line
-- replaced by key is one of its order's lines). Null when the import brings no dated line. With the import's id,
-- which state_scope reads.
create or replace table derived_scope_day as
select min(ordered_on) as first_day, $import_id as import_id
from (
    select ordered_on from new_orders
    union all
    select ordered_on from orders where order_id in (select order_id from new_orders)
)
;
-- ...and a row of theirs, or one without a customer (lines of an order that names none: few, always built again).
create or replace macro in_scope(id) as id is null or id in (select customer_id from derived_scope)
;
-- A top-up, before the summary tables are built again: the touched customers' lifetime facts as they were, and
-- whether they had any order line (a return alone gives a state without a first order day).
create or replace temp table facts_before as
select customer_id, home_country, first_order_on,
       customer_id in (select customer_id from customer_day where in_scope(customer_id)) as had_lines
from customer_facts
where in_scope(customer_id)
;
-- A top-up, after customer_facts is built again: the touched customers whose state changes on every quarter end
-- held (whole_history) rather than only from derived_scope_day's first_day on (cockpit/importer/derived.py
-- _build_customer_state): a customer whose record this import changed, or a complaint of theirs (received,
-- resolved, moved to or from them), or whose lines moved their home country, or the first order day that every
-- day's state shows for a customer who had lines before. A customer without lines before this import (new to the
-- database, or a record that had none) has state only from their first line, which is this import's: on or after
-- first_day.
create or replace temp table state_scope as
with changed_records as (
    select customer_id from (
        select * exclude (import_id, source_file) from customers where import_id = (select import_id from derived_scope_day)
        except
        select * from customers_before
    )
),
changed_complaints as (
    select complaint_id, customer_id from (
        select * exclude (import_id, source_file) from complaints where import_id = (select import_id from derived_scope_day)
        except
        select * from complaints_before
    )
),
changed_state as (
    select customer_id from changed_records
    union
    select customer_id from changed_complaints
    union
    select b.customer_id from complaints_before b where b.complaint_id in (select complaint_id from changed_complaints)
)
select s.customer_id,
       b.customer_id is not null
       and (s.customer_id in (select customer_id from changed_state) or f.customer_id is null
            or b.home_country is distinct from f.home_country
            or (b.had_lines and b.first_order_on is distinct from f.first_order_on)) as whole_history
from derived_scope s
left join facts_before b using (customer_id)
left join customer_facts f using (customer_id)
