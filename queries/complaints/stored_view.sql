-- One row per stored quarter asked for (none when the import did not store it): everything the Complaints page
-- shows for the whole company in one calendar quarter, in calendar hours with the default SLA targets, worked out at
-- import by cockpit/complaints.py view.
select view_json
from complaints_views
where quarter_start = $quarter_start
  -- The whole company's view, so only for a viewer who sees every customer (anyone else is computed live).
  and $all_customers
