-- One row: complaints received in the filtered period (customer's country; docs/metrics.md complaints_received).
select count(*) as complaints_received
from complaint_facts k
left join customers c using (customer_id)
left join country_regions r on r.country_code = k.country_code
where k.received_on between $date_from and $date_to
  and (len($countries) = 0 or k.country_code = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))

  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))