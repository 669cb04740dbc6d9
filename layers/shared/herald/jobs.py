"""Every module that registers scheduler jobs (herald.domain.scheduler.register), imported in one place so
the scheduler function knows them all."""

from herald.domain import replay as _replay
from herald.domain import scheduler
from herald.families.grafana import reminders as grafana_reminders
from herald.families.oncall import escalations

_REGISTERED_BY = (escalations, grafana_reminders, _replay)

JOBS = scheduler.JOBS
