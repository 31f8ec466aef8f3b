-- One row per period of $period_starts / $period_ends and ISO-2 country ('unknown' for unresolved) with net revenue in it, largest first within each period.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
facts as (
    select d.period_start, d.period_end, d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, d.country_code, d.revenue
    from period_facts d
    where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select p.period_from, p.period_to, d.country_code, sum(d.revenue) as revenue
from periods p
join period_units($period_starts, $period_ends) u using (period_from, period_to)
join facts d
  -- The period's whole quarters as quarter rows, other whole months as month rows, the days of months it
  -- cuts as day rows (period_units): an equality join.
  on d.grain = u.grain and period_bucket(d.grain, d.period_start, d.month_start) = u.bucket
  and d.period_start >= p.period_from and d.period_end <= p.period_to
group by p.period_from, p.period_to, d.country_code
order by p.period_from, p.period_to, revenue desc, d.country_code
