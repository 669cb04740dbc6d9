"""Every module that registers scheduler jobs (herald.domain.scheduler.register), imported in one place so
the scheduler function knows them all."""

from herald.domain import scheduler

JOBS = scheduler.JOBS
