-- Derived tables, rebuilt after every import so that no page scans raw order lines.
-- Statements are separated by lines holding only ';'.

-- Orders before a currency's first rate take that first rate; the report says so.
create or replace table orders as
with first_rate as (
    select currency, arg_min(rate_to_reporting, valid_from) as rate from fx_rates group by currency
)
select o.* exclude (amount_reporting),
       case
           when o.currency = (select value from settings where key = 'reporting_currency') then o.amount
           else o.amount * coalesce(r.rate_to_reporting, f.rate)
       end as amount_reporting
from orders o
asof left join fx_rates r on o.currency = r.currency and o.ordered_on >= r.valid_from
left join first_rate f on f.currency = o.currency
;
-- One row per customer, ISO-2 country, currency and day with any order line: the fact table every page reads.
create or replace table customer_day as
with order_totals as (
    select order_id, customer_id, min(ordered_on) as ordered_on, sum(amount_reporting) as order_total
    from orders
    where ordered_on is not null
    group by order_id, customer_id
)
select
    o.customer_id,
    o.ordered_on,
    -- An order that names a country we cannot resolve stays 'unknown' rather than borrowing the customer's.
    coalesce(o.country_code, case when o.country_raw is null then c.country_code end, 'unknown') as country_code,
    o.currency,
    sum(o.amount_reporting) as revenue,
    coalesce(sum(o.amount_reporting) filter (where o.amount_reporting > 0), 0) as gross_revenue,
    count(distinct o.order_id) as order_count,
    count(distinct o.order_id) filter (where o.amount_reporting > 0) as positive_order_count,
    count(*) filter (where o.amount_reporting > 0) as positive_line_count,
    max(o.amount_reporting) as largest_line,
    max(t.order_total) as largest_order
from orders o
left join customers c using (customer_id)
left join order_totals t on t.order_id = o.order_id and t.customer_id = o.customer_id
where o.ordered_on is not null
group by all
order by o.ordered_on, o.customer_id
;
-- One row per customer: lifetime facts that do not depend on the selected period, and the home country
-- (the customer file's country, else the destination that brought the most revenue).
create or replace table customer_facts as
with top_country as (
    select customer_id, arg_max(country_code, revenue) as country_code
    from (select customer_id, country_code, sum(revenue) as revenue from customer_day group by all)
    group by customer_id
)
select
    c.customer_id,
    coalesce(c.country_code, tc.country_code, 'unknown') as home_country,
    min(d.ordered_on) filter (where d.positive_line_count > 0) as first_order_on,
    max(d.ordered_on) filter (where d.positive_line_count > 0) as last_order_on,
    count(distinct d.ordered_on) filter (where d.positive_line_count > 0) as order_dates,
    coalesce(sum(d.revenue), 0) as lifetime_revenue
from customers c
left join customer_day d using (customer_id)
left join top_country tc using (customer_id)
group by all
;
-- One row per complaint, latencies in calendar hours.
create or replace table complaint_facts as
select
    k.*,
    coalesce(f.home_country, 'unknown') as country_code,
    c.sales_rep,
    date_diff('second', k.received_at, k.first_response_at) / 3600.0 as hours_to_first_response,
    date_diff('second', k.received_at, k.resolved_at) / 3600.0 as hours_to_resolution,
    cast(k.received_at as date) as received_on
from complaints k
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
;
create or replace table data_range as
select min(ordered_on) as first_order_on, max(ordered_on) as last_order_on from customer_day
