"""Issue #20's targets table: every row, the "today" figure beside the goal and this run's measurement.

Each row is answered by a Target that the section measuring it appends with `row=<key>`; the first such
Target wins. A row no section answered is listed as not measured, with the section that should have.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.report import Section, Table, Target


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    today: str  # the figure when issue #20 was filed
    goal: str
    section: int  # the section that measures it


ISSUE_20 = (
    Row(
        "writes_per_notification",
        "DynamoDB writes per delivered notification (happy path, event write amortised)",
        "3 + 1/k",
        "≤ 2 + 1/k",
        3,
    ),
    Row("delivery_record_size", "Delivery record size", "copies the event", "≤ 1 KB (1 write unit)", 3),
    Row(
        "cost_on_demand",
        "Cost per million webhook notifications, on-demand",
        "$4.16 (k=1), $2.33 (k=20)",
        "≤ $3.50 (k=1), ≤ $1.60 (k=20)",
        6,
    ),
    Row(
        "cost_provisioned",
        "Cost per million, DynamoDB provisioned at 70% utilisation",
        "not reported",
        "≤ $1.00 at k=20; break-even traffic stated",
        6,
    ),
    Row("cold_start", "Cold start p50, every function, vs the bare baseline", "1.7–2.2×", "≤ 1.3×", 2),
    Row("layer_size", "Shared layer, unzipped, without tracing", "33 MiB", "≤ 12 MiB", 2),
    Row(
        "fanout_10000",
        "Fan-out of one event to 10,000 destinations",
        "sequential, times out near a few thousand",
        "within one invocation's budget, or in paged jobs",
        3,
    ),
    Row(
        "webhooks_batch",
        "10 webhooks of one SQS batch vs one request's latency",
        "2.69× (Apprise 2.14×)",
        "≤ 1.5×, and ahead of Apprise",
        4,
    ),
    Row("local_rate", "Local stack, sustained delivered events/s, zero loss", "8.6", "≥ 30", 5),
    Row("local_p50", "Local stack, end-to-end p50 latency", "599 ms", "≤ 300 ms", 5),
)


def answers(done: list[Section]) -> dict[str, Target]:
    found: dict[str, Target] = {}
    for section in done:
        for target in section.targets:
            if target.row and target.row not in found:
                found[target.row] = target
    return found


def answered(done: list[Section], key: str) -> bool:
    return key in answers(done)


def table(done: list[Section]) -> Table:
    ran = {s.number: s for s in done}
    found = answers(done)
    result = Table(["target", "today", "goal", "this run", "verdict", "why not met, and where the floor is"])
    for row in ISSUE_20:
        target = found.get(row.key)
        if target is None:
            section = ran.get(row.section)
            why = (
                f"section {row.section} did not run"
                if section is None
                else f"section {row.section} raised: {section.error}"
                if section.error
                else f"section {row.section} does not measure it yet"
            )
            result.add(row.name, row.today, row.goal, "—", "**not measured**", why)
            continue
        result.add(
            row.name,
            row.today,
            row.goal,
            target.measured,
            f"**{target.verdict}**",
            target.why if target.met is not True else "",
        )
    return result
