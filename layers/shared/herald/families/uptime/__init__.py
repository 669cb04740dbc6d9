"""Uptime alerts (/v1/alerts): the uptime monitor's alerts API; cooldowns.py holds the per-monitor windows."""
