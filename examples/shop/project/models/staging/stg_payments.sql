select
    payment_id,
    order_id,
    cast(payment_date as date) as payment_date,
    payment_method,
    lower(status) as payment_status,
    cast(amount as decimal(12, 2)) as payment_amount
from {{ source('raw', 'payments') }}
