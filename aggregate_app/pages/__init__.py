"""The ops pages: server-rendered views over the aggregate API (Overview, Incidents, Triage,
Costs, Governance, Policy, Diagnostics). Every view's state lives in the query string."""
