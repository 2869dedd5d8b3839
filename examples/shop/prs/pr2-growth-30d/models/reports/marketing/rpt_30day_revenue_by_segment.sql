{{ config(materialized='table', schema='reports', tags=['nightly', 'marketing']) }}

-- Revenue of the last 30 days (by order date) per customer segment, for the Growth dashboard.
select
    customer_segment,
    count(distinct customer_id) as customers,
    count(*) as orders,
    sum(order_amount) as revenue_30d
from {{ ref('mart_orders_enriched') }}
where order_date >= {{ dbt.dateadd('day', -30, as_of_date()) }}
  and order_date < {{ as_of_date() }}
  and not is_test_user
group by customer_segment
