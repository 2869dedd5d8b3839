import { describe, expect, it } from '@jest/globals';
import { jobsFromAirflowDag, runsPerMonth, scheduleOf, timesOfDay, type Job } from '../../../src/cost/schedule.js';

const DAG = `from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="dbt_nightly",
    schedule_interval="0 7 * * *",
    catchup=False,
) as dag:
    run = BashOperator(
        task_id="dbt_run",
        bash_command="dbt run --select tag:nightly --exclude tag:deprecated",
    )
    test = BashOperator(task_id="dbt_test", bash_command="dbt test -s tag:nightly")
`;

describe('schedule', () => {
  it('counts runs per month over a whole year', () => {
    expect(runsPerMonth('0 7 * * *')).toBe(30.42); // 365 / 12
    expect(runsPerMonth('@hourly')).toBe(730);
    expect(runsPerMonth('0 6 * * 1-5')).toBe(21.75); // 261 weekdays in 2026 / 12
    expect(runsPerMonth('0 0 1 * *')).toBe(1);
  });

  it('reads jobs and selectors out of an Airflow DAG without running it', () => {
    const jobs = jobsFromAirflowDag('airflow/dags/dbt_nightly.py', DAG);
    // `dbt test` builds nothing, so only the run is a job that materialises models.
    expect(jobs.map((j) => [j.name, j.cron, j.select, j.exclude, j.origin])).toEqual([
      ['dbt_nightly', '0 7 * * *', 'tag:nightly', 'tag:deprecated', { kind: 'airflow', file: 'airflow/dags/dbt_nightly.py', line: 11 }],
    ]);
    expect(jobsFromAirflowDag('x.py', 'with DAG("manual", schedule=None):\n  BashOperator(bash_command="dbt run")')).toEqual([]);
  });

  it('flags a model that asks for 06:00 when the nightly job runs it at 07:00', () => {
    const nightly: Job = { name: 'dbt_nightly', cron: '0 7 * * *', timezone: 'UTC', select: 'tag:nightly', origin: { kind: 'config' } };
    const node = { meta: {}, config: { meta: { schedule: { cron: '0 6 * * *' } } } };
    const schedule = scheduleOf(node, [nightly], () => true, null);
    expect(schedule.requested).toEqual({ cron: '0 6 * * *', source: 'config.meta.schedule' });
    expect(schedule.mismatch).toBe(true);
    expect(schedule.runs_per_month).toBe(30.42);
    expect(scheduleOf({ meta: { schedule: '0 7 * * *' }, config: { meta: {} } }, [nightly], () => true, null).mismatch).toBe(false);
    expect(scheduleOf(node, [nightly], () => false, null)).toMatchObject({ jobs: [], runs_per_month: 0, mismatch: false });
    expect(timesOfDay('30 6,18 * * *')).toEqual(['06:30', '18:30']);
  });
});
