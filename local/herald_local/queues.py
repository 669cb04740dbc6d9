"""Whether a queue has a message to receive, asked inside the emulator's process.

An idle queue poller used to call ReceiveMessage every second or so: about 10 ms of CPU each (botocore
and moto's serialiser), times one poller per queue, on the single core the whole stack shares. The poller
now asks here first (a look at moto's queue under the SQS lock, microseconds) and calls ReceiveMessage
only when a message is visible: a message whose delay or visibility timeout has run out (a retry) is
then found within the poller's base interval, as a long poll would find it on SQS.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from moto.sqs.models import sqs_backends


class QueueView:
    def __init__(self, queue_arn: str, lock: Callable[[], AbstractContextManager[None]]) -> None:
        # arn:aws:sqs:REGION:ACCOUNT:NAME
        _, _, _, self.region, self.account, self.name = queue_arn.split(":", 5)
        self.lock = lock

    def has_visible(self) -> bool:
        with self.lock():
            queue = sqs_backends[self.account][self.region].queues.get(self.name)
            # A missing queue answers True: ReceiveMessage then reports it as SQS would.
            return queue is None or bool(queue.messages)
