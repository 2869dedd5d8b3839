-- Completeness of customers: every real customer has a row, even without orders.
select customers.customer_id
from {{ ref('stg_customers') }} as customers
left join {{ ref('mart_customer_revenue') }} as revenue
    on customers.customer_id = revenue.customer_id
where not customers.is_test_user
  and revenue.customer_id is null
