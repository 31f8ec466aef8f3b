-- One row per customer in a cluster of probable duplicates of the whole customer list, as the import found them
-- (cockpit/records.py rules); read when the customers shown are that whole list.
select d.cluster, d.customer_id, d.customer_name, d.evidence, d.confidence_pct,
       -- As the search gives them before the revenue of a period is added (records.with_revenue_split).
       0.0 as lifetime_revenue, d.sales_rep, null::double as revenue_split_pct
from customer_duplicates d
where visible_to(coalesce(d.sales_rep, ''), $all_customers, $visible_reps)
order by d.cluster, d.customer_id
