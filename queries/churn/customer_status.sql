-- One row per customer with a positive order on or before $as_of: reorder rhythm, churn status and value at stake.
-- Status rules (docs/metrics.md "Reorder rhythm"): expected gap = median day gap between consecutive order dates
-- when there are 3+ order dates; lapsed beyond $lapse_multiple x gap or $lapse_days; at risk beyond
-- $risk_multiple x gap; with fewer than 3 order dates at risk after $few_risk_days and lapsed after $lapse_days.
with rhythm as (
    -- The rhythm row valid on $as_of: order dates so far, first and last, median gap (customer_rhythm).
    select customer_id, order_dates, valid_from as last_order_on, first_order_on,
           case when order_dates >= 3 then median_gap_days end as expected_gap_days
    from customer_rhythm
    where valid_from <= $as_of and (valid_to is null or valid_to > $as_of)
),
money_rows as (
    -- The 365 days ending $as_of and the 365 before, each as month rows for whole months and day rows for cut ones.
    select d.customer_id, true as recent, d.revenue, d.largest_order
    from period_facts d
    where d.period_start >= $as_of::date - 364 and d.period_end <= $as_of::date
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $as_of::date - 364, $as_of::date)
    union all
    select d.customer_id, false as recent, d.revenue, null as largest_order
    from period_facts d
    where d.period_start >= $as_of::date - 729 and d.period_end <= $as_of::date - 365
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $as_of::date - 729, $as_of::date - 365)
),
money as (
    select customer_id,
           coalesce(sum(revenue) filter (where recent), 0) as revenue_l12m,
           coalesce(sum(revenue) filter (where not recent), 0) as revenue_prior_12m,
           max(largest_order) filter (where recent) as largest_order_l12m
    from money_rows
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
                 else 'on_rhythm' end
        else
            case when s.days_since_last_order > $lapse_days then 'lapsed'
                 when s.days_since_last_order > $few_risk_days then 'at_risk'
                 else 'on_rhythm' end
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
where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
-- No order: the page's lists sort themselves (churn.flagged: open complaints first, then value at stake).
