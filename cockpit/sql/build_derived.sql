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
-- The period fact table every period query reads: customer_day rows (grain 'day') and the same rows summed per
-- calendar month (grain 'month'), with the columns the sidebar filters test copied in, so no query joins.
-- A period takes the month rows of the months it covers whole and the day rows of the months it cuts, so a
-- quarter reads about 30 times fewer rows than the days would give, and any date range is still exact.
create or replace table period_facts as
with days as (
    select
        d.*,
        date_trunc('month', d.ordered_on)::date as month_start,
        last_day(d.ordered_on) as month_end,
        d.positive_line_count > 0 and d.ordered_on = f.first_order_on as is_new,
        coalesce(f.home_country, 'unknown') as home_country,
        coalesce(c.sales_rep, '') as rep_key,
        coalesce(c.segment, '') as segment_key,
        c.sales_region,
        r.region_code,
        r.subregion_code
    from customer_day d
    left join customers c using (customer_id)
    left join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = d.country_code
)
select
    'day' as grain, ordered_on as period_start, ordered_on as period_end, month_start, month_end,
    customer_id, country_code, currency, home_country, rep_key, segment_key, sales_region, region_code, subregion_code,
    revenue, gross_revenue, order_count, positive_order_count, positive_line_count, largest_line, largest_order, is_new
from days
union all
select
    'month', month_start, month_end, month_start, month_end,
    customer_id, country_code, currency, home_country, rep_key, segment_key, sales_region, region_code, subregion_code,
    sum(revenue), sum(gross_revenue), sum(order_count), sum(positive_order_count), sum(positive_line_count),
    max(largest_line), max(largest_order), bool_or(is_new)
from days
group by all
order by period_start, customer_id
;
-- Each customer's reorder rhythm after each of its order dates (positive lines), valid until the next one: the
-- churn status as of any day reads one row per customer (valid_from <= as_of < valid_to) instead of recomputing
-- the gaps between every order date. The expected gap is the median of the gaps so far (docs/metrics.md).
create or replace table customer_rhythm as
with dates as (
    select distinct customer_id, ordered_on from customer_day where positive_line_count > 0
),
steps as (
    select
        customer_id,
        ordered_on,
        date_diff('day', lag(ordered_on) over w, ordered_on) as gap_days,
        row_number() over w as order_dates,
        lead(ordered_on) over w as valid_to,
        min(ordered_on) over (partition by customer_id) as first_order_on
    from dates
    window w as (partition by customer_id order by ordered_on)
)
select
    customer_id,
    ordered_on as valid_from,
    valid_to,
    order_dates,
    first_order_on,
    median(gap_days) over (partition by customer_id order by ordered_on rows between unbounded preceding and current row)
        as median_gap_days
from steps
order by valid_from, customer_id
;
-- One row per complaint, latencies in calendar hours.
create or replace table complaint_facts as
select
    k.*,
    coalesce(f.home_country, 'unknown') as country_code,
    c.sales_rep,
    -- The sidebar filters' columns, copied in so that period queries need no join.
    coalesce(c.sales_rep, '') as rep_key,
    coalesce(c.segment, '') as segment_key,
    c.sales_region,
    r.region_code,
    r.subregion_code,
    date_diff('second', k.received_at, k.first_response_at) / 3600.0 as hours_to_first_response,
    date_diff('second', k.received_at, k.resolved_at) / 3600.0 as hours_to_resolution,
    cast(k.received_at as date) as received_on
from complaints k
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
left join country_regions r on r.country_code = coalesce(f.home_country, 'unknown')
;
create or replace table data_range as
select min(ordered_on) as first_order_on, max(ordered_on) as last_order_on from customer_day
