-- One row per group of destination countries: UN M49 continent ($group = 'region'), sub-region ('subregion'),
-- or the company's own sales region of the customer ('sales_region'); '' = unknown / none.
select
    case $group
        when 'region' then coalesce(r.region_name_en, '')
        when 'subregion' then coalesce(r.subregion_name_en, '')
        else coalesce(c.sales_region, '')
    end as name_en,
    case $group
        when 'region' then coalesce(r.region_name_zh, '')
        when 'subregion' then coalesce(r.subregion_name_zh, '')
        else coalesce(c.sales_region, '')
    end as name_zh,
    sum(d.revenue) as revenue,
    count(distinct d.customer_id) as customers
from customer_day d
join customers c using (customer_id)
left join country_regions r on r.country_code = d.country_code
where d.ordered_on between $date_from and $date_to
  and (len($countries) = 0 or d.country_code = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by all
order by revenue desc
