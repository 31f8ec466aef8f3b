-- One row per complaint of one customer ($customer_id) with its latencies in calendar hours.
select complaint_id, received_at, first_response_at, resolved_at, category, severity, status, root_cause,
       corrective_action, action_due_on, action_verified_on, hours_to_first_response, hours_to_resolution
from complaint_facts
where customer_id = $customer_id
order by received_at desc
