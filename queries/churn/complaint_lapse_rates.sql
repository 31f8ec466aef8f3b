-- One row for the customers passing the filters with a positive order by $as_of who ever complained
-- (has_complaint true) and one for those who never did: customers, at risk and lapsed (churn_status,
-- cockpit/sql/build_derived.sql, with the rhythm rules given) and the lapse rate (% lapsed).
with status as (
    select
        coalesce(s.complaints_total, 0) > 0 as has_complaint,
        churn_status(s.order_dates, s.median_gap_days, date_diff('day', s.last_order_on, s.as_of), $lapse_multiple,
                     $lapse_days, $risk_multiple, $few_risk_days) as status
    from customer_state s
    where s.as_of = $as_of and s.order_dates is not null
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select
    g.has_complaint,
    count(s.status) as customers,
    count(s.status) filter (where s.status = 'at_risk') as at_risk,
    count(s.status) filter (where s.status = 'lapsed') as lapsed,
    coalesce(count(s.status) filter (where s.status = 'lapsed') * 100.0 / nullif(count(s.status), 0), 0) as lapse_rate_pct
from (values (true), (false)) g(has_complaint)
left join status s using (has_complaint)
group by g.has_complaint
order by g.has_complaint desc
