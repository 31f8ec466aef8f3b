-- One row per complaint from customers passing the filters (home country) that the Complaints page can use for a
-- period ending $date_to: received in the 400 days before (the period, the 12-month SLA trend, 180-day
-- recurrence), or older but still open at $date_to, or with a corrective action due from $date_from or not
-- verified by $date_to.
select
    k.complaint_id,
    k.customer_id,
    c.customer_name,
    k.country_code,
    coalesce(c.sales_rep, '') as sales_rep,
    k.order_id,
    k.received_at,
    k.first_response_at,
    k.resolved_at,
    coalesce(k.category, '') as category,
    coalesce(k.severity, '') as severity,
    coalesce(k.department, '') as department,
    k.status,
    k.root_cause,
    k.corrective_action,
    k.action_due_on,
    k.action_verified_on,
    k.owner,
    k.hours_to_first_response,
    k.hours_to_resolution
from complaint_facts k
left join customers c using (customer_id)
left join country_regions r on r.country_code = k.country_code
where k.received_on <= $date_to
  and (k.received_on >= $date_from::date - 400
       or k.resolved_at is null or cast(k.resolved_at as date) > $date_to
       or k.action_due_on >= $date_from
       or (k.action_due_on is not null and (k.action_verified_on is null or k.action_verified_on > $date_to)))
  and (len($countries) = 0 or k.country_code = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
order by k.received_at
