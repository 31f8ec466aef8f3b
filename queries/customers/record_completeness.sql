-- One row per owner of the customers passing the filters (rep: '' = no owner) and one for all of them (rep null), as
-- of $as_of: customers, the % of them with each of the nine record fields filled (a field's bit of missing_mask,
-- cockpit/sql/build_derived.sql; docs/metrics.md "Record quality") and their mean quality score (record_flags,
-- cockpit/sql/customer_state.sql). The columns are named after the fields (cockpit/records.py QUALITY_FIELDS).
select
    case when grouping(rep_key) = 0 then rep_key end as rep,
    count(*) as customers,
    avg(1 - (missing_mask & 1)) * 100 as customer_name,
    avg(1 - ((missing_mask >> 1) & 1)) * 100 as country_code,
    avg(1 - ((missing_mask >> 2) & 1)) * 100 as sales_rep,
    avg(1 - ((missing_mask >> 3) & 1)) * 100 as segment,
    avg(1 - ((missing_mask >> 4) & 1)) * 100 as industry,
    avg(1 - ((missing_mask >> 5) & 1)) * 100 as source_channel,
    avg(1 - ((missing_mask >> 6) & 1)) * 100 as email,
    avg(1 - ((missing_mask >> 7) & 1)) * 100 as phone,
    avg(1 - ((missing_mask >> 8) & 1)) * 100 as website,
    avg(quality_score) as quality_score
from record_flags([$as_of], $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
group by grouping sets ((rep_key), ())
order by rep nulls first
