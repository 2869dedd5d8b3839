{# The project's "today" as a SQL date literal (see the as_of_date var in dbt_project.yml). #}
{% macro as_of_date() %}
    cast('{{ var("as_of_date") }}' as date)
{% endmacro %}
