"""What happens to a notification, in one folder.

- contract.py: every delivery kind, declared once (sender, address fields, pacing, queue).
- step.py: the delivery step. One read of the destination's state → send, hold or fail; claim, send, record.
- next_step.py: the pure rule that turns an outcome, the attempts and the receives into the next step.
- retries.py: the retry policy (attempts per message, backoff, horizon) read from the settings.
- pacing.py, breaker.py: per-destination pacing, and the circuit breaker (its held deliveries: data/held.py).
- enqueue.py: the one way onto the queues (fan-out, reminders, escalation steps, replays, redrive).
- stops.py: why a planned delivery must not be sent any more (acknowledged, stale trigger).
- replay.py: stored events routed again, dead-letter redrive, and the scheduled retries past the queue.
- sweeper.py: pending deliveries with no way forward are found, re-queued or failed with a reason.
"""
