-- One row per quarter up to the period end: HHI over countries and customers and the top country's share.
-- Same rules as regions/concentration_kpis.sql (a test holds each quarter equal to it): positive net revenue only; 'unknown' is not a country.
with quarter_rows as (
    -- Everything up to $date_to: whole quarters as quarter rows; the quarter $date_to cuts, if any, from its month
    -- rows and the day rows of the month it cuts.
    select d.quarter_start, d.customer_id, d.country_code, d.revenue,
           d.rep_key, d.segment_key, d.sales_region, d.region_code, d.subregion_code
    from period_facts d
    where d.period_end <= $date_to
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, date '1900-01-01', $date_to)
),
quarterly as (
    select r.quarter_start, r.customer_id, r.country_code, r.revenue
    from quarter_rows r
    where in_view(r.country_code, r.region_code, r.subregion_code, r.sales_region, r.rep_key, r.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
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
