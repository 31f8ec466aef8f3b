-- One row per period of $period_starts / $period_ends (both dates inclusive): how concentrated its net revenue is.
-- Destination filters as the other period queries; the rules of cockpit/regions.py concentration() (held equal by
-- a test): shares in percent of the positive totals; 'unknown' is not a country; HHI = sum of squared shares;
-- major customers hold 10 % or more. Set-based: the Overview's eight quarters are one query.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
facts as (
    select d.period_start, d.period_end, d.grain, d.month_start, d.month_end, d.customer_id, d.country_code, d.revenue
    from period_facts d
    where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
base as (
    select p.period_from, p.period_to, d.customer_id, d.country_code, d.revenue
    from periods p
    join facts d
      on d.period_start >= p.period_from and d.period_end <= p.period_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and (d.grain = 'month' or d.month_start < p.period_from or d.month_end > p.period_to)
),
by_country as (
    select period_from, period_to, country_code, sum(revenue) as revenue
    from base where country_code <> 'unknown'
    group by all having sum(revenue) > 0
),
by_customer as (
    select period_from, period_to, customer_id, sum(revenue) as revenue
    from base
    group by all having sum(revenue) > 0
),
country_shares as (
    select period_from, period_to, country_code,
           revenue * 100.0 / sum(revenue) over (partition by period_from, period_to) as share
    from by_country
),
customer_shares as (
    select period_from, period_to, customer_id,
           revenue * 100.0 / sum(revenue) over (partition by period_from, period_to) as share,
           row_number() over (partition by period_from, period_to order by revenue desc, customer_id) as rank
    from by_customer
),
countries as (
    select period_from, period_to, sum(share * share) as hhi_countries, arg_max(country_code, share) as top_country,
           max(share) as top_country_share_pct
    from country_shares
    group by all
),
customers as (
    select period_from, period_to, sum(share * share) as hhi_customers,
           sum(share) filter (where rank <= 5) as top5_customers_share_pct,
           list(customer_id order by rank) filter (where share >= 10.0) as major_customers
    from customer_shares
    group by all
)
select
    p.period_from,
    p.period_to,
    coalesce(c.hhi_countries, 0) as hhi_countries,
    coalesce(u.hhi_customers, 0) as hhi_customers,
    c.top_country,
    coalesce(c.top_country_share_pct, 0) as top_country_share_pct,
    coalesce(u.top5_customers_share_pct, 0) as top5_customers_share_pct,
    coalesce(u.major_customers, []) as major_customers
from periods p
left join countries c using (period_from, period_to)
left join customers u using (period_from, period_to)
order by p.period_from, p.period_to
