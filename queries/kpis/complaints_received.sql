-- One row: complaints received in the filtered period (customer's country; docs/metrics.md complaints_received).
select count(*) as complaints_received
from complaint_facts k
where k.received_on between $date_from and $date_to
  and (len($countries) = 0 or k.country_code = any($countries))
  and (len($regions) = 0 or k.region_code = any($regions) or k.subregion_code = any($regions) or k.sales_region = any($regions))
  and (len($reps) = 0 or k.rep_key = any($reps))
  and (len($segments) = 0 or k.segment_key = any($segments))
  and ($all_customers or k.rep_key = any($visible_reps))
