-- Activity per CLTV segment for the retention dashboard.
with customers as (

    select * from {{ ref('mart_customer_revenue') }}

),

activity as (

    select * from {{ ref('int_customer_activity') }}

)

select
    customers.cltv_segment,
    count(*) as customers,
    sum(case when coalesce(activity.orders_last_90d, 0) > 0 then 1 else 0 end) as active_customers_90d,
    sum(customers.orders_count) as orders,
    round(avg(activity.days_since_last_order), 1) as avg_days_since_last_order
from customers
left join activity
    on customers.customer_id = activity.customer_id
group by customers.cltv_segment
