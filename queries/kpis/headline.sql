-- One row per period of $period_starts / $period_ends (lists of the same length; both dates inclusive): the headline KPIs (docs/metrics.md: revenue, orders, active_customers, new_customers).
-- Set-based: the Overview's eight quarters are one query; a single period is a list of one.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
facts as (
    -- The filtered rows of the span every period lies in (zone maps skip the rest).
    select d.*
    from period_facts d
    where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select
    p.period_from,
    p.period_to,
    coalesce(sum(d.revenue), 0) as revenue,
    coalesce(sum(d.order_count), 0) as orders,
    count(distinct d.customer_id) filter (where d.positive_line_count > 0) as active_customers,
    count(distinct d.customer_id) filter (where d.is_new) as new_customers
from periods p
left join period_units($period_starts, $period_ends) u using (period_from, period_to)
left join facts d
  -- The period's whole quarters as quarter rows, other whole months as month rows, the days of months it
  -- cuts as day rows (period_units): an equality join.
  on d.grain = u.grain and period_bucket(d.grain, d.period_start, d.month_start) = u.bucket
  and d.period_start >= p.period_from and d.period_end <= p.period_to
group by p.period_from, p.period_to
order by p.period_from, p.period_to
