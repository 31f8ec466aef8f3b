-- One row: how concentrated the period's net revenue is (destination filters as the other period queries), by
-- the rules of cockpit/regions.py concentration() (held equal by a test): shares in percent of the positive
-- totals; 'unknown' is not a country; HHI = sum of squared shares; major customers hold 10 % or more.
with base as (
    select d.customer_id, d.country_code, d.revenue
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and (d.grain = 'month' or d.month_start < $date_from or d.month_end > $date_to)
      and (len($countries) = 0 or d.country_code = any($countries))
      and (len($regions) = 0 or d.region_code = any($regions) or d.subregion_code = any($regions) or d.sales_region = any($regions))
      and (len($reps) = 0 or d.rep_key = any($reps))
      and (len($segments) = 0 or d.segment_key = any($segments))
      and ($all_customers or d.rep_key = any($visible_reps))
),
by_country as (
    select country_code, sum(revenue) as revenue from base where country_code <> 'unknown'
    group by country_code having sum(revenue) > 0
),
by_customer as (
    select customer_id, sum(revenue) as revenue from base group by customer_id having sum(revenue) > 0
),
country_shares as (
    select country_code, revenue * 100.0 / sum(revenue) over () as share from by_country
),
customer_shares as (
    select customer_id, revenue * 100.0 / sum(revenue) over () as share,
           row_number() over (order by revenue desc, customer_id) as rank
    from by_customer
)
select
    (select coalesce(sum(share * share), 0) from country_shares) as hhi_countries,
    (select coalesce(sum(share * share), 0) from customer_shares) as hhi_customers,
    (select arg_max(country_code, share) from country_shares) as top_country,
    (select coalesce(max(share), 0) from country_shares) as top_country_share_pct,
    (select coalesce(sum(share), 0) from customer_shares where rank <= 5) as top5_customers_share_pct,
    (select coalesce(list(customer_id order by rank) filter (where share >= 10.0), []) from customer_shares) as major_customers
