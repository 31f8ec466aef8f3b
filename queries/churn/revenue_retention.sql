-- One row per window end (each quarter end up to $as_of, and $as_of itself): NRR and GRR of the trailing 12 months
-- against the 12 months before.
-- Base = customers (passing the filters) with positive net revenue in the prior 12 months.
with quarter_ends as (
    select (date_trunc('quarter', d) + interval 3 month - interval 1 day)::date as quarter_end
    from range(date '2000-01-01', $as_of::timestamp + interval 1 day, interval 3 month) t(d)
),
bounds as (
    select min(ordered_on) as first_on from customer_day
),
windows as (
    select distinct quarter_end from (
        select q.quarter_end
        from quarter_ends q, bounds b
        where q.quarter_end <= $as_of and q.quarter_end - interval 730 day >= b.first_on - interval 92 day
        union all
        select $as_of::date
    )
),
eligible as (
    select c.customer_id
    from customers c
    join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where (len($countries) = 0 or f.home_country = any($countries))
      and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
      and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
      and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
      and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
),
per_customer as (
    select w.quarter_end, d.customer_id,
           sum(d.revenue) filter (where d.ordered_on > w.quarter_end - interval 365 day) as current_12m,
           sum(d.revenue) filter (where d.ordered_on <= w.quarter_end - interval 365 day) as prior_12m
    from windows w
    join customer_day d on d.ordered_on <= w.quarter_end and d.ordered_on > w.quarter_end - interval 730 day
    join eligible e using (customer_id)
    group by all
)
select
    quarter_end,
    year(quarter_end) || 'Q' || quarter(quarter_end) as quarter,
    quarter_end = $as_of::date as is_as_of,
    count(*) as base_customers,
    sum(prior_12m) as base_revenue,
    sum(greatest(coalesce(current_12m, 0), 0)) as retained_revenue,
    sum(greatest(coalesce(current_12m, 0), 0)) / sum(prior_12m) * 100 as nrr_pct,
    sum(least(greatest(coalesce(current_12m, 0), 0), prior_12m)) / sum(prior_12m) * 100 as grr_pct
from per_customer
where prior_12m > 0
group by quarter_end
order by quarter_end
