"""Grafana OnCall personal notification rules and users (/api/v1/...); escalations.py runs the rules' steps."""
