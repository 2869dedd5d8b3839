-- Fulfilled orders of real customers with the customer attributes reports slice by.
-- Replaces ad-hoc joins of raw orders and raw customers in BI queries.
with orders as (

    select * from {{ ref('stg_orders') }}
    where status in ('completed', 'shipped')

),

customers as (

    {{ customers_excluding_test_users() }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    orders.order_amount,
    orders.sales_channel,
    customers.customer_segment,
    customers.country_code,
    customers.marketing_channel,
    customers.is_test_user
from orders
inner join customers
    on orders.customer_id = customers.customer_id
