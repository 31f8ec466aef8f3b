-- One row per complaint severity on record ('' for none), for the SLA target table.
select distinct coalesce(k.severity, '') as severity
from complaint_facts k
where visible_to(k.rep_key, $all_customers, $visible_reps)
order by severity
