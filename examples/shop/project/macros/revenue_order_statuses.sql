{#
  Order statuses that count as revenue: the goods have left the warehouse. Returned orders stay
  in gross revenue; their refunds are booked separately in raw.refunds.
#}
{% macro revenue_order_statuses() %}
    ('shipped', 'completed', 'returned')
{% endmacro %}
