"""Writes for reports: report jobs (asking, building, sweeping, expiring)."""
