"""Grafana legacy alert notification channels (/api/alert-notifications); notifiers.py holds each notifier type's
settings, reminders.py and incidents.py the reminders of open incidents."""
