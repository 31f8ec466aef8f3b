-- One row per period of $period_starts / $period_ends (both dates inclusive): how concentrated its net revenue is,
-- under the what-if when one is given (docs/metrics.md "Concentration"; the one definition the Overview, the Regions
-- page and its what-if, `cockpit kpis` and the review pack read). Shares are percent of the positive totals of
-- countries or customers; 'unknown' is not a country; HHI = sum of squared shares; major customers hold 10 % or
-- more. With $by_customer false the customer measures are left out (zero, null or empty). What-if (as
-- regions/revenue_by_customer_country.sql): revenue to $drop_countries falls by $drop_pct %, the $lose_top_n largest
-- customers of the period (by actual revenue) are lost, revenue billed in $fx_currency moves by $fx_move_pct %; with
-- no what-if every row keeps its revenue. Set-based: the Overview's eight quarters are one query.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
facts as (
    select d.period_start, d.period_end, d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, d.customer_id, d.country_code,
           d.currency, d.revenue
    from period_facts d
    where d.period_start >= (select min(period_from) from periods) and d.period_end <= (select max(period_to) from periods)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
base as (
    select p.period_from, p.period_to, d.customer_id, d.country_code, d.currency, d.revenue
    from periods p
    join period_units($period_starts, $period_ends) u using (period_from, period_to)
    join facts d
      -- The period's whole quarters as quarter rows, other whole months as month rows, the days of months it
      -- cuts as day rows (period_units): an equality join.
      on d.grain = u.grain and period_bucket(d.grain, d.period_start, d.month_start) = u.bucket
      and d.period_start >= p.period_from and d.period_end <= p.period_to
),
lost as (
    -- The customers the what-if loses: the $lose_top_n largest of each period (none without that what-if).
    select period_from, period_to, customer_id
    from base
    where $lose_top_n > 0
    group by period_from, period_to, customer_id
    qualify row_number() over (partition by period_from, period_to order by sum(revenue) desc, customer_id) <= $lose_top_n
),
valued as (
    select b.period_from, b.period_to, b.customer_id, b.country_code,
           b.revenue
             * case when b.country_code = any($drop_countries) then 1 - $drop_pct / 100.0 else 1 end
             * case when l.customer_id is not null then 0 else 1 end
             * case when b.currency = $fx_currency then 1 + $fx_move_pct / 100.0 else 1 end as revenue
    from base b
    left join lost l using (period_from, period_to, customer_id)
),
by_country as (
    select period_from, period_to, country_code, sum(revenue) as revenue
    from valued where country_code <> 'unknown'
    group by all having sum(revenue) > 0
),
by_customer as (
    -- (Skipped when $by_customer is false: the Overview shows the country measures alone, and the customer ranking
    -- is most of this query's work.)
    select period_from, period_to, customer_id, sum(revenue) as revenue
    from valued
    where $by_customer
    group by all having sum(revenue) > 0
),
country_shares as (
    select period_from, period_to, country_code,
           revenue * 100.0 / sum(revenue) over (partition by period_from, period_to) as share,
           row_number() over (partition by period_from, period_to order by revenue desc, country_code) as rank
    from by_country
),
customer_shares as (
    select period_from, period_to, customer_id, revenue,
           revenue * 100.0 / sum(revenue) over (partition by period_from, period_to) as share
    from by_customer
),
countries as (
    select period_from, period_to, sum(share * share) as hhi_countries,
           any_value(country_code) filter (where rank = 1) as top_country,
           sum(share) filter (where rank = 1) as top_country_share_pct,
           sum(share) filter (where rank <= 3) as top3_countries_share_pct,
           sum(share) filter (where rank <= 5) as top5_countries_share_pct,
           count(*) as countries_with_revenue
    from country_shares
    group by all
),
customers as (
    -- (The largest customers by top-n aggregates rather than a rank over every customer: no sort of the period's
    -- customers. Ties in revenue go to the smaller customer id, as a rank would order them.)
    select period_from, period_to, sum(share * share) as hhi_customers,
           arg_min(customer_id, (-revenue, customer_id)) as top_customer,
           max(share) as top1_customers_share_pct,
           list_sum(max(share, 3)) as top3_customers_share_pct,
           list_sum(max(share, 5)) as top5_customers_share_pct,
           list(customer_id order by revenue desc, customer_id) filter (where share >= 10.0) as major_customers,
           count(*) as customers_with_revenue
    from customer_shares
    group by all
),
revenue as (
    select period_from, period_to, sum(revenue) as revenue from valued group by all
)
select
    p.period_from,
    p.period_to,
    coalesce(v.revenue, 0) as revenue,
    coalesce(c.hhi_countries, 0) as hhi_countries,
    coalesce(u.hhi_customers, 0) as hhi_customers,
    c.top_country,
    coalesce(c.top_country_share_pct, 0) as top_country_share_pct,
    coalesce(c.top3_countries_share_pct, 0) as top3_countries_share_pct,
    coalesce(c.top5_countries_share_pct, 0) as top5_countries_share_pct,
    u.top_customer,
    coalesce(u.top1_customers_share_pct, 0) as top1_customers_share_pct,
    coalesce(u.top3_customers_share_pct, 0) as top3_customers_share_pct,
    coalesce(u.top5_customers_share_pct, 0) as top5_customers_share_pct,
    coalesce(u.major_customers, []) as major_customers,
    coalesce(u.customers_with_revenue, 0) as customers_with_revenue,
    coalesce(c.countries_with_revenue, 0) as countries_with_revenue
from periods p
left join revenue v using (period_from, period_to)
left join countries c using (period_from, period_to)
left join customers u using (period_from, period_to)
order by p.period_from, p.period_to
