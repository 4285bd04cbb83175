"""Report jobs are added by the reports issue; this app holds dashboards and reports."""
