-- One row per destination country: revenue this period and the same period last year, customers, orders, complaints.
with cur as (
    select d.country_code,
           sum(d.revenue) as revenue,
           sum(d.order_count) as orders,
           count(distinct d.customer_id) filter (where d.positive_line_count > 0) as active_customers,
           count(distinct d.customer_id) filter (where d.is_new) as new_customers
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by all
),
last_year as (
    select d.country_code, sum(d.revenue) as revenue_last_year
    from period_facts d
    where d.period_start >= $ly_from and d.period_end <= $ly_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $ly_from, $ly_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by all
),
complaints_in_period as (
    select k.country_code, count(*) as complaints
    from complaint_facts k
    where k.received_on between $date_from and $date_to
      and visible_to(k.rep_key, $all_customers, $visible_reps)
    group by all
)
select
    coalesce(cur.country_code, ly.country_code) as country_code,
    r.country_iso3,
    r.country_name_en,
    r.country_name_zh,
    r.region_code,
    r.region_name_en,
    r.region_name_zh,
    r.subregion_code,
    r.subregion_name_en,
    r.subregion_name_zh,
    coalesce(cur.revenue, 0) as revenue,
    -- Share of the positive country revenue (a country with net returns counts as 0).
    greatest(coalesce(cur.revenue, 0), 0) * 100.0 / nullif(sum(greatest(coalesce(cur.revenue, 0), 0)) over (), 0) as share_pct,
    coalesce(ly.revenue_last_year, 0) as revenue_last_year,
    case when ly.revenue_last_year > 0 then (coalesce(cur.revenue, 0) - ly.revenue_last_year) / ly.revenue_last_year * 100 end as change_pct,
    coalesce(cur.active_customers, 0) as active_customers,
    coalesce(cur.new_customers, 0) as new_customers,
    coalesce(cur.orders, 0) as orders,
    coalesce(cur.revenue, 0) / nullif(cur.orders, 0) as average_order,
    coalesce(k.complaints, 0) as complaints
from cur
full outer join last_year ly using (country_code)
left join country_regions r on r.country_code = coalesce(cur.country_code, ly.country_code)
left join complaints_in_period k on k.country_code = coalesce(cur.country_code, ly.country_code)
-- Ties (countries with no revenue this period) in a fixed order, so the same view is the same rows every time.
order by revenue desc, revenue_last_year desc nulls last, country_code
