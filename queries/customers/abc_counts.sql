-- One row per period of $period_starts / $period_ends and ABC class (A, B, C): customers with positive net revenue
-- in the period (destination filters as customers/customer_revenue.sql), ranked by it: A while the cumulative share
-- before them is under $a_pct %, B while under $b_pct %, then C (cockpit/records.py abc(), held equal by a test).
-- Set-based: the Overview's eight quarters are one query.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
facts as (
    select d.period_start, d.period_end, d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, d.customer_id, d.revenue
    from period_facts d
    where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
revenue as (
    select p.period_from, p.period_to, d.customer_id, sum(d.revenue) as revenue
    from periods p
    join period_units($period_starts, $period_ends) u using (period_from, period_to)
    join facts d
      -- The period's whole quarters as quarter rows, other whole months as month rows, the days of months it
      -- cuts as day rows (period_units): an equality join.
      on d.grain = u.grain and period_bucket(d.grain, d.period_start, d.month_start) = u.bucket
      and d.period_start >= p.period_from and d.period_end <= p.period_to
    group by all
),
ranked as (
    select period_from, period_to,
           (sum(revenue) over (partition by period_from, period_to order by revenue desc, customer_id
                               rows between unbounded preceding and current row) - revenue)
               * 100.0 / sum(revenue) over (partition by period_from, period_to) as share_before_pct
    from revenue
    where revenue > 0
),
classed as (
    select period_from, period_to,
           case when share_before_pct < $a_pct then 'A' when share_before_pct < $b_pct then 'B' else 'C' end as abc
    from ranked
)
select p.period_from, p.period_to, k.abc, count(c.abc) as customers
from periods p
cross join (values ('A'), ('B'), ('C')) k(abc)
left join classed c on c.period_from = p.period_from and c.period_to = p.period_to and c.abc = k.abc
group by all
order by p.period_from, p.period_to, k.abc
