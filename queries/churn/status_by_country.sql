-- One row per home country and churn status with customers in it: the customers passing the filters with a positive
-- order on or before $as_of in that status (churn_status, cockpit/sql/build_derived.sql, with $lapse_multiple,
-- $lapse_days, $risk_multiple and $few_risk_days; docs/metrics.md "Reorder rhythm"). The Regions page's lapsed
-- customers per country.
select
    s.home_country as country_code,
    churn_status(s.order_dates, s.median_gap_days, date_diff('day', s.last_order_on, s.as_of), $lapse_multiple,
                 $lapse_days, $risk_multiple, $few_risk_days) as status,
    count(*) as customers
from customer_state s
where s.as_of = $as_of and s.order_dates is not null
  and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
group by all
order by country_code, status
