-- One row per complaint severity on record ('' for none), for the SLA target table.
select distinct coalesce(k.severity, '') as severity
from complaint_facts k
where $all_customers or k.rep_key = any($visible_reps)
order by severity
