-- One row per pair of probable duplicates whose two customers both pass the filters (home country, as
-- customer_records.sql): the pairs the import found in the whole customer list (docs/metrics.md "Duplicates"), with
-- each customer's name, owner and lifetime revenue as of $as_of; cockpit/records.py clusters_of groups them.
with shown as (
    select c.customer_id, c.customer_name, c.sales_rep, coalesce(s.lifetime_revenue, 0) as lifetime_revenue
    from customer_record_facts k
    join customers c using (customer_id)
    left join customer_state s on s.customer_id = k.customer_id and s.as_of = $as_of
    where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
      -- Only the customers of some pair (a few % of the list): their state is all the query reads.
      and k.customer_id in (select customer_a from customer_duplicate_pairs union all
                            select customer_b from customer_duplicate_pairs)
)
select p.customer_a, a.customer_name as name_a, a.sales_rep as rep_a, a.lifetime_revenue as revenue_a,
       p.customer_b, b.customer_name as name_b, b.sales_rep as rep_b, b.lifetime_revenue as revenue_b,
       p.evidence, p.confidence
from customer_duplicate_pairs p
join shown a on a.customer_id = p.customer_a
join shown b on b.customer_id = p.customer_b
order by p.customer_a, p.customer_b
