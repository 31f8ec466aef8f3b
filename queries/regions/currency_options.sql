-- One row per order currency other than the reporting currency among visible customers, largest revenue first.
-- (From quarter_facts: the same revenue in about six times fewer rows than customer_day, owner copied in, no join.)
select d.currency, sum(d.revenue) as revenue
from quarter_facts d
where d.currency <> (select value from settings where key = 'reporting_currency')
  and visible_to(d.rep_key, $all_customers, $visible_reps)
group by all
order by revenue desc
