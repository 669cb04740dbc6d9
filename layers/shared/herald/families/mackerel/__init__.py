"""Mackerel notification channels and groups (/api/v0/channels, /api/v0/notification-groups)."""
