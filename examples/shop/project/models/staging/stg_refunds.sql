select
    refund_id,
    order_id,
    cast(refund_date as date) as refund_date,
    cast(refund_amount as decimal(12, 2)) as refund_amount,
    reason as refund_reason
from {{ source('raw', 'refunds') }}
