-- Refunds rolled up to one row per order, so joining them to orders never fans out.
select
    order_id,
    sum(refund_amount) as refund_amount,
    count(*) as refunds_count,
    max(refund_date) as last_refund_date
from {{ ref('stg_refunds') }}
group by order_id
