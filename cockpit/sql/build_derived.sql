-- Derived tables, rebuilt after every import so that no page scans raw order lines.
-- Tables are ordered by their date column only: that is what lets a period query skip row groups (zone maps);
-- ordering by customer within a day as well cost 0.5-0.7 s per table at 10 M lines and bought nothing.
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
order by ordered_on
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
-- One row per customer: what the record KPIs count, worked out once per import (a record does not change until
-- the next import): how many of the nine quality fields are filled (cockpit/records.py filled: not blank, not the
-- text 'nan' or 'None'), the owner, the last touch (update or contact, else creation), and the filter columns.
create or replace table customer_record_facts as
select
    c.customer_id,
    f.home_country,
    coalesce(c.sales_rep, '') as rep_key,
    coalesce(c.segment, '') as segment_key,
    c.sales_region,
    r.region_code,
    r.subregion_code,
    (c.customer_name is not null and trim(c.customer_name) not in ('', 'nan', 'None'))::int
      + (f.home_country is not null and trim(f.home_country) not in ('', 'nan', 'None'))::int
      + (c.sales_rep is not null and trim(c.sales_rep) not in ('', 'nan', 'None'))::int
      + (c.segment is not null and trim(c.segment) not in ('', 'nan', 'None'))::int
      + (c.industry is not null and trim(c.industry) not in ('', 'nan', 'None'))::int
      + (c.source_channel is not null and trim(c.source_channel) not in ('', 'nan', 'None'))::int
      + (c.email is not null and trim(c.email) not in ('', 'nan', 'None'))::int
      + (c.phone is not null and trim(c.phone) not in ('', 'nan', 'None'))::int
      + (c.website is not null and trim(c.website) not in ('', 'nan', 'None'))::int as fields_filled,
    c.sales_rep is not null and trim(c.sales_rep) not in ('', 'nan', 'None') as has_owner,
    coalesce(greatest(c.updated_on, c.last_contact_on), c.created_on) as last_touched_on,
    c.last_contact_on,
    -- Changes whenever what duplicate detection compares changes: the page's memo key, without reading the text.
    hash(c.customer_id, c.customer_name, c.email, c.phone, c.sales_rep) as identity_hash
from customers c
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
;
-- The period fact table every period query reads: customer_day rows (grain 'day') and the same rows summed per
-- calendar month (grain 'month'), with the columns the sidebar filters test copied in, so no query joins.
-- A period takes the month rows of the months it covers whole and the day rows of the months it cuts, so a
-- quarter reads about 30 times fewer rows than the days would give, and any date range is still exact.
-- Day rows are written in customer_day's order (by date) without a sort: each row group then still covers a few
-- weeks, which is what lets a period query skip the others. (One sorted union of both grains spilled to disk under
-- the import's memory cap: 10 M lines, 3-3.8 s against 2.5 s for the two statements.)
create or replace table period_facts as
select
    'day' as grain, d.ordered_on as period_start, d.ordered_on as period_end,
    date_trunc('month', d.ordered_on)::date as month_start, last_day(d.ordered_on) as month_end,
    d.customer_id, d.country_code, d.currency,
    coalesce(f.home_country, 'unknown') as home_country, coalesce(c.sales_rep, '') as rep_key,
    coalesce(c.segment, '') as segment_key, c.sales_region, r.region_code, r.subregion_code,
    d.revenue, d.gross_revenue, d.order_count, d.positive_order_count, d.positive_line_count, d.largest_line,
    d.largest_order, d.positive_line_count > 0 and d.ordered_on = f.first_order_on as is_new
from customer_day d
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
left join country_regions r on r.country_code = d.country_code
;
-- The month rows: customer_day summed per customer, month, destination and currency first (narrow keys), then
-- the filter columns looked up once per row, as for the day rows.
insert into period_facts
select
    'month', m.month_start, last_day(m.month_start), m.month_start, last_day(m.month_start),
    m.customer_id, m.country_code, m.currency,
    coalesce(f.home_country, 'unknown'), coalesce(c.sales_rep, ''), coalesce(c.segment, ''), c.sales_region,
    r.region_code, r.subregion_code,
    m.revenue, m.gross_revenue, m.order_count, m.positive_order_count, m.positive_line_count, m.largest_line,
    m.largest_order, m.is_new
from (
    select d.customer_id, date_trunc('month', d.ordered_on)::date as month_start, d.country_code, d.currency,
           sum(d.revenue) as revenue, sum(d.gross_revenue) as gross_revenue, sum(d.order_count) as order_count,
           sum(d.positive_order_count) as positive_order_count, sum(d.positive_line_count) as positive_line_count,
           max(d.largest_line) as largest_line, max(d.largest_order) as largest_order,
           bool_or(d.positive_line_count > 0 and d.ordered_on = f.first_order_on) as is_new
    from customer_day d
    left join customer_facts f using (customer_id)
    group by all
) m
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
left join country_regions r on r.country_code = m.country_code
order by m.month_start
;
-- period_facts' month rows summed per calendar quarter: a query over whole quarters (the quarterly concentration
-- trend, for one) reads one row per customer, destination and currency per quarter instead of three.
create or replace table quarter_facts as
select
    date_trunc('quarter', month_start)::date as quarter_start,
    (date_trunc('quarter', month_start) + interval 3 month - interval 1 day)::date as quarter_end,
    customer_id, country_code, currency, home_country, rep_key, segment_key, sales_region, region_code, subregion_code,
    sum(revenue) as revenue, sum(gross_revenue) as gross_revenue, sum(order_count) as order_count,
    sum(positive_order_count) as positive_order_count, sum(positive_line_count) as positive_line_count,
    max(largest_line) as largest_line, max(largest_order) as largest_order, bool_or(is_new) as is_new
from period_facts
where grain = 'month'
group by all
order by quarter_start
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
