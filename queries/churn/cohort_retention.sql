-- One row per first-order quarter and quarters since: customers still buying and revenue, with the cohort's size.
with eligible as (
    select c.customer_id, f.first_order_on
    from customers c
    join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where f.first_order_on is not null and f.first_order_on <= $as_of
      and in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
activity as (
    -- Whole months up to $as_of as month rows, the days of the month it cuts as day rows (period_facts).
    select e.customer_id,
           date_trunc('quarter', e.first_order_on)::date as cohort_start,
           date_trunc('quarter', d.period_start)::date as active_start,
           sum(d.revenue) as revenue,
           bool_or(d.positive_line_count > 0) as bought
    from eligible e
    join period_facts d using (customer_id)
    where d.period_end <= $as_of and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, date '1900-01-01', $as_of)
    group by all
),
cells as (
    select cohort_start,
           (year(active_start) - year(cohort_start)) * 4 + quarter(active_start) - quarter(cohort_start) as quarters_since,
           count(distinct customer_id) filter (where bought) as customers,
           sum(revenue) as revenue
    from activity
    group by all
),
base as (
    select cohort_start, customers as cohort_customers, revenue as cohort_revenue from cells where quarters_since = 0
)
select
    year(c.cohort_start) || 'Q' || quarter(c.cohort_start) as cohort,
    c.quarters_since,
    c.customers,
    c.revenue,
    b.cohort_customers,
    c.customers * 100.0 / b.cohort_customers as customer_retention_pct,
    c.revenue * 100.0 / nullif(b.cohort_revenue, 0) as revenue_retention_pct
from cells c
join base b using (cohort_start)
where c.quarters_since >= 0
order by c.cohort_start, c.quarters_since
