-- Derived tables, so that no page scans raw order lines. Each is (re)built for the rows in scope (the macros
-- in_scope, in_scope_from, in_state_scope and in_state_scope_from, derived_scope.sql): every row after a full
-- import; after a top-up, the rows of the customers it touched that it can change (of a customer whose only change
-- is order lines, the rows from the first day they change on). The same statements serve both: a table is made
-- (empty) when missing, its rows in scope are deleted, then they are written from its definition, the view
-- <table>_rows. A full build drops the tables first. A table's definition reads only its own customer's rows, which
-- is what lets a top-up rebuild a few (and a row of a day only rows of that day or before, which lets it keep the
-- earlier ones: scattered deletes made DuckDB write every row group of a table again at the checkpoint).
-- Tables are ordered by their date column only: that is what lets a period query skip row groups (zone maps);
-- ordering by customer within a day as well cost 0.5-0.7 s per table at 10 M lines and bought nothing. A top-up's
-- rows are appended in date order after the rest (a full import writes every row in order again).
-- Statements are separated by lines holding only ';'.

-- One row per customer, ISO-2 country, currency and day with any order line: the fact table every page reads.
-- Built from one row per order part (order, customer, day, destination, currency) so that orders are counted
-- without count(distinct) over lines. The parts and their orders' totals are temporary views (inlined into the
-- one statement that writes customer_day, dropped after it).
create or replace temp view order_parts as
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
where o.ordered_on is not null and in_scope(o.customer_id)
group by all
;
-- Each part with its order's total, the sum of that order's parts (for largest_order). One of the next two
-- statements runs (cockpit/importer/derived.py build_derived): this one in general...
create or replace temp view order_parts_with_totals as
select *, sum(revenue) over (partition by order_id, customer_id) as order_total from order_parts
;
-- ...and this one when the import has just filled an empty orders table with lines that it found to list each
-- order's lines together with one customer, day, destination and currency (_runs_share_their_order_keys): then
-- every order is one part and its total is that part's revenue, without the window (10 M lines: 3.0 s → 2.2 s).
create or replace temp view order_parts_with_totals as
select *, revenue as order_total from order_parts
;
create or replace temp view customer_day_rows as
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
from order_parts_with_totals
group by all
;
create table if not exists customer_day as from customer_day_rows limit 0
;
delete from customer_day where in_scope_from(customer_id, ordered_on)
;
-- (The order totals above read every part of the touched customers' orders; only the rows in scope are written.)
insert into customer_day from customer_day_rows where in_scope_from(customer_id, ordered_on) order by ordered_on
;
drop view customer_day_rows
;
drop view order_parts_with_totals
;
drop view order_parts
;
-- One row per customer: lifetime facts that do not depend on the selected period, and the home country
-- (the customer file's country, else the destination that brought the most revenue).
create or replace temp view customer_facts_rows as
-- Each customer's days and money summed on their own, then joined once per customer (one grouping of every
-- customer_day row by customer and its order days and money together took twice as long: 10 M lines, 0.4-0.7 s).
with per_country as (
    select customer_id, country_code, sum(revenue) as revenue from customer_day where in_scope(customer_id) group by all
),
money as (
    select customer_id, arg_max(country_code, revenue) as top_country, sum(revenue) as revenue
    from per_country
    group by customer_id
),
order_days as (
    select customer_id, min(ordered_on) as first_order_on, max(ordered_on) as last_order_on,
           count(distinct ordered_on) as order_dates
    from customer_day
    where positive_line_count > 0 and in_scope(customer_id)
    group by customer_id
)
select
    c.customer_id,
    coalesce(c.country_code, m.top_country, 'unknown') as home_country,
    d.first_order_on,
    d.last_order_on,
    coalesce(d.order_dates, 0) as order_dates,
    coalesce(m.revenue, 0) as lifetime_revenue
from customers c
left join money m using (customer_id)
left join order_days d using (customer_id)
where in_scope(c.customer_id)
;
create table if not exists customer_facts as from customer_facts_rows limit 0
;
delete from customer_facts where in_scope(customer_id)
;
insert into customer_facts from customer_facts_rows
;
drop view customer_facts_rows
;
-- Whether a record field holds a value (docs/metrics.md "Record quality"): not null, not blank, not the text 'nan'
-- or 'None' (what spreadsheets and pandas write for an empty cell).
create or replace macro is_filled(v) as v is not null and trim(v::varchar) not in ('', 'nan', 'None')
;
-- One row per customer: what the record KPIs count, worked out once per import (a record does not change until
-- the next import): which of the nine quality fields are missing (a bit each, in the order of cockpit/records.py
-- QUALITY_FIELDS), the owner, the last touch (update or contact, else creation), and the
-- filter columns.
create or replace temp view customer_record_facts_rows as
select
    c.customer_id,
    f.home_country,
    coalesce(c.sales_rep, '') as rep_key,
    coalesce(c.segment, '') as segment_key,
    c.sales_region,
    r.region_code,
    r.subregion_code,
    -- Bit i set: quality field i is missing (in this order: customer_name, country_code, sales_rep, segment,
    -- industry, source_channel, email, phone, website).
    (not is_filled(c.customer_name))::int * 1
      + (not is_filled(f.home_country))::int * 2
      + (not is_filled(c.sales_rep))::int * 4
      + (not is_filled(c.segment))::int * 8
      + (not is_filled(c.industry))::int * 16
      + (not is_filled(c.source_channel))::int * 32
      + (not is_filled(c.email))::int * 64
      + (not is_filled(c.phone))::int * 128
      + (not is_filled(c.website))::int * 256 as missing_mask,
    is_filled(c.sales_rep) as has_owner,
    coalesce(greatest(c.updated_on, c.last_contact_on), c.created_on) as last_touched_on,
    c.last_contact_on
from customers c
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
where in_state_scope(c.customer_id)
;
create table if not exists customer_record_facts as from customer_record_facts_rows limit 0
;
delete from customer_record_facts where in_state_scope(customer_id)
;
insert into customer_record_facts from customer_record_facts_rows
;
drop view customer_record_facts_rows
;
-- The period fact table every period query reads: customer_day rows (grain 'day') and the same rows summed per
-- calendar month (grain 'month') and per calendar quarter (grain 'quarter'), with the columns the sidebar filters
-- test copied in, so no query joins. A period takes the quarter rows of the quarters it covers whole, the month rows
-- of the other months it covers whole and the day rows of the months it cuts (the macro period_grain below): a
-- quarter reads about 90 times fewer rows than the days would give (three times fewer than its months), and any
-- date range is still exact.
-- Each grain is written in date order without a sort of the whole: each row group then covers a few weeks (days),
-- months or quarters, which is what lets a period query skip the others. (One sorted union of the grains spilled
-- to disk under the import's memory cap: 10 M lines, 3-3.8 s against 2.5 s for separate statements.)
create or replace temp view period_day_rows as
select
    'day' as grain, d.ordered_on as period_start, d.ordered_on as period_end,
    date_trunc('month', d.ordered_on)::date as month_start, last_day(d.ordered_on) as month_end,
    d.customer_id, d.country_code, d.currency,
    coalesce(f.home_country, 'unknown') as home_country, coalesce(c.sales_rep, '') as rep_key,
    coalesce(c.segment, '') as segment_key, c.sales_region, r.region_code, r.subregion_code,
    d.revenue, d.gross_revenue, d.order_count, d.positive_order_count, d.positive_line_count, d.largest_line,
    d.largest_order, d.positive_line_count > 0 and d.ordered_on = f.first_order_on as is_new,
    date_trunc('quarter', d.ordered_on)::date as quarter_start,
    (date_trunc('quarter', d.ordered_on) + interval 3 month - interval 1 day)::date as quarter_end
from customer_day d
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
left join country_regions r on r.country_code = d.country_code
where in_state_scope_from(d.customer_id, d.ordered_on)
;
create table if not exists period_facts as from period_day_rows limit 0
;
-- (A row's period_end: a month or quarter row is built again when the period ends on or after the first day.)
delete from period_facts where in_state_scope_from(customer_id, period_end)
;
insert into period_facts from period_day_rows
;
drop view period_day_rows
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
    m.largest_order, m.is_new,
    date_trunc('quarter', m.month_start)::date,
    (date_trunc('quarter', m.month_start) + interval 3 month - interval 1 day)::date
from (
    select d.customer_id, date_trunc('month', d.ordered_on)::date as month_start, d.country_code, d.currency,
           sum(d.revenue) as revenue, sum(d.gross_revenue) as gross_revenue, sum(d.order_count) as order_count,
           sum(d.positive_order_count) as positive_order_count, sum(d.positive_line_count) as positive_line_count,
           max(d.largest_line) as largest_line, max(d.largest_order) as largest_order,
           bool_or(d.positive_line_count > 0 and d.ordered_on = f.first_order_on) as is_new
    from customer_day d
    left join customer_facts f using (customer_id)
    where in_scope(d.customer_id)
    group by all
) m
left join customers c using (customer_id)
left join customer_facts f using (customer_id)
left join country_regions r on r.country_code = m.country_code
where in_state_scope_from(m.customer_id, last_day(m.month_start))
order by m.month_start
;
-- The quarter rows: the month rows summed per calendar quarter (month_start and month_end hold the quarter's days,
-- so that a quarter row's dates read as its period's everywhere).
insert into period_facts
select
    'quarter', quarter_start, quarter_end, quarter_start, quarter_end,
    customer_id, country_code, currency, home_country, rep_key, segment_key, sales_region, region_code, subregion_code,
    sum(revenue), sum(gross_revenue), sum(order_count), sum(positive_order_count), sum(positive_line_count),
    max(largest_line), max(largest_order), bool_or(is_new), quarter_start, quarter_end
from period_facts
where grain = 'month' and in_state_scope_from(customer_id, quarter_end)
group by quarter_start, quarter_end, customer_id, country_code, currency, home_country, rep_key, segment_key,
         sales_region, region_code, subregion_code
order by quarter_start
;
-- Versions before 2026-12-07 kept the quarter rows in a table of their own.
drop table if exists quarter_facts
;
-- One row per complaint, latencies in calendar hours.
create or replace temp view complaint_facts_rows as
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
where in_state_scope(k.customer_id)
;
create table if not exists complaint_facts as from complaint_facts_rows limit 0
;
delete from complaint_facts where in_state_scope(customer_id)
;
insert into complaint_facts from complaint_facts_rows
;
drop view complaint_facts_rows
;
-- Which period_facts rows a period from date_from to date_to (both inclusive) reads, besides lying inside it
-- (period_start >= date_from and period_end <= date_to, which the queries write out so that zone maps skip the
-- rest): a quarter row when the period covers its quarter, a month row when it covers the month but not its
-- quarter, a day row when it cuts the day's month. Every day of the period is then counted exactly once.
create or replace macro period_grain(row_grain, row_month_from, row_month_to, row_quarter_from, row_quarter_to,
                                     date_from, date_to) as
    case row_grain when 'quarter' then true
                   when 'month' then row_quarter_from < date_from or row_quarter_to > date_to
                   else row_month_from < date_from or row_month_to > date_to end
;
-- The same rule as keys, for queries of several periods at once (the Overview's eight quarters): one row per period
-- of the lists and unit it reads: its whole quarters ('quarter', the quarter's first day), the whole months of
-- quarters it cuts ('month', the month's first day) and the months it cuts ('day', the month's first day; their
-- day rows inside the period). A query joins period_facts to these by equality on (grain, period_bucket(...)):
-- a hash join, where the range join with period_grain compared every row with every period (eight quarters at
-- 10 M lines: 252 → 106 ms for the headline).
create or replace macro period_units(period_starts, period_ends) as table
    with periods as (
        select distinct unnest(period_starts)::date as period_from, unnest(period_ends)::date as period_to
    ),
    months as (
        select p.period_from, p.period_to, t.m::date as month_from, last_day(t.m::date) as month_to,
               date_trunc('quarter', t.m)::date as quarter_from,
               (date_trunc('quarter', t.m) + interval 3 month - interval 1 day)::date as quarter_to
        from periods p, range(date_trunc('month', p.period_from), p.period_to + interval 1 day, interval 1 month) t(m)
    )
    select distinct period_from, period_to,
           case when quarter_from >= period_from and quarter_to <= period_to then 'quarter'
                when month_from >= period_from and month_to <= period_to then 'month'
                else 'day' end as grain,
           case when quarter_from >= period_from and quarter_to <= period_to then quarter_from
                else month_from end as bucket
    from months
;
-- The unit a period_facts row belongs to, for the join with period_units: its own start (quarter and month rows) or
-- its month (day rows).
create or replace macro period_bucket(row_grain, row_start, row_month_from) as
    case when row_grain = 'day' then row_month_from else row_start end
;
-- The sidebar filters and the viewer's row-level visibility, written once: every query under queries/ keeps a row
-- when in_view(...) holds for it, given the row's country (home or destination, as the query says), region,
-- subregion, sales region, rep key ('' when none) and segment key, and the filters' lists ($countries, $regions,
-- $reps, $segments: an empty list lets everything through) and the viewer ($all_customers, else only rows whose rep
-- is in $visible_reps; cockpit/auth.py). A macro is expanded where it is called, before planning, so a query runs
-- as if the guard were written out in it (zone maps and constant folding of an empty list included). Stored in the
-- database, so every connection that reads it has it. visible_to(...) is the viewer's part alone, for the lists
-- that ignore the sidebar filters (the filters' own options, a customer's 360).
create or replace macro visible_to(rep, all_customers, visible_reps) as all_customers or rep = any(visible_reps)
;
create or replace macro in_view(country, region, subregion, sales_region, rep, segment,
                                countries, regions, reps, segments, all_customers, visible_reps) as
    (len(countries) = 0 or country = any(countries))
    and (len(regions) = 0 or region = any(regions) or subregion = any(regions) or sales_region = any(regions))
    and (len(reps) = 0 or rep = any(reps))
    and (len(segments) = 0 or segment = any(segments))
    and visible_to(rep, all_customers, visible_reps)
;
-- Versions before 2026-11-28 also made a table data_range, which nothing read: dropped, so that a database made by
-- one of them does not keep an outdated copy after its next import or upgrade.
drop table if exists data_range
;
-- ABC classes of each period of the lists, written once (docs/metrics.md "ABC"): the customers with positive net
-- revenue in the period (destination filters, as customers/customer_revenue.sql), ranked by it (ties by customer):
-- A while the cumulative share before them is under a_pct %, B while under b_pct %, then C. Read by
-- customers/abc_counts.sql (the Overview's counts) and customers/abc_classes.sql (the Customers page's lists).
create or replace macro abc_classes(period_starts, period_ends, a_pct, b_pct, countries, regions, reps, segments,
                                    all_customers, visible_reps) as table
    with periods as (
        select distinct unnest(period_starts)::date as period_from, unnest(period_ends)::date as period_to
    ),
    revenue as (
        select p.period_from, p.period_to, d.customer_id, sum(d.revenue) as revenue
        from periods p
        join period_units(period_starts, period_ends) u using (period_from, period_to)
        join period_facts d
          -- The period's whole quarters as quarter rows, other whole months as month rows, the days of months it
          -- cuts as day rows (period_units): an equality join.
          on d.grain = u.grain and period_bucket(d.grain, d.period_start, d.month_start) = u.bucket
          and d.period_start >= p.period_from and d.period_end <= p.period_to
        where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
          and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
                      countries, regions, reps, segments, all_customers, visible_reps)
        group by all
    ),
    ranked as (
        select *,
               sum(revenue) over (partition by period_from, period_to order by revenue desc, customer_id
                                  rows between unbounded preceding and current row) as running_revenue,
               sum(revenue) over (partition by period_from, period_to) as total_revenue
        from revenue
        where revenue > 0
    )
    select period_from, period_to, customer_id, revenue,
           case when (running_revenue - revenue) * 100.0 / total_revenue < a_pct then 'A'
                when (running_revenue - revenue) * 100.0 / total_revenue < b_pct then 'B' else 'C' end as abc,
           running_revenue * 100.0 / total_revenue as cumulative_pct
    from ranked
;
-- A customer's reorder-rhythm status as of a day, written once (docs/metrics.md "Reorder rhythm"): the expected gap
-- is the median day gap between consecutive order dates when there are 3+ order dates; lapsed beyond lapse_multiple x
-- the gap or lapse_days; at risk beyond risk_multiple x the gap; with fewer than 3 order dates at risk after
-- few_risk_days and lapsed after lapse_days. Read by churn/customer_status.sql (each customer) and
-- churn/status_counts.sql (the counts of many days at once).
create or replace macro expected_gap_days(order_dates, median_gap_days) as
    case when order_dates >= 3 then median_gap_days end
;
create or replace macro churn_status(order_dates, median_gap_days, days_since_last_order, lapse_multiple, lapse_days,
                                     risk_multiple, few_risk_days) as
    case
        when order_dates >= 3 then
            case when days_since_last_order > lapse_multiple * expected_gap_days(order_dates, median_gap_days)
                      or days_since_last_order > lapse_days then 'lapsed'
                 when days_since_last_order > risk_multiple * expected_gap_days(order_dates, median_gap_days) then 'at_risk'
                 else 'on_rhythm' end
        else
            case when days_since_last_order > lapse_days then 'lapsed'
                 when days_since_last_order > few_risk_days then 'at_risk'
                 else 'on_rhythm' end
    end
;
-- The SLA judgement of one complaint, written once (docs/metrics.md "SLA"): breached when the first response came
-- later than its target or the resolution later than its target; a complaint not yet answered or resolved counts
-- once its age (age_h, at the end of the as-of day) passes that target. Null while it is still open and within both
-- targets (not yet judged). Read by complaints/period_latency.sql and latency_by_month.sql; cockpit/complaints.py
-- sla() applies the same rule to business hours, which SQL cannot count (a test holds the two equal).
create or replace macro sla_breached(fr, res, age_h, fr_target, res_target) as
    case when res is not null or age_h > res_target
              or (case when fr is not null then fr > fr_target else age_h > fr_target end)
         then (case when fr is not null then fr > fr_target else age_h > fr_target end)
              or (case when res is not null then res > res_target else age_h > res_target end)
    end
