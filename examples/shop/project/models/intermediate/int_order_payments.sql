-- Settled payments per order; failed attempts are dropped.
select
    order_id,
    sum(case when payment_status = 'success' then payment_amount else 0 end) as paid_amount,
    count(*) as payment_attempts,
    max(payment_method) as payment_method
from {{ ref('stg_payments') }}
group by order_id
