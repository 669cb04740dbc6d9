"""Every module that registers scheduler jobs (herald.domain.scheduler.register), imported in one place so
the scheduler function knows them all."""

from herald.domain import escalations, grafana_reminders, scheduler
from herald.domain import replay as _replay

_REGISTERED_BY = (escalations, grafana_reminders, _replay)

JOBS = scheduler.JOBS
