-- Derived tables, rebuilt after every import so that no page scans raw order lines.
-- Statements are separated by lines holding only ';'.

-- One row per customer, ISO-2 country, currency and day with any order line: the fact table every page reads.
-- Built from one row per order part (order, customer, day, destination, currency) so that orders are counted
-- without count(distinct) over lines.
create or replace table customer_day as
with order_parts as (
    select
        o.order_id,
        o.customer_id,
        o.ordered_on,
        -- An order that names a country we cannot resolve stays 'unknown' rather than borrowing the customer's.
        coalesce(o.country_code, case when o.country_raw is null then c.country_code end, 'unknown') as country_code,
        o.currency,
        sum(o.amount_reporting) as revenue,
        coalesce(sum(o.amount_reporting) filter (where o.amount_reporting > 0), 0) as gross_revenue,
        count(*) filter (where o.amount_reporting > 0) as positive_line_count,
        max(o.amount_reporting) as largest_line
    from orders o
    left join customers c using (customer_id)
    where o.ordered_on is not null
    group by all
),
with_totals as (
    select *, sum(revenue) over (partition by order_id, customer_id) as order_total from order_parts
)
select
    customer_id,
    ordered_on,
    country_code,
    currency,
    sum(revenue) as revenue,
    sum(gross_revenue) as gross_revenue,
    count(*) as order_count,
    count(*) filter (where positive_line_count > 0) as positive_order_count,
    sum(positive_line_count) as positive_line_count,
    max(largest_line) as largest_line,
    max(order_total) as largest_order
from with_totals
group by all
order by ordered_on, customer_id
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
