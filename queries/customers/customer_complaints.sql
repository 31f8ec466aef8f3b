-- One row per complaint of one customer ($customer_id, if the viewer may see it) with latencies in calendar hours.
select k.complaint_id, k.received_at, k.first_response_at, k.resolved_at, k.category, k.severity, k.status, k.root_cause,
       k.corrective_action, k.action_due_on, k.action_verified_on, k.hours_to_first_response, k.hours_to_resolution
from complaint_facts k
join customers c using (customer_id)
where k.customer_id = $customer_id
  and visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
order by k.received_at desc, k.complaint_id
