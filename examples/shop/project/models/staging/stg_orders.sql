with source as (

    select * from {{ source('raw', 'orders') }}

)

select
    order_id,
    customer_id,
    cast(order_date as date) as order_date,
    lower(status) as status,
    cast(order_amount as decimal(12, 2)) as order_amount,
    currency,
    sales_channel,
    lower(status) in {{ revenue_order_statuses() }} as is_revenue_order
from source
