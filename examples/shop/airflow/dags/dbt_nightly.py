"""Nightly dbt run of the shop project: every model tagged `nightly`, then its tests."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

DBT_DIR = "/opt/dbt/shop/project"

default_args = {
    "owner": "data-platform",
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="dbt_nightly",
    description="Builds and tests the nightly dbt models after the EL sync has landed raw data.",
    schedule_interval="0 7 * * *",
    start_date=datetime(2024, 11, 1),
    catchup=False,
    default_args=default_args,
    tags=["dbt", "nightly"],
) as dag:
    source_freshness = BashOperator(
        task_id="dbt_source_freshness",
        bash_command=f"cd {DBT_DIR} && dbt source freshness --select source:raw",
    )

    dbt_run = BashOperator(
        task_id="dbt_run",
        bash_command=(
            f"cd {DBT_DIR} && dbt run --select tag:nightly "
            "--vars '{as_of_date: \"{{ ds }}\"}'"
        ),
    )

    dbt_test = BashOperator(
        task_id="dbt_test",
        bash_command=(
            f"cd {DBT_DIR} && dbt test --select tag:nightly "
            "--vars '{as_of_date: \"{{ ds }}\"}'"
        ),
    )

    source_freshness >> dbt_run >> dbt_test
