"""The scheduler's tick on moto: every due timer runs once through the job of its kind; a failing job
keeps its timer, which runs again after its lease."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from herald.data import table_keys, timers
from herald.data.table import table
from herald.domain import scheduler
from herald.observability import metrics
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Template
from tests.conftest import reset_caches
from tests.support.tables import create_table_like_template

NOW = 1_800_000_000.0  # a fixed moment (2027-01-15T08:00:00Z), so hour buckets are known
LEASE = 300  # timers.claim's default lease


@pytest.fixture(scope="module")
def template() -> Template:
    return Template()


@pytest.fixture(scope="module")
def moto_account() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture(autouse=True)
def fresh_table(moto_account: None, template: Template, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A table like the template's, new for each test, on a moto account shared by the module."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    name = f"herald-Table-{uuid.uuid4().hex[:12]}"
    create_table_like_template(template, dynamodb, name)
    monkeypatch.setenv("TABLE_NAME", name)
    reset_caches()
    yield name
    dynamodb.delete_table(TableName=name)
    reset_caches()


@pytest.fixture(autouse=True)
def jobs() -> Iterator[dict[str, scheduler.Job]]:
    """The job registry; the kinds a test registers are removed after it (jobs registered on import stay)."""
    yield scheduler.JOBS
    for kind in [k for k in scheduler.JOBS if k.startswith("test-")]:
        del scheduler.JOBS[kind]


class Recorder:
    """A job that records each payload it is given; it raises while `failures` is above zero."""

    def __init__(self, failures: int = 0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.failures = failures
        self.lock = threading.Lock()

    def __call__(self, payload: dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(payload)
            if self.failures > 0:
                self.failures -= 1
                raise RuntimeError("job failed")


def register(recorder: scheduler.Job) -> str:
    kind = f"test-{uuid.uuid4().hex[:8]}"
    scheduler.register(kind)(recorder)
    return kind


def timer_item(timer_id: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = table().get_item(Key=table_keys.timer(timer_id), ConsistentRead=True).get("Item")
    return item


def test_tick_runs_only_the_due_timer_once(jobs: dict[str, scheduler.Job]) -> None:
    # Given a job kind, one timer due a minute ago and one due in ten minutes
    job = Recorder()
    kind = register(job)
    assert jobs[kind] is job
    timers.schedule("due-1", kind, NOW - 60, {"n": 1, "what": "due"})
    timers.schedule("later-1", kind, NOW + 600, {"n": 2, "what": "later"})

    # When the scheduler ticks now
    counts = scheduler.tick(NOW)

    # Then only the due timer ran, with its payload, and it is gone; the later one is kept
    assert counts == {"ran": 1, "failed": 0, "unknown": 0}
    assert job.calls == [{"n": 1, "what": "due"}]
    assert timer_item("due-1") is None
    assert timer_item("later-1") is not None

    # When it ticks again at the same moment, Then nothing runs again
    assert scheduler.tick(NOW) == {"ran": 0, "failed": 0, "unknown": 0}
    assert len(job.calls) == 1

    # When the later timer falls due, Then it runs, once
    assert scheduler.tick(NOW + 601)["ran"] == 1
    assert scheduler.tick(NOW + 602)["ran"] == 0
    assert [c["what"] for c in job.calls] == ["due", "later"]


def test_timer_due_exactly_now_runs_and_one_a_millisecond_later_does_not() -> None:
    job = Recorder()
    kind = register(job)
    timers.schedule("edge-now", kind, NOW, {"t": "now"})
    timers.schedule("edge-later", kind, NOW + 0.001, {"t": "later"})
    assert scheduler.tick(NOW)["ran"] == 1
    assert job.calls == [{"t": "now"}]


def test_timer_due_in_an_earlier_hour_still_runs() -> None:
    # Given a timer that fell due just before the hour turned (another due-hour bucket), and the first tick
    # after the turn
    job = Recorder()
    kind = register(job)
    hour_start = NOW - NOW % 3600
    timers.schedule("before-the-hour", kind, hour_start - 1, {"late": True})
    timers.schedule("hour-and-a-half-ago", kind, hour_start - 5400, {"late": True})

    # When the scheduler ticks a little after the hour, Then both are found and run
    assert scheduler.tick(hour_start + 30)["ran"] == 2
    assert len(job.calls) == 2


def test_many_due_timers_each_run_once() -> None:
    job = Recorder()
    kind = register(job)
    for n in range(25):
        timers.schedule(f"bulk-{n:02d}", kind, NOW - n, {"n": n})
    assert scheduler.tick(NOW)["ran"] == 25
    assert sorted(c["n"] for c in job.calls) == list(range(25))
    assert scheduler.tick(NOW + 1)["ran"] == 0


def test_failing_job_keeps_its_timer_for_a_tick_after_the_lease() -> None:
    # Given a job that fails the first time
    job = Recorder(failures=1)
    kind = register(job)
    timers.schedule("flaky-1", kind, NOW - 5, {"attempt": "any"})

    # When the scheduler ticks
    counts = scheduler.tick(NOW)

    # Then the failure is counted and the timer is kept, leased
    assert counts == {"ran": 0, "failed": 1, "unknown": 0}
    item = timer_item("flaky-1")
    assert item is not None
    assert float(item["claimedUntil"]) == pytest.approx(NOW + LEASE)

    # When it ticks again inside the lease, Then the job is not run again
    assert scheduler.tick(NOW + 60) == {"ran": 0, "failed": 0, "unknown": 0}
    assert len(job.calls) == 1

    # When the lease has passed, Then it runs again, succeeds, and the timer is gone
    assert scheduler.tick(NOW + LEASE + 1) == {"ran": 1, "failed": 0, "unknown": 0}
    assert len(job.calls) == 2
    assert timer_item("flaky-1") is None


def test_a_failing_job_does_not_stop_the_others() -> None:
    # Given two due timers, one of a failing kind
    bad, good = Recorder(failures=99), Recorder()
    bad_kind, good_kind = register(bad), register(good)
    timers.schedule("bad-1", bad_kind, NOW - 20, {})
    timers.schedule("good-1", good_kind, NOW - 10, {})

    # When the scheduler ticks, Then the good one ran and the bad one waits for its retry
    assert scheduler.tick(NOW) == {"ran": 1, "failed": 1, "unknown": 0}
    assert timer_item("good-1") is None
    assert timer_item("bad-1") is not None


def test_unknown_kind_is_counted_and_kept() -> None:
    # Given a due timer whose kind no job handles
    timers.schedule("orphan-1", "no-such-kind", NOW - 1, {})

    # When the scheduler ticks, Then it is counted as unknown, not claimed, not deleted
    assert scheduler.tick(NOW) == {"ran": 0, "failed": 0, "unknown": 1}
    item = timer_item("orphan-1")
    assert item is not None and "claimedUntil" not in item


def test_rescheduling_a_timer_replaces_it() -> None:
    # Given a timer moved later before it fell due
    job = Recorder()
    kind = register(job)
    timers.schedule("moved-1", kind, NOW - 1, {"v": 1})
    timers.schedule("moved-1", kind, NOW + 3600, {"v": 2})

    # Then it does not run at the old time, and runs with the new payload at the new one
    assert scheduler.tick(NOW)["ran"] == 0
    assert scheduler.tick(NOW + 3600)["ran"] == 1
    assert job.calls == [{"v": 2}]


def test_claim_lets_exactly_one_of_racing_callers_through(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given every AWS request atomic, as DynamoDB makes each conditional write (in-process moto has no lock)
    lock = threading.RLock()
    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
    timers.schedule("race-1", "any", NOW - 1, {})
    barrier = threading.Barrier(8)
    results: list[bool] = []

    def claim() -> None:
        barrier.wait()
        results.append(timers.claim("race-1", NOW))

    # When eight schedulers claim the same timer at once
    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then exactly one got it
    assert sorted(results) == [False] * 7 + [True]


def test_claim_of_a_deleted_timer_fails() -> None:
    timers.schedule("gone-1", "any", NOW - 1, {})
    timers.done("gone-1")
    assert timers.claim("gone-1", NOW) is False
    assert timer_item("gone-1") is None  # the claim did not recreate it


def test_scheduler_function_runs_due_timers(template: Template) -> None:
    # Given a job and a timer due a moment ago (the function ticks at the real time)
    job = Recorder()
    kind = register(job)
    timers.schedule("fn-1", kind, time.time() - 1, {"via": "function"})
    handler = load_instance(template.functions()["SchedulerFunction"])
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2027-01-15T08:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/herald-scheduler"],
        "detail": {},
    }

    # When EventBridge invokes the scheduler function
    counts = handler(event, LambdaContext(template.functions()["SchedulerFunction"]))

    # Then the timer's job ran once and the function reports it
    assert counts["ran"] == 1 and counts["failed"] == 0
    assert job.calls == [{"via": "function"}]
    assert timer_item("fn-1") is None


# --- timers found however late (issue 13, defect 2) ----------------------------------------------


def test_a_timer_hours_overdue_after_an_outage_still_runs_and_counts_as_overdue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a scheduler that ticked at NOW, and a timer due a minute later
    reported: list[dict[str, Any]] = []
    monkeypatch.setattr(metrics, "add_metric", lambda **metric: reported.append(metric))
    job = Recorder()
    kind = register(job)
    assert scheduler.tick(NOW)["ran"] == 0
    timers.schedule("late-1", kind, NOW + 60, {"late": True})

    # When the scheduler is down for five hours and then ticks
    counts = scheduler.tick(NOW + 5 * 3600)

    # Then the timer runs (once), is counted overdue (the metric the alarm watches), and is removed
    assert counts == {"ran": 1, "failed": 0, "unknown": 0}
    assert reported[-1] == {"name": "OverdueTimers", "unit": "Count", "value": 1}
    assert job.calls == [{"late": True}] and timer_item("late-1") is None
    assert scheduler.tick(NOW + 5 * 3600 + 60)["ran"] == 0


def test_the_first_tick_finds_timers_days_overdue() -> None:
    # Given no checkpoint yet (a new deployment) and a timer three days overdue
    job = Recorder()
    kind = register(job)
    timers.schedule("days-1", kind, NOW - 3 * 86400, {})

    # When the scheduler ticks, Then it runs
    assert scheduler.tick(NOW)["ran"] == 1


def test_the_checkpoint_waits_at_a_failing_timer_and_moves_on_once_it_ran() -> None:
    # Given a timer whose job fails once, found six hours late
    job = Recorder(failures=1)
    kind = register(job)
    assert scheduler.tick(NOW - 6 * 3600 - 60)["ran"] == 0
    timers.schedule("stuck-1", kind, NOW - 6 * 3600, {})
    assert scheduler.tick(NOW)["failed"] == 1

    # Then the checkpoint stays at its hour, so the next tick after the lease finds it again
    assert timers.checkpoint(NOW) == table_keys.due_hour(NOW - 6 * 3600)
    assert scheduler.tick(NOW + LEASE + 1)["ran"] == 1

    # And once it ran, the checkpoint moves to now's hour
    assert timers.checkpoint(NOW) == table_keys.due_hour(NOW + LEASE + 1)


def test_a_timer_scheduled_into_an_hour_already_passed_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a scheduler that has moved its checkpoint two hours past NOW
    from herald import clock

    job = Recorder()
    kind = register(job)
    scheduler.tick(NOW + 2 * 3600)
    monkeypatch.setattr(clock, "epoch", lambda: NOW + 2 * 3600)

    # When a timer is scheduled for NOW (a replay whose failure time is in the past)
    timers.schedule("past-1", kind, NOW, {})

    # Then the next tick finds it
    assert scheduler.tick(NOW + 2 * 3600 + 60)["ran"] == 1


def test_every_timer_expires_a_week_after_it_falls_due() -> None:
    timers.schedule("ttl-1", "any", NOW, {})
    item = timer_item("ttl-1")
    assert item is not None and int(item["ttl"]) == int(NOW) + 7 * 86400


def test_a_job_that_schedules_its_own_timer_again_keeps_the_new_one() -> None:
    # Given a job that, when run, moves its own timer an hour later (as an escalation's wait restarted)
    runs: list[float] = []

    def again(payload: dict[str, Any]) -> None:
        runs.append(NOW)
        if len(runs) == 1:
            timers.schedule("self-1", kind, NOW + 3600, {})

    kind = register(again)
    timers.schedule("self-1", kind, NOW - 1, {})

    # When it runs, Then the rescheduled timer is kept and runs an hour later
    assert scheduler.tick(NOW)["ran"] == 1
    assert timer_item("self-1") is not None
    assert scheduler.tick(NOW + 3600)["ran"] == 1 and len(runs) == 2
