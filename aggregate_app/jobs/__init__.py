"""The control tier's scheduled jobs, as plain functions (aggregate_app.tasks wraps them for
Celery; tests call them directly). Each is idempotent: a rerun in the same window records
nothing new and sends no second alert.

- smoke.run_scheduled_smoke: API and UI contracts every 6 h, stored, alert on failure / recovery.
- costs.refresh_cost_anomalies: hourly fan-out of /api/costs/anomalies, anomaly records, alerts.
- The exception expiry sweep is governance_app.tasks.expire_exceptions (governance_app.actions).
"""
