-- One row per customer passing the filters (home country): what duplicate detection compares (name, e-mail, phone)
-- and the owner, without the rest of the record.
select c.customer_id, c.customer_name, c.email, c.phone, c.sales_rep
from customers c
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
order by c.customer_id
