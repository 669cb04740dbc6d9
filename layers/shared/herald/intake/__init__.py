"""Intake from the tools teams already run: Alertmanager/Grafana webhooks, PagerDuty Events v2."""
