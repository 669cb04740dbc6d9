"""A queue's depth from its approximate counters (what the DLQ alarms watch)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Depth:
    visible: int
    in_flight: int
    delayed: int
    role: str

    @property
    def total(self) -> int:
        return self.visible + self.in_flight + self.delayed


def depth(url: str) -> Depth:
    from herald.aws import client

    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    name = url.rsplit("/", 1)[-1]
    if "DeadLetter" in name:
        role = "dead letters"
    elif "Failure" in name:
        role = "failed stream records"
    else:
        role = "deliveries" if "RedrivePolicy" in attributes else "work"
    return Depth(
        visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
        in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        role=role,
    )
