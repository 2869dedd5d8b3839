-- No test users included: QA accounts must never reach revenue marts.
select revenue.customer_id
from {{ ref('mart_customer_revenue') }} as revenue
inner join {{ ref('stg_customers') }} as customers
    on revenue.customer_id = customers.customer_id
where customers.is_test_user
