-- One row per customer passing the filters (home country): what duplicate detection compares (name, e-mail, phone)
-- and the owner, without the rest of the record.
select c.customer_id, c.customer_name, c.email, c.phone, c.sales_rep
from customers c
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
where (len($countries) = 0 or f.home_country = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
order by c.customer_id
