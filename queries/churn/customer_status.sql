-- One row per customer with a positive order on or before $as_of (customer_state, cockpit/sql/customer_state.sql):
-- reorder rhythm, churn status and value at stake. Status rules (docs/metrics.md "Reorder rhythm"): expected gap =
-- median day gap between consecutive order dates when there are 3+ order dates; lapsed beyond $lapse_multiple x gap
-- or $lapse_days; at risk beyond $risk_multiple x gap; with fewer than 3 order dates at risk after $few_risk_days
-- and lapsed after $lapse_days.
with status as (
    select s.*,
           case when s.order_dates >= 3 then s.median_gap_days end as expected_gap_days,
           date_diff('day', s.last_order_on, $as_of) as days_since_last_order
    from customer_state s
    where s.as_of = $as_of and s.order_dates is not null
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select
    s.customer_id,
    s.customer_name,
    s.home_country as country_code,
    s.sales_rep,
    s.segment,
    s.source_channel,
    s.order_dates,
    s.first_order_on,
    s.last_order_on,
    s.expected_gap_days,
    s.days_since_last_order,
    s.days_since_last_order / nullif(s.expected_gap_days, 0) as gap_ratio,
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
    s.revenue_l12m,
    s.revenue_prior_12m,
    case when s.revenue_prior_12m > 0 then (s.revenue_l12m - s.revenue_prior_12m) / s.revenue_prior_12m * 100 end as revenue_change_pct,
    s.largest_order_l12m,
    s.open_complaints,
    s.complaints_total
from status s
-- No order: the page's lists sort themselves (churn.flagged: open complaints first, then value at stake).
