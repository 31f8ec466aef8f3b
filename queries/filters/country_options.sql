-- One row per destination country with orders from customers the viewer may see, largest revenue first.
-- (From quarter_facts: the same revenue in about six times fewer rows than customer_day, owner copied in, no join.)
select coalesce(d.country_code, 'unknown') as country_code, coalesce(sum(d.revenue), 0) as revenue
from quarter_facts d
where visible_to(d.rep_key, $all_customers, $visible_reps)
group by all
order by revenue desc
