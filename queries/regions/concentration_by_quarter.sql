-- One row per quarter up to the period end: HHI over countries and customers and the top country's share.
-- Same rules as cockpit/regions.py concentration(): positive net revenue only; 'unknown' is not a country.
with quarterly as (
    select date_trunc('quarter', d.period_start)::date as quarter_start, d.customer_id, d.country_code, sum(d.revenue) as revenue
    from period_facts d
    where d.period_end <= $date_to
      -- Whole months as month rows; the days of the month $date_to cuts as day rows.
      and (d.grain = 'month' or d.month_end > $date_to)
      and (len($countries) = 0 or d.country_code = any($countries))
      and (len($regions) = 0 or d.region_code = any($regions) or d.subregion_code = any($regions) or d.sales_region = any($regions))
      and (len($reps) = 0 or d.rep_key = any($reps))
      and (len($segments) = 0 or d.segment_key = any($segments))
      and ($all_customers or d.rep_key = any($visible_reps))
    group by all
),
by_country as (
    select quarter_start, country_code, sum(revenue) as revenue
    from quarterly where country_code <> 'unknown' group by all having sum(revenue) > 0
),
by_customer as (
    select quarter_start, customer_id, sum(revenue) as revenue
    from quarterly group by all having sum(revenue) > 0
),
country_shares as (
    select quarter_start, revenue * 100.0 / sum(revenue) over (partition by quarter_start) as share from by_country
),
customer_shares as (
    select quarter_start, revenue * 100.0 / sum(revenue) over (partition by quarter_start) as share from by_customer
)
select
    year(cs.quarter_start) || 'Q' || quarter(cs.quarter_start) as quarter,
    cs.hhi_countries,
    cs.top_country_share_pct,
    cu.hhi_customers
from (select quarter_start, sum(share * share) as hhi_countries, max(share) as top_country_share_pct
      from country_shares group by quarter_start) cs
join (select quarter_start, sum(share * share) as hhi_customers from customer_shares group by quarter_start) cu using (quarter_start)
order by cs.quarter_start
