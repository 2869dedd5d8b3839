-- One row per order with its refunds: the grain every revenue mart starts from.
with orders as (

    select * from {{ ref('stg_orders') }}

),

refunds as (

    select * from {{ ref('int_order_refunds') }}

)

select
    {{ dbt_utils.generate_surrogate_key(['orders.customer_id', 'orders.order_id']) }} as customer_order_key,
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    orders.is_revenue_order,
    orders.order_amount,
    coalesce(refunds.refund_amount, 0) as refund_amount,
    orders.order_amount - coalesce(refunds.refund_amount, 0) as net_amount,
    orders.sales_channel
from orders
left join refunds
    on orders.order_id = refunds.order_id
