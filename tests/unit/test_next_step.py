"""The pure rule after a send (herald/delivery/next_step.py): no moto, no clock, no AWS."""

from __future__ import annotations

import pytest

from herald.delivery.next_step import Step, hold_step, next_step
from herald.delivery.retries import RetryPolicy
from herald.senders.base import Outcome

POLICY = RetryPolicy(max_attempts=4, base_seconds=10, cap_seconds=300, horizon_seconds=3600, max_receives=100)
DOWN = Outcome.retry("HTTP 503: down")


def test_delivered_and_permanent_failures_end_the_delivery() -> None:
    assert next_step(Outcome.delivered("HTTP 200"), 1, 1, 0, POLICY, 0.5) == Step("delivered", reason="HTTP 200")
    assert next_step(Outcome.failed("HTTP 404: gone"), 3, 9, 10, POLICY, 0.5) == Step("failed", reason="HTTP 404: gone")


@pytest.mark.parametrize(("attempts", "low", "high"), [(1, 5, 10), (2, 10, 20), (3, 20, 40)])
def test_a_transient_failure_retries_on_the_same_message_with_growing_backoff(
    attempts: int, low: int, high: int
) -> None:
    assert next_step(DOWN, attempts, attempts, 60, POLICY, 0.0) == Step("retry", low, "HTTP 503: down")
    assert next_step(DOWN, attempts, attempts, 60, POLICY, 1.0) == Step("retry", high, "HTTP 503: down")


def test_when_a_messages_attempts_are_spent_the_delivery_is_rescheduled_not_dead_lettered() -> None:
    # the 4th send of a message (max_attempts 4), and the 8th: a fresh message carries on, backoff still growing
    assert next_step(DOWN, 4, 4, 100, POLICY, 1.0) == Step("reschedule", 80, "HTTP 503: down")
    assert next_step(DOWN, 8, 4, 1000, POLICY, 1.0) == Step("reschedule", 300, "HTTP 503: down")  # capped
    assert next_step(DOWN, 5, 1, 1000, POLICY, 1.0).action == "retry"


def test_receives_do_not_count_as_attempts_but_a_message_near_the_receive_limit_is_replaced() -> None:
    # 60 receives (holds, crashes) but only two sends: still a plain retry
    assert next_step(DOWN, 2, 60, 100, POLICY, 1.0).action == "retry"
    # one receive before SQS's maxReceiveCount: a fresh message instead of SQS's dead-letter move
    assert next_step(DOWN, 2, 99, 100, POLICY, 1.0).action == "reschedule"


def test_the_retry_horizon_ends_the_retries_with_the_last_error() -> None:
    step = next_step(DOWN, 57, 3, 3600, POLICY, 1.0)
    assert step == Step("give_up", reason="gave up after 57 attempts over 1.0 h: HTTP 503: down")
    # the last retry lands on the horizon, not past it
    assert next_step(DOWN, 21, 1, 3590, POLICY, 1.0) == Step("retry", 10, "HTTP 503: down")


def test_retry_after_is_honoured_and_capped() -> None:
    assert next_step(Outcome.retry("HTTP 429", 7.2), 1, 1, 0, POLICY, 0.0).delay == 8
    assert next_step(Outcome.retry("HTTP 429", 7200), 1, 1, 0, POLICY, 0.0).delay == 300


def test_holds_spend_no_attempt_and_move_to_a_fresh_message_near_the_receive_limit() -> None:
    assert hold_step(4.2, 3, POLICY) == Step("retry", 5, "held")
    assert hold_step(0.1, 3, POLICY) == Step("retry", 1, "held")
    assert hold_step(30, 99, POLICY) == Step("reschedule", 30, "held")
