-- One row per window end: each day of $as_ofs and, with $trend, every quarter end up to the last of them with two
-- years of data before it: NRR and GRR of the trailing 12 months against the 12 months before.
-- Base = customers (passing the filters) with positive net revenue in the prior 12 months.
with quarter_ends as (
    select (date_trunc('quarter', d) + interval 3 month - interval 1 day)::date as quarter_end
    from range(date '2000-01-01', list_max($as_ofs)::timestamp + interval 1 day, interval 3 month) t(d)
),
bounds as (
    select min(ordered_on) as first_on from customer_day
),
windows as (
    select distinct quarter_end from (
        -- The page's trend: every quarter end with two years of data before it (the KPI cards ask for $as_ofs only).
        select q.quarter_end
        from quarter_ends q, bounds b
        where $trend and q.quarter_end <= list_max($as_ofs)::date
          and q.quarter_end - interval 730 day >= b.first_on - interval 92 day
        union all
        select unnest($as_ofs)::date
    )
),
eligible as (
    select c.customer_id
    from customers c
    join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
spans as (
    -- Each window's two 365-day spans: the last 12 months (recent) and the 12 before.
    select quarter_end, true as recent, quarter_end::date - 364 as span_from, quarter_end::date as span_to from windows
    union all
    select quarter_end, false, quarter_end::date - 729, quarter_end::date - 365 from windows
),
span_months as (
    -- The calendar months each span touches: whole ones are read as month rows, cut ones as their day rows.
    select quarter_end, recent, span_from, span_to, month_start::date as month_start,
           case when month_start::date >= span_from and last_day(month_start::date) <= span_to then 'month' else 'day' end as grain
    from (select *, unnest(generate_series(date_trunc('month', span_from), span_to::timestamp, interval 1 month)) as month_start
          from spans)
),
per_customer as (
    select s.quarter_end, d.customer_id,
           sum(d.revenue) filter (where s.recent) as current_12m,
           sum(d.revenue) filter (where not s.recent) as prior_12m
    from span_months s
    join period_facts d
      on d.month_start = s.month_start and d.grain = s.grain
     and d.period_start >= s.span_from and d.period_end <= s.span_to
    join eligible e using (customer_id)
    group by all
)
select
    quarter_end,
    year(quarter_end) || 'Q' || quarter(quarter_end) as quarter,
    quarter_end = any($as_ofs::date[]) as is_as_of,
    count(*) as base_customers,
    sum(prior_12m) as base_revenue,
    sum(greatest(coalesce(current_12m, 0), 0)) as retained_revenue,
    sum(greatest(coalesce(current_12m, 0), 0)) / sum(prior_12m) * 100 as nrr_pct,
    sum(least(greatest(coalesce(current_12m, 0), 0), prior_12m)) / sum(prior_12m) * 100 as grr_pct
from per_customer
where prior_12m > 0
group by quarter_end
order by quarter_end
