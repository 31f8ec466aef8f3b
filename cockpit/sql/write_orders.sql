-- Orders in the reporting currency. Each (currency, day) takes the rate valid that day, looked up once per
-- distinct pair rather than once per line; orders before a currency's first rate take that first rate.
-- Statements are separated by lines holding only ';'.

create or replace temp table day_rate as
with days as (
    select distinct currency, ordered_on from new_orders
    union
    select distinct currency, ordered_on from orders
),
first_rate as (
    select currency, arg_min(rate_to_reporting, valid_from) as rate from fx_rates group by currency
)
select
    d.currency,
    d.ordered_on,
    case
        when d.currency = (select value from settings where key = 'reporting_currency') then 1.0
        else coalesce(r.rate_to_reporting, f.rate)
    end as rate
from days d
asof left join fx_rates r on d.currency = r.currency and d.ordered_on >= r.valid_from
left join first_rate f on f.currency = d.currency
;
-- Into an empty orders table: append. The importer has just made the table afresh with the optional columns no
-- line fills ($empty_columns) declared always null (virtual), so they are left out here: nothing to store.
insert into orders by name
select columns(lambda k: not list_contains($empty_columns, k)) from (
    select n.* replace (n.amount * r.rate as amount_reporting)
    from new_orders n
    left join day_rate r on r.currency = n.currency and r.ordered_on is not distinct from n.ordered_on
)

;
-- Into a table that holds lines already, when this import brings no rates: the old lines keep their amounts, so
-- only the lines imported again (same order id and line number) go, and this import's lines come in. (The table's
-- always-null columns that this import fills too are none: write_orders rewrites the table otherwise.)
delete from orders o
where exists (select 1 from new_orders s where s.order_id = o.order_id and s.line_no = o.line_no)
;
insert into orders by name
select columns(lambda k: not list_contains($virtual_columns, k)) from (
    select n.* replace (n.amount * r.rate as amount_reporting)
    from new_orders n
    left join day_rate r on r.currency = n.currency and r.ordered_on is not distinct from n.ordered_on
)
;
-- Otherwise every order is rewritten: new rates may apply to old orders, and a line imported again replaces
-- the old one (same order id and line number).
create or replace table orders as
with merged as (
    select * from new_orders
    union all by name
    select * from orders o
    where not exists (select 1 from new_orders s where s.order_id = o.order_id and s.line_no = o.line_no)
)
select m.* replace (m.amount * r.rate as amount_reporting)
from merged m
left join day_rate r on r.currency = m.currency and r.ordered_on is not distinct from m.ordered_on
