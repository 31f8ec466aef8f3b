-- The state of each customer as of a day, defined once: customer_state_live(days, <filters>) works it out for any
-- list of days; customer_snapshot is that definition materialised at every quarter end (the default period and
-- the Overview's eight quarters ask for quarter ends); queries read the view customer_state, which a query asking
-- for another day sees extended with the definition's rows for it (cockpit/db.py state_days: planning the
-- definition costs ~50-70 ms, so a query for a quarter end never carries it). Built after build_derived.sql and
-- customer_rhythm (cockpit/rhythm.py), which it reads. Statements are separated by lines holding only ';'.
--
-- Columns, one row per customer (passing the filters: in_view on the home country) with any order line on or
-- before the day: the record's filter and display columns; the reorder rhythm valid that day (order_dates,
-- first_order_on, last_order_on, median_gap_days; null without a positive order) and a year before
-- (order_dates_year_ago); net revenue of the 365 days ending that day and of the 365 before, the largest order
-- of the first; complaints received by that day and those of them still open; revenue of that day's quarter up to
-- it (null when no order line fell in it) and whether it held a positive line; lifetime revenue and orders.
create or replace macro customer_state_live(days, countries, regions, reps, segments, all_customers, visible_reps,
                                             only_customers := null) as table
with ends as (
    select distinct unnest(days)::date as as_of
),
people as not materialized (
    -- The customers passing the filters (home country), from the narrow record facts: their display columns are
    -- joined at the end, to the rows asked for only.
    select customer_id, home_country, rep_key, segment_key, sales_region, region_code, subregion_code
    from customer_record_facts
    where in_view(home_country, region_code, subregion_code, sales_region, rep_key, segment_key,
                  countries, regions, reps, segments, all_customers, visible_reps)
      -- (A top-up rebuilds the state of the customers it touched: only_customers lists them.)
      and (only_customers is null or customer_id in (select unnest(only_customers)))
),
-- Each day's four spans of money, each read through period_units (quarter rows for whole quarters, month rows
-- for whole months, day rows for the months a span cuts).
windows as (
    select e.as_of, 'life' as span, b.first_on as period_from, e.as_of as period_to
    from ends e, (select min(period_start) as first_on from period_facts where grain = 'quarter') b
    union all
    select as_of, 'quarter', date_trunc('quarter', as_of)::date, as_of from ends
    union all
    select as_of, 'l12m', as_of - 364, as_of from ends
    union all
    select as_of, 'prior', as_of - 729, as_of - 365 from ends
),
money as (
    select w.as_of, f.customer_id,
           sum(f.revenue) filter (where w.span = 'life') as lifetime_revenue,
           sum(f.order_count) filter (where w.span = 'life') as lifetime_orders,
           sum(f.revenue) filter (where w.span = 'quarter') as revenue_quarter,
           bool_or(f.positive_line_count > 0) filter (where w.span = 'quarter') as bought_quarter,
           sum(f.revenue) filter (where w.span = 'l12m') as revenue_l12m,
           sum(f.revenue) filter (where w.span = 'prior') as revenue_prior_12m,
           max(f.largest_order) filter (where w.span = 'l12m') as largest_order_l12m
    from windows w
    join period_units((select list(period_from) from windows), (select list(period_to) from windows)) u
      on u.period_from = w.period_from and u.period_to = w.period_to
    join period_facts f
      on f.grain = u.grain and period_bucket(f.grain, f.period_start, f.month_start) = u.bucket
     and f.period_start >= u.period_from and f.period_end <= u.period_to
    semi join people p on p.customer_id = f.customer_id
    group by all
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
complaint_counts as (
    select e.as_of, k.customer_id,
           count(*) filter (where k.resolved_at is null or cast(k.resolved_at as date) > e.as_of) as open_complaints,
           count(*) as complaints_total
    from complaints k
    join ends e on cast(k.received_at as date) <= e.as_of
    group by all
)
select m.as_of, p.customer_id,
       c.customer_name, c.sales_rep, c.segment, c.source_channel, f.first_order_on as cohort_first_order_on,
       p.home_country, p.rep_key, p.segment_key, p.sales_region, p.region_code, p.subregion_code,
       r.order_dates, r.first_order_on, r.last_order_on, r.median_gap_days, y.order_dates_year_ago,
       coalesce(m.revenue_l12m, 0) as revenue_l12m, coalesce(m.revenue_prior_12m, 0) as revenue_prior_12m,
       m.largest_order_l12m,
       coalesce(k.open_complaints, 0) as open_complaints, coalesce(k.complaints_total, 0) as complaints_total,
       m.revenue_quarter, m.bought_quarter, m.lifetime_revenue, m.lifetime_orders
from money m
join people p using (customer_id)
-- Display columns of the customers in money only (a semi join built on money: nothing is read when no day is asked).
join (select * from customers where customer_id in (select customer_id from money)) c using (customer_id)
join (select * from customer_facts where customer_id in (select customer_id from money)) f using (customer_id)
left join rhythm r using (as_of, customer_id)
left join rhythm_year_ago y using (as_of, customer_id)
left join complaint_counts k using (as_of, customer_id)
;
-- The quarter ends to hold: every one from the first quarter with an order line to the quarter of the last.
select list((t.d + interval 3 month - interval 1 day)::date order by t.d)
from (select min(ordered_on) as first_on, max(ordered_on) as last_on from customer_day) b,
     range(date_trunc('quarter', b.first_on), b.last_on::timestamp + interval 1 day, interval 3 month) t(d)
;
create table if not exists customer_snapshot as
select * from customer_state_live([]::date[], [], [], [], [], true, []) limit 0
;
-- Materialised a few quarter ends at a time (cockpit/importer/derived.py): each statement's memory grows with
-- the customers of those days, not with the length of the history. In date order, so that a query of one quarter
-- end reads its few row groups. $only: the customers a top-up touched (their rows of the quarter ends held
-- already are deleted first), else null (every customer).
insert into customer_snapshot
select * from customer_state_live($days::date[], [], [], [], [], true, [], only_customers := $only) order by as_of
;
-- The quarter ends customer_snapshot holds, one row each.
create or replace table snapshot_days as select distinct as_of from customer_snapshot order by as_of
;
-- What queries read (`from customer_state s where s.as_of = ...`): the stored quarter ends. A query that asks for a
-- day not held runs with this name pointing at a view of its own connection that adds the definition's rows for
-- those days (cockpit/db.py state_days), so every query reads one relation whatever the day.
create or replace view customer_state as select * from customer_snapshot
;
-- The record rules as of each day of as_ofs, for the customers passing the filters (home country), written once
-- (docs/metrics.md "Record quality"): stale = neither updated nor contacted (else created) within stale_days;
-- a public-pool candidate = no owner ('no_owner'), or neither an order nor a contact within pool_days ('idle');
-- a probable duplicate = one of a pair the import found (customer_duplicate_pairs) whose other customer passes the
-- filters too; quality score = % of the nine record fields filled, less 20 if stale and 20 if a probable duplicate,
-- floored at 0. The order facts are the customer's state that day (customer_state: stored at quarter ends, added
-- for other days by cockpit/db.py state_days). Read by every customers/ query that lists or counts records.
-- Created by customer_state.sql, after the view it reads.
create or replace macro record_flags(as_ofs, stale_days, pool_days, countries, regions, reps, segments, all_customers,
                                     visible_reps) as table
    with days as (
        select distinct unnest(as_ofs)::date as as_of
    ),
    shown as (
        select *
        from customer_record_facts k
        where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
                      countries, regions, reps, segments, all_customers, visible_reps)
    ),
    -- Pairs whose two customers are both in view: a pair is evidence whatever the filters, but a view shows only
    -- the pairs between its own customers (customers/duplicate_pairs.sql).
    pairs_shown as (
        select p.customer_a, p.customer_b
        from customer_duplicate_pairs p
        where p.customer_a in (select customer_id from shown) and p.customer_b in (select customer_id from shown)
    ),
    flagged as (
        select d.as_of, k.customer_id, k.home_country, k.rep_key, k.missing_mask, 9 - bit_count(k.missing_mask) as fields_filled,
               o.last_order_on, o.revenue_l12m, o.order_dates_l12m, o.lifetime_revenue,
               k.last_touched_on is null or k.last_touched_on < d.as_of - stale_days as stale,
               case when not k.has_owner then 'no_owner'
                    when (o.last_order_on is null or o.last_order_on < d.as_of - pool_days)
                     and (k.last_contact_on is null or k.last_contact_on < d.as_of - pool_days) then 'idle' end as pool_reason,
               k.customer_id in (select customer_a from pairs_shown union all select customer_b from pairs_shown)
                   as is_duplicate
        from shown k
        cross join days d
        left join (
            -- The same customers' state those days (in_view again on the state's copy of the filter columns: lets
            -- the scan skip the other customers' rows).
            select o.as_of, o.customer_id, o.last_order_on, o.revenue_l12m, o.lifetime_revenue,
                   coalesce(o.order_dates, 0) - coalesce(o.order_dates_year_ago, 0) as order_dates_l12m
            from customer_state o
            where o.as_of in (select as_of from days)
              and in_view(o.home_country, o.region_code, o.subregion_code, o.sales_region, o.rep_key, o.segment_key,
                          countries, regions, reps, segments, all_customers, visible_reps)
        ) o on o.customer_id = k.customer_id and o.as_of = d.as_of
    )
    select *, greatest(fields_filled * 100.0 / 9 - 20 * stale::int - 20 * is_duplicate::int, 0) as quality_score
    from flagged
