-- One row per first-order quarter and quarters since, up to $as_of: customers still buying and revenue, with the
-- cohort's size. Each quarter's activity is the customer's state at its end (customer_state,
-- cockpit/sql/customer_state.sql: revenue of the quarter, a positive line in it); the quarter of $as_of counts up
-- to $as_of.
with cells as (
    select date_trunc('quarter', s.cohort_first_order_on)::date as cohort_start,
           (year(s.as_of) - year(s.cohort_first_order_on)) * 4 + quarter(s.as_of) - quarter(s.cohort_first_order_on) as quarters_since,
           count(*) filter (where s.bought_quarter) as customers,
           sum(s.revenue_quarter) as revenue
    from customer_state s
    -- Every quarter end before $as_of, and $as_of itself.
    where (s.as_of = $as_of or (s.as_of < $as_of and s.as_of = last_day(s.as_of) and month(s.as_of) % 3 = 0))
      and s.cohort_first_order_on <= $as_of
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
      and s.revenue_quarter is not null
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
