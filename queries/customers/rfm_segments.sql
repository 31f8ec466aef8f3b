-- One row per RFM segment of the customers passing the filters who have ordered by $as_of (docs/metrics.md "RFM"),
-- largest first: R = days since the last order, F = order dates in the 12 months to $as_of, M = revenue in them
-- (customer_state); each scored 1–5 by its rank among those customers (ties by customer id; 5 = most recent, most
-- frequent, largest); the segment from R and FM = the mean of F and M rounded half up, by the usual RFM grid (the
-- first rule that matches).
with ordered as (
    select
        s.customer_id,
        s.last_order_on,
        coalesce(s.order_dates, 0) - coalesce(s.order_dates_year_ago, 0) as order_dates_l12m,
        coalesce(s.revenue_l12m, 0) as revenue_l12m
    from customer_state s
    where s.as_of = $as_of
      and s.last_order_on is not null
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
scored as (
    select
        customer_id,
        least(greatest(ceil(row_number() over (order by last_order_on, customer_id) * 5.0 / count(*) over ())::int, 1), 5)
            as r_score,
        least(greatest(ceil(row_number() over (order by order_dates_l12m, customer_id) * 5.0 / count(*) over ())::int, 1), 5)
            as f_score,
        least(greatest(ceil(row_number() over (order by revenue_l12m, customer_id) * 5.0 / count(*) over ())::int, 1), 5)
            as m_score
    from ordered
),
segmented as (
    select
        case
            when r_score = 5 and fm between 4 and 5 then 'champions'
            when r_score between 3 and 5 and fm between 4 and 5 then 'loyal'
            when r_score = 1 and fm between 4 and 5 then 'cant_lose'
            when r_score between 1 and 2 and fm between 3 and 5 then 'at_risk'
            when r_score between 4 and 5 and fm between 2 and 3 then 'potential'
            when r_score = 5 and fm = 1 then 'new'
            when r_score = 4 and fm = 1 then 'promising'
            when r_score = 3 and fm between 2 and 3 then 'need_attention'
            when r_score = 3 and fm = 1 then 'about_to_sleep'
            when r_score = 2 and fm between 1 and 2 then 'hibernating'
            when r_score = 1 and fm between 1 and 2 then 'lost'
            else 'need_attention'
        end as rfm_segment
    from (select *, (f_score + m_score + 1) // 2 as fm from scored)
)
select rfm_segment, count(*) as customers
from segmented
group by rfm_segment
order by customers desc, rfm_segment
