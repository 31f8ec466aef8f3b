-- One row per country that has orders or customers, largest revenue first.
select
    coalesce(d.country_code, 'unknown') as country_code,
    coalesce(sum(d.revenue), 0) as revenue
from customer_day d
group by all
order by revenue desc
