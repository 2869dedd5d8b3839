-- Daily bookings and cash for Finance; independent of customer segmentation.
with orders as (

    select * from {{ ref('int_orders_net') }}

),

payments as (

    select * from {{ ref('int_order_payments') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

customers as (

    {{ customers_excluding_test_users() }}

)

select
    orders.order_date,
    countries.region,
    count(*) as orders,
    sum(case when orders.is_revenue_order then orders.order_amount else 0 end) as gross_revenue,
    sum(case when orders.is_revenue_order then orders.net_amount else 0 end) as net_revenue,
    sum(coalesce(payments.paid_amount, 0)) as cash_collected
from orders
inner join customers
    on orders.customer_id = customers.customer_id
left join countries
    on customers.country_code = countries.country_code
left join payments
    on orders.order_id = payments.order_id
group by 1, 2
