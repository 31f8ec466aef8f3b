-- One row per customer with a positive order on or before $as_of: reorder rhythm, churn status and value at stake.
-- Status rules (docs/metrics.md "Reorder rhythm"): expected gap = median day gap between consecutive order dates
-- when there are 3+ order dates; lapsed beyond $lapse_multiple x gap or $lapse_days; at risk beyond
-- $risk_multiple x gap; with fewer than 3 order dates at risk after $few_risk_days and lapsed after $lapse_days.
with order_dates as (
    select distinct customer_id, ordered_on
    from customer_day
    where positive_line_count > 0 and ordered_on <= $as_of
),
gaps as (
    select customer_id, ordered_on,
           date_diff('day', lag(ordered_on) over (partition by customer_id order by ordered_on), ordered_on) as gap_days
    from order_dates
),
rhythm as (
    select customer_id,
           count(*) as order_dates,
           max(ordered_on) as last_order_on,
           min(ordered_on) as first_order_on,
           case when count(*) >= 3 then median(gap_days) end as expected_gap_days
    from gaps
    group by customer_id
),
money as (
    select customer_id,
           coalesce(sum(revenue) filter (where ordered_on > $as_of - interval 365 day), 0) as revenue_l12m,
           coalesce(sum(revenue) filter (where ordered_on <= $as_of - interval 365 day
                                           and ordered_on > $as_of - interval 730 day), 0) as revenue_prior_12m,
           max(largest_order) filter (where ordered_on > $as_of - interval 365 day) as largest_order_l12m
    from customer_day
    where ordered_on <= $as_of and ordered_on > $as_of - interval 730 day
    group by customer_id
),
open_complaints as (
    select customer_id,
           count(*) filter (where resolved_at is null or cast(resolved_at as date) > $as_of) as open_complaints,
           count(*) as complaints_total
    from complaints
    where cast(received_at as date) <= $as_of
    group by customer_id
),
status as (
    select r.*,
           date_diff('day', r.last_order_on, $as_of) as days_since_last_order,
           date_diff('day', r.last_order_on, $as_of) / nullif(r.expected_gap_days, 0) as gap_ratio
    from rhythm r
)
select
    s.customer_id,
    c.customer_name,
    f.home_country as country_code,
    c.sales_rep,
    c.segment,
    c.source_channel,
    s.order_dates,
    s.first_order_on,
    s.last_order_on,
    s.expected_gap_days,
    s.days_since_last_order,
    s.gap_ratio,
    case
        when s.order_dates >= 3 then
            case when s.days_since_last_order > $lapse_multiple * s.expected_gap_days or s.days_since_last_order > $lapse_days then 'lapsed'
                 when s.days_since_last_order > $risk_multiple * s.expected_gap_days then 'at_risk'
                 else 'active' end
        else
            case when s.days_since_last_order > $lapse_days then 'lapsed'
                 when s.days_since_last_order > $few_risk_days then 'at_risk'
                 else 'active' end
    end as status,
    coalesce(m.revenue_l12m, 0) as revenue_l12m,
    coalesce(m.revenue_prior_12m, 0) as revenue_prior_12m,
    case when coalesce(m.revenue_prior_12m, 0) > 0
         then (coalesce(m.revenue_l12m, 0) - m.revenue_prior_12m) / m.revenue_prior_12m * 100 end as revenue_change_pct,
    m.largest_order_l12m,
    coalesce(k.open_complaints, 0) as open_complaints,
    coalesce(k.complaints_total, 0) as complaints_total
from status s
join customers c using (customer_id)
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
left join money m using (customer_id)
left join open_complaints k using (customer_id)
where (len($countries) = 0 or f.home_country = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
order by (status = 'active'), open_complaints > 0 desc, revenue_l12m desc
