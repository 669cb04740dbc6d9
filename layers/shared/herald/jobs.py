"""Every module that registers scheduler jobs (herald.domain.scheduler.register), imported in one place so
the scheduler function knows them all."""

from herald.domain import escalations, grafana_reminders, scheduler

_REGISTERED_BY = (escalations, grafana_reminders)

JOBS = scheduler.JOBS
