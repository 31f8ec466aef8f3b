-- One row per pair of probable duplicates whose two customers both pass the filters (home country, as
-- customer_records.sql): the pairs the import found in the whole customer list (docs/metrics.md "Duplicates"), with
-- each customer's name and owner; cockpit/records.py clusters_of groups them.
with shown as (
    select c.customer_id, c.customer_name, c.sales_rep
    from customers c
    join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''),
                  coalesce(c.segment, ''), $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select p.customer_a, a.customer_name as name_a, a.sales_rep as rep_a,
       p.customer_b, b.customer_name as name_b, b.sales_rep as rep_b,
       p.evidence, p.confidence
from customer_duplicate_pairs p
join shown a on a.customer_id = p.customer_a
join shown b on b.customer_id = p.customer_b
order by p.customer_a, p.customer_b
