-- One row per customer with a positive order on or before $as_of (customer_state, cockpit/sql/customer_state.sql):
-- reorder rhythm, churn status and value at stake. The status rule is churn_status (cockpit/sql/build_derived.sql;
-- docs/metrics.md "Reorder rhythm") with $lapse_multiple, $lapse_days, $risk_multiple and $few_risk_days. Only the
-- statuses in $statuses (empty: every status), and only $customer_id when given (the customer 360); open complaints first, then the largest value at stake (ties by id);
-- at most $limit rows (null: all), each carrying the whole list's length (listed).
with status as (
    select s.*,
           expected_gap_days(s.order_dates, s.median_gap_days) as expected_gap_days,
           date_diff('day', s.last_order_on, $as_of) as days_since_last_order
    from customer_state s
    where s.as_of = $as_of and s.order_dates is not null
      and ($customer_id is null or s.customer_id = $customer_id)
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
    s.status_now as status,
    s.revenue_l12m,
    s.revenue_prior_12m,
    case when s.revenue_prior_12m > 0 then (s.revenue_l12m - s.revenue_prior_12m) / s.revenue_prior_12m * 100 end as revenue_change_pct,
    s.largest_order_l12m,
    s.open_complaints,
    s.complaints_total,
    count(*) over () as listed
from (
    select *, churn_status(order_dates, median_gap_days, days_since_last_order, $lapse_multiple, $lapse_days,
                           $risk_multiple, $few_risk_days) as status_now
    from status
) s
where len($statuses) = 0 or s.status_now = any($statuses)
order by s.open_complaints > 0 desc, s.revenue_l12m desc, s.customer_id
limit $limit
