-- Customer lifetime value: all-time revenue per customer and the High/Low split that Finance
-- and Growth dashboards filter on.
with customers as (

    {{ customers_excluding_test_users() }}

),

revenue_orders as (

    select * from {{ ref('int_orders_net') }}
    where is_revenue_order

),

customer_orders as (

    select
        customer_id,
        sum(order_amount) as total_revenue,
        count(distinct order_id) as orders_count,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from revenue_orders
    group by customer_id

)

select
    customers.customer_id,
    customers.country_code,
    cast(coalesce(customer_orders.total_revenue, 0) as decimal(18, 2)) as total_revenue,
    cast(coalesce(customer_orders.orders_count, 0) as integer) as orders_count,
    customer_orders.first_order_date,
    customer_orders.last_order_date,
    case
        when coalesce(customer_orders.total_revenue, 0) >= {{ var('high_value_threshold') }} then 'High'
        else 'Low'
    end as cltv_segment
from customers
left join customer_orders
    on customers.customer_id = customer_orders.customer_id
