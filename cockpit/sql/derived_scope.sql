-- Which customers' derived rows an import builds (derived_scope, read by build_derived.sql's in_scope and the
-- customer state; cockpit/importer/derived.py). Statements are separated by lines holding only ';'.

-- Whether a row's customer is in the scope being built (build_derived.sql, cockpit/rhythm.py). A full build: every
-- row, without a join.
create or replace macro in_scope(id) as true
;
-- A top-up, before the merge: the owners of the complaints held (a complaint imported again may name another
-- customer, whose complaint counts change too).
create or replace temp table complaint_owners_before as select complaint_id, customer_id from complaints
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
    select b.customer_id from complaint_owners_before b
    where b.complaint_id in (select complaint_id from complaints where import_id = $import_id)
)
where customer_id is not null
;
-- ...and a row of theirs, or one without a customer (lines of an order that names none: few, always built again).
create or replace macro in_scope(id) as id is null or id in (select customer_id from derived_scope)
