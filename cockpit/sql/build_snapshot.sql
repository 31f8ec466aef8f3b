-- Built after build_derived.sql and customer_rhythm (cockpit/rhythm.py), which it reads.
-- Statements are separated by lines holding only ';'.

-- One row per customer and quarter end (from the first quarter with an order to the quarter of the last order),
-- for customers with any order on or before that day: everything the per-customer pages ask "as of" a day, built
-- once, so that a page whose as-of day is a quarter end (the default period: the latest complete quarter) reads
-- one row per customer instead of the rhythm, month and complaint tables. Same definitions as the general
-- queries (queries/*/<name>.sql); queries/*/<name>_at_quarter_end.sql read this table, and a test holds every
-- pair equal on every quarter end of the sample company.
create or replace table customer_snapshot as
with ends as (
    select (t.d + interval 3 month - interval 1 day)::date as as_of, t.d::date as quarter_start
    from (select min(ordered_on) as first_on, max(ordered_on) as last_on from customer_day) b,
         range(date_trunc('quarter', b.first_on), b.last_on::timestamp + interval 1 day, interval 3 month) t(d)
),
quarters as (
    select customer_id, date_trunc('quarter', ordered_on)::date as quarter_start,
           sum(revenue) as revenue, sum(order_count) as orders, bool_or(positive_line_count > 0) as bought
    from customer_day
    group by all
),
population as (
    select e.as_of, e.quarter_start, f.customer_id
    from (select customer_id, min(quarter_start) as first_quarter from quarters group by all) f
    join ends e on e.quarter_start >= f.first_quarter
),
activity as (
    select p.as_of, p.customer_id,
           q.revenue as revenue_quarter, q.bought as bought_quarter,
           sum(coalesce(q.revenue, 0)) over w as lifetime_revenue,
           sum(coalesce(q.orders, 0)) over w as lifetime_orders
    from population p
    left join quarters q using (customer_id, quarter_start)
    window w as (partition by p.customer_id order by p.as_of)
),
rhythm as (
    select e.as_of, r.customer_id, r.order_dates, r.first_order_on, r.valid_from as last_order_on, r.median_gap_days
    from customer_rhythm r
    join ends e on e.as_of >= r.valid_from and (r.valid_to is null or e.as_of < r.valid_to)
),
rhythm_year_ago as (
    select e.as_of, r.customer_id, r.order_dates as order_dates_year_ago
    from customer_rhythm r
    join ends e on e.as_of - 365 >= r.valid_from and (r.valid_to is null or e.as_of - 365 < r.valid_to)
),
-- The 730 days ending at each quarter end, from period_facts: whole months as month rows (about 30 times fewer
-- than days), and day rows only for a month the 365-day boundary cuts (10 M lines: 0.3 s instead of 0.7-0.9 s).
cuts as (
    select as_of, date_trunc('month', b)::date as cut_month
    from ends, unnest([as_of - 730, as_of - 365]) t(b)
    where b <> last_day(b)
),
money_rows as (
    select e.as_of, r.customer_id, r.period_start, r.revenue, r.largest_order
    from period_facts r
    join ends e on r.period_start > e.as_of - 730 and r.period_end <= e.as_of
    where r.grain = 'month' and not (r.month_start <= e.as_of - 365 and e.as_of - 365 < r.month_end)
    union all
    select c.as_of, r.customer_id, r.period_start, r.revenue, r.largest_order
    from period_facts r
    join cuts c on r.month_start = c.cut_month
    where r.grain = 'day' and r.period_start > c.as_of - 730 and r.period_start <= c.as_of
),
money as (
    select as_of, customer_id,
           sum(revenue) filter (where period_start > as_of - 365) as revenue_l12m,
           sum(revenue) filter (where period_start <= as_of - 365) as revenue_prior_12m,
           max(largest_order) filter (where period_start > as_of - 365) as largest_order_l12m
    from money_rows
    group by all
),
complaint_counts as (
    select e.as_of, k.customer_id,
           count(*) filter (where k.resolved_at is null or cast(k.resolved_at as date) > e.as_of) as open_complaints,
           count(*) as complaints_total
    from complaints k
    join ends e on cast(k.received_at as date) <= e.as_of
    group by all
)
select a.as_of, a.customer_id,
       -- The customer's record, copied in so that a page reading one quarter end joins nothing.
       c.customer_name, c.sales_rep, c.segment, c.source_channel, cf.first_order_on as cohort_first_order_on,
       coalesce(cf.home_country, 'unknown') as home_country, coalesce(c.sales_rep, '') as rep_key,
       coalesce(c.segment, '') as segment_key, c.sales_region, cr.region_code, cr.subregion_code,
       r.order_dates, r.first_order_on, r.last_order_on, r.median_gap_days, y.order_dates_year_ago,
       coalesce(m.revenue_l12m, 0) as revenue_l12m, coalesce(m.revenue_prior_12m, 0) as revenue_prior_12m,
       m.largest_order_l12m,
       coalesce(k.open_complaints, 0) as open_complaints, coalesce(k.complaints_total, 0) as complaints_total,
       a.revenue_quarter, a.bought_quarter, a.lifetime_revenue, a.lifetime_orders
from activity a
join customers c using (customer_id)
join customer_facts cf using (customer_id)
left join country_regions cr on cr.country_code = cf.home_country
left join rhythm r using (as_of, customer_id)
left join rhythm_year_ago y using (as_of, customer_id)
left join money m using (as_of, customer_id)
left join complaint_counts k using (as_of, customer_id)
order by a.as_of
;
-- The quarter ends customer_snapshot holds, one row each: what cockpit/db.py resolve() looks up (in well under a
-- millisecond; asking customer_snapshot itself reads every row of the days asked, ~4 ms at 10 M lines).
create or replace table snapshot_days as select distinct as_of from customer_snapshot order by as_of
