-- One row per stored quarter asked for (none when the import did not store it): everything the Customers page
-- shows for the whole company at one calendar quarter's end with every setting at its default, worked out at import
-- by cockpit/records.py view.
select view_json
from customers_views
where quarter_start = $quarter_start
  -- The whole company's view, so only for a viewer who sees every customer (anyone else is computed live).
  and $all_customers
