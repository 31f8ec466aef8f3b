-- One row per mover (kind 'country' or 'customer'): the $top keys whose net revenue rose most in the period against
-- $prev_from..$prev_to, then the $top that fell most; ties by key. A key with no revenue in one period counts 0 there.
-- Same rows and filters as regions/revenue_by_customer_country.sql, summed per country and per customer in one pass
-- (the Overview asked that query twice and diffed 200,000 customers in pandas: ~0.2 s a quarter at 10 M lines).
with facts as (
    select
        d.customer_id,
        d.country_code,
        d.revenue,
        d.period_start >= $date_from and d.period_end <= $date_to
            and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to) as in_now,
        d.period_start >= $prev_from and d.period_end <= $prev_to
            and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $prev_from, $prev_to) as in_before
    from period_facts d
    -- The two periods' date ranges alone (the flags above add the month/day rule): row groups outside are skipped.
    where ((d.period_start >= $date_from and d.period_end <= $date_to)
           or (d.period_start >= $prev_from and d.period_end <= $prev_to))
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
totals as (
    select
        if(grouping(country_code) = 0, 'country', 'customer') as kind,
        coalesce(country_code, customer_id) as key,
        coalesce(sum(revenue) filter (where in_now), 0) as now,
        coalesce(sum(revenue) filter (where in_before), 0) as before
    from facts
    where in_now or in_before
    group by grouping sets ((country_code), (customer_id))
),
ranked as (
    select *, now - before as change,
        row_number() over (partition by kind, now > before order by abs(now - before) desc, key) as rank
    from totals
    where now <> before
)
select
    r.kind,
    r.key,
    r.now,
    r.before,
    r.change,
    case when r.before <> 0 then r.change / abs(r.before) * 100 end as change_pct,
    -- A customer without a name is shown by its id.
    coalesce(nullif(c.customer_name, ''), r.key) as label
from ranked r
left join customers c on r.kind = 'customer' and c.customer_id = r.key
where r.rank <= $top
order by r.kind, r.change < 0, r.rank
