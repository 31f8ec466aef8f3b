-- One row per customer, destination country and currency: net revenue in the period, actual and under the what-if.
-- What-if: revenue to $drop_countries falls by $drop_pct %; the $lose_top_n largest customers (by actual revenue in
-- the period) are lost; revenue billed in $fx_currency moves by $fx_move_pct % in the reporting currency.
with base as (
    select d.customer_id, d.country_code, d.currency, sum(d.revenue) as revenue, sum(d.order_count) as orders
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by all
),
ranked as (
    select customer_id, row_number() over (order by sum(revenue) desc, customer_id) as customer_rank
    from base
    group by customer_id
)
select
    b.customer_id,
    c.customer_name,
    b.country_code,
    b.currency,
    b.revenue,
    b.orders,
    k.customer_rank,
    b.revenue
        * case when b.country_code = any($drop_countries) then 1 - $drop_pct / 100.0 else 1 end
        * case when k.customer_rank <= $lose_top_n then 0 else 1 end
        * case when b.currency = $fx_currency then 1 + $fx_move_pct / 100.0 else 1 end as revenue_scenario
from base b
join ranked k using (customer_id)
join customers c using (customer_id)
order by k.customer_rank, b.country_code
