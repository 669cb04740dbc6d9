"""Writes template.yaml's per-kind blocks from the channel contract, so each block is written once.

A block sits between two marker comments, at the indentation of the first:

    # >>> per kind: queues (`make template` writes this block)
    ...
    # <<< per kind: queues

and is replaced by its pattern (below) written once per delivery kind of `herald.delivery.contract`, in the
contract's order. A new kind is one line in the contract and `make template`; the unit tests fail while the
template is not regenerated (`python -m herald_local.template_gen check`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from herald.delivery.contract import CHANNELS, Channel
from herald_local.template import TEMPLATE


def _alarm(name: str, description: str, metric: str, watched: str, periods: int, threshold: int) -> str:
    """A per-kind alarm on one of the kind's queues; {queue} and {kind} are left for `block` to fill."""
    return f"""\
{{queue}}{name}:
  Type: AWS::CloudWatch::Alarm
  Properties:
    AlarmDescription: {description}
    Namespace: AWS/SQS
    MetricName: {metric}
    Dimensions:
      - Name: QueueName
        Value: !GetAtt {{queue}}{watched}.QueueName
    Statistic: Maximum
    Period: 60
    EvaluationPeriods: {periods}
    Threshold: {threshold}
    ComparisonOperator: GreaterThanThreshold
    TreatMissingData: notBreaching
    AlarmActions:
      - !Ref AlarmTopic
    OKActions:
      - !Ref AlarmTopic

"""


# Each pattern is written at indentation 0; {queue} is the kind's logical-name prefix, {kind} its name.
PATTERNS: dict[str, str] = {
    "queues": """\
{queue}DeadLetterQueue:
  Type: AWS::SQS::Queue
  Properties:
    MessageRetentionPeriod: 1209600
    KmsMasterKeyId: alias/aws/sqs

{queue}Queue:
  Type: AWS::SQS::Queue
  Properties:
    VisibilityTimeout: 180
    MessageRetentionPeriod: 345600
    KmsMasterKeyId: alias/aws/sqs
    RedrivePolicy:
      deadLetterTargetArn: !GetAtt {queue}DeadLetterQueue.Arn
      maxReceiveCount: !Ref MaxReceives

"""
    + _alarm(
        "DeadLetterAlarm",
        "{kind} deliveries are in the dead-letter queue (redrive with `herald deliveries redrive`)",
        "ApproximateNumberOfMessagesVisible",
        "DeadLetterQueue",
        periods=1,
        threshold=0,
    ),
    "queue-age-alarms": _alarm(
        "QueueAgeAlarm",
        "the oldest {kind} delivery has waited on its queue for more than 15 minutes",
        "ApproximateAgeOfOldestMessage",
        "Queue",
        periods=5,
        threshold=900,
    ),
    "queue-urls": "{queue_env}: !Ref {queue}Queue\n",
    "send-policies": """\
- SQSSendMessagePolicy:
    QueueName: !GetAtt {queue}Queue.QueueName
""",
    "send-and-dead-letter-policies": """\
- SQSSendMessagePolicy:
    QueueName: !GetAtt {queue}Queue.QueueName
- SQSSendMessagePolicy:
    QueueName: !GetAtt {queue}DeadLetterQueue.QueueName
""",
    "queue-events": """\
{queue}Queue:
  Type: SQS
  Properties:
    Queue: !GetAtt {queue}Queue.Arn
    BatchSize: 10
    MaximumBatchingWindowInSeconds: 1
    FunctionResponseTypes:
      - ReportBatchItemFailures
    ScalingConfig:
      MaximumConcurrency: !Ref DeliveryMaximumConcurrency
""",
}

_BLOCK = re.compile(
    r"^(?P<indent>[ ]*)# >>> per kind: (?P<name>[\w-]+)(?P<note>[^\n]*)\n"
    r"(?P<body>.*?)"
    r"^(?P=indent)# <<< per kind: (?P=name)\n",
    re.MULTILINE | re.DOTALL,
)


def block(name: str, indent: str, channels: Iterable[Channel]) -> str:
    pattern = PATTERNS[name]
    text = "".join(pattern.format(queue=c.queue, kind=c.kind, queue_env=c.queue_env) for c in channels)
    text = text.rstrip("\n") + "\n"
    return "".join(indent + line if line.strip() else "\n" for line in text.splitlines(keepends=True))


def generate(source: str, channels: Iterable[Channel] = CHANNELS.values()) -> str:
    """The template with every per-kind block written again; unknown block names are an error."""
    kinds = list(channels)

    def write(match: re.Match[str]) -> str:
        name, indent = match["name"], match["indent"]
        if name not in PATTERNS:
            raise ValueError(f"template.yaml names an unknown per-kind block {name!r}")
        return (
            f"{indent}# >>> per kind: {name}{match['note']}\n"
            f"{block(name, indent, kinds)}"
            f"{indent}# <<< per kind: {name}\n"
        )

    return _BLOCK.sub(write, source)


def main(argv: list[str], path: Path = TEMPLATE) -> int:
    command = argv[0] if argv else "check"
    current = path.read_text()
    wanted = generate(current)
    if command == "write":
        if wanted != current:
            path.write_text(wanted)
        return 0
    if command == "check":
        if wanted != current:
            print(f"{path.name} is out of date with the channel contract: run `make template`", file=sys.stderr)
            return 1
        return 0
    print("usage: python -m herald_local.template_gen [write|check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
