"""OnCall escalations: each paged user's rule chain runs step by step.

One item per (event, user) in the event's partition holds the steps, a cursor and a version. Every change
is a write conditioned on the version it was computed from, so a step is decided exactly once and an
acknowledgement (or a recovery with the same dedupKey) that wins the race leaves nothing to send:

- a notify step moves the cursor and writes its delivery record in ONE transaction, conditioned on the
  escalation still being `active` at the version read; the SQS message follows through the one enqueue
  path (herald.delivery.enqueue), mobile push included, and is sent again by the next run if the process
  died in between (the delivery's lease makes the duplicate harmless). The delivery step asks
  herald.delivery.stops before each send, so a step queued before an acknowledgement is skipped, not sent;
- a `wait` step schedules a timer (herald.data.timers) for its end, then records it; the scheduler runs
  the next step then, so no Lambda waits;
- a stop first marks the event (`stoppedAt`), then cancels every active escalation of the event; starting
  an escalation is a transaction that checks the event is not stopped, so no escalation can start after.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from herald import clock
from herald.data import events as events_repo
from herald.data import table_keys, timers
from herald.data.concurrency import WriteConflict
from herald.delivery import enqueue
from herald.domain import scheduler
from herald.errors import CapReached, NotFound
from herald.events import StoredEvent
from herald.families.oncall import store as repo
from herald.families.oncall.store import UserRecord
from herald.models.events import Escalation, EscalationStep
from herald.observability import logger
from herald.routing.plan import PlannedDelivery

JOB_KIND = "oncall_escalation"
MAX_LOOPS = 500
FAMILY = "oncall"


def _iso(epoch: float) -> str:
    return clock.iso(datetime.fromtimestamp(epoch, UTC))


def timer_id(event_id: str, user_id: str, index: int) -> str:
    return f"oncall-{event_id}-{user_id}-{index}"


# ---------------------------------------------------------------- where a step goes


def contact(user: UserRecord, rule_type: str) -> tuple[str, dict[str, str], dict[str, str]] | str:
    """(kind, config, sealed) of a notify step, or why it cannot be sent."""
    phone = user.config.get("phoneNumber", "")
    sealed = user.sealed
    if rule_type == "notify_by_email":
        return ("email", {"email": user.email}, {})
    if rule_type in ("notify_by_sms", "notify_by_phone_call"):
        if not phone:
            return "the user has no phone number"
        return ("sms" if rule_type == "notify_by_sms" else "voice", {"phoneNumber": phone}, {})
    if rule_type == "notify_by_slack":
        if "slackWebhookUrl" not in sealed:
            return "the user has no Slack webhook"
        return ("slack", {}, {"webhookUrl": sealed["slackWebhookUrl"]})
    if rule_type == "notify_by_telegram":
        if not user.config.get("telegramChatId"):
            return "the user has no Telegram chat id"
        if "telegramToken" not in sealed:
            return "the user has no Telegram bot token"
        return ("telegram", {"chatId": user.config["telegramChatId"]}, {"token": sealed["telegramToken"]})
    if rule_type == "notify_by_webhook":
        if "webhookUrl" not in sealed:
            return "the user has no webhook"
        return ("webhook", {}, {"url": sealed["webhookUrl"]})
    if rule_type == "notify_by_msteams":
        if "teamsUrl" not in sealed:
            return "the user has no Microsoft Teams webhook"
        return ("teams", {}, {"url": sealed["teamsUrl"]})
    if rule_type in ("notify_by_mobile_app", "notify_by_mobile_app_critical"):
        if not user.config.get("pushEndpointArn"):
            return "the user has no mobile app (no SNS mobile push endpoint)"
        return (
            "push",
            {"endpointArn": user.config["pushEndpointArn"], "critical": str(rule_type.endswith("critical"))},
            {},
        )
    return f"unknown rule type {rule_type}"


# ---------------------------------------------------------------- starting


def start(event: StoredEvent) -> None:
    """Pages every user the event names (idempotent: a replayed stream record resumes, never restarts)."""
    targets = event.targets or {}
    user_ids = list(dict.fromkeys(str(u) for u in (targets.get("userIds") or [])))
    if event.status != "triggered" or not user_ids:
        return
    important = bool(targets.get("important"))
    dedup_key = event.dedup_key
    created_at = event.created_at or clock.iso()
    for user_id in user_ids:
        if repo.get_escalation(event.id, user_id) is None:
            _create(event, user_id, important, dedup_key, created_at)
        advance(event.id, user_id)


def _create(event: StoredEvent, user_id: str, important: bool, dedup_key: str | None, created_at: str) -> None:
    now = clock.iso()
    user = repo.get_user(event.org_id, user_id)
    chain = repo.get_chain(event.org_id, user_id, important) if user else None
    steps = []
    for index, rule in enumerate(chain.rules if chain else []):
        step: dict[str, Any] = {"position": index, "ruleId": rule["id"], "type": rule["type"], "status": "planned"}
        if rule["type"] == "wait":
            step["duration"] = int(rule.get("duration", 300))
        steps.append(step)
    item: dict[str, Any] = {
        **table_keys.escalation(event.id, user_id),
        "type": "escalation",
        "orgId": event.org_id,
        "eventId": event.id,
        "userId": user_id,
        "important": important,
        "state": "active",
        "cursor": 0,
        "steps": steps,
        "createdAt": now,
        "updatedAt": now,
    }
    if event.expires_at:
        item["ttl"] = event.expires_at
    if user is None:
        item.update(state="done", reason="User does not exist")
    elif not steps:
        item.update(state="done", reason="the user has no notification rules in this chain")
    ops = [repo.escalation_put(item, 0), repo.event_not_stopped_check(event.id)]
    if dedup_key:
        ops += [
            repo.not_resolved_since_check(event.org_id, dedup_key, created_at),
            repo.dedup_event_put(event.org_id, dedup_key, event.id, created_at, event.expires_at),
        ]
    reasons = repo.transact(ops)
    if not reasons or reasons[0] == "ConditionalCheckFailed":
        return  # written, or written already by an earlier run
    stopped_as = "resolved" if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed" else "acknowledged"
    event_item, _ = events_repo.get_with_deliveries(event.id)
    if event_item and event_item.get("resolvedAt"):
        stopped_as = "resolved"
    item.update(state=stopped_as, stoppedAt=now)
    for step in steps:
        step.update(status="cancelled", at=now)
    with contextlib.suppress(WriteConflict):
        repo.save_escalation(item, 0)


# ---------------------------------------------------------------- running


def _queue(item: dict[str, Any]) -> bool:
    """Sends the SQS message of every sent step not queued yet; True when the item changed."""
    changed = False
    for step in item["steps"]:
        if step.get("status") == "sent" and step.get("queued") is False:
            enqueue.requeue(step["kind"], item["eventId"], step["deliveryId"], org_id=str(item.get("orgId") or ""))
            step["queued"] = True
            changed = True
    return changed


def advance(event_id: str, user_id: str) -> None:
    """Runs the escalation from its cursor until a wait that has not ended, the end, or a stop."""
    for _ in range(MAX_LOOPS):
        item = repo.get_escalation(event_id, user_id)
        if item is None:
            return
        version = int(item.pop("version"))
        try:
            if _queue(item):
                item["updatedAt"] = clock.iso()
                repo.save_escalation(item, version)
                continue
            if item["state"] != "active":
                return
            if not _step(item, version):
                return
        except WriteConflict:
            continue
    logger.warning("escalation did not settle", extra={"event_id": event_id, "user_id": user_id})


def _step(item: dict[str, Any], version: int) -> bool:
    """Takes the step at the cursor; True when the caller should go on with the next one."""
    now = clock.epoch()
    at = _iso(now)
    steps: list[dict[str, Any]] = item["steps"]
    index = int(item["cursor"])
    item["updatedAt"] = at
    if index >= len(steps):
        item["state"] = "done"
        repo.save_escalation(item, version)
        return False
    step = steps[index]
    if step["type"] == "wait":
        if step["status"] == "planned":
            due = now + int(step.get("duration", 300))
            step.update(status="waiting", at=at, dueAt=f"{due:.3f}", until=_iso(due))
            # The timer first: a crash before the save leaves a timer that finds the step still planned and
            # starts the wait again, never a waiting step that nothing wakes.
            try:
                timers.schedule(
                    timer_id(item["eventId"], item["userId"], index), JOB_KIND, due, _payload(item), item["orgId"]
                )
            except CapReached as refused:
                # Paging goes on: the wait is cut short rather than the escalation stopped.
                for planned_wait in ("dueAt", "until"):
                    step.pop(planned_wait, None)
                step.update(status="done", reason=f"{refused.message}: the wait was cut short")
                item["cursor"] = index + 1
                repo.save_escalation(item, version)
                return True
            repo.save_escalation(item, version)
            return False
        if now < float(step["dueAt"]):
            return False  # the timer runs it
        step.update(status="done", at=at)
        item["cursor"] = index + 1
        repo.save_escalation(item, version)
        return True
    return _notify(item, version, step, at)


def _payload(item: dict[str, Any]) -> dict[str, Any]:
    return {"eventId": item["eventId"], "userId": item["userId"]}


def _notify(item: dict[str, Any], version: int, step: dict[str, Any], at: str) -> bool:
    user = repo.get_user(item["orgId"], item["userId"])
    event_item, _ = events_repo.get_with_deliveries(item["eventId"])
    if event_item is None:
        item.update(state="done", reason="the event expired")
        repo.save_escalation(item, version)
        return False
    stored = StoredEvent.from_item(event_item)
    route = contact(user, step["type"]) if user else "User does not exist"
    reason = route if isinstance(route, str) else None
    kind, config, sealed = ("none", {}, {}) if isinstance(route, str) else route
    if reason is None and not enqueue.has_queue(kind):
        reason = f"no delivery queue for {kind} in this deployment"
    planned = PlannedDelivery(
        kind=kind,
        family=FAMILY,
        destination_id=f"{item['userId']}:{step['position']}",
        destination_name=f"{user.username if user else item['userId']} · {step['type']}",
        config=config,
        sealed=sealed,
        skip_reason=reason,
    )
    record = enqueue.build_record(stored, planned, at)
    if reason:
        record.status = "failed"  # a step that cannot be sent fails (the user learns why), it is not skipped
    step.update(status="failed" if reason else "sent", at=at, kind=kind, deliveryId=record.id)
    if reason:
        step["reason"] = reason
    else:
        step["queued"] = False
    item["cursor"] = int(step["position"]) + 1
    repo.write([repo.escalation_put(item, version), repo.delivery_put(record.to_item())])
    return True


@scheduler.register(JOB_KIND)
def run_timer(payload: dict[str, Any]) -> None:
    advance(str(payload["eventId"]), str(payload["userId"]))


# ---------------------------------------------------------------- stopping


def stop(event_id: str, state: str, known: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Cancels every step still planned or waiting, in every active escalation of the event. `known` is
    the event's escalation items when the caller has just read them (else they are listed here); returns
    the escalations as they now are."""
    found = [repo.plain(i) for i in known] if known is not None else repo.list_escalations(event_id)
    after: list[dict[str, Any]] = []
    for current in found:
        item: dict[str, Any] | None = current
        for _ in range(MAX_LOOPS):
            if item is None or item["state"] != "active":
                break
            version = int(item["version"])
            at = clock.iso()
            waiting = [s for s in item["steps"] if s["status"] == "waiting"]
            stopped = {**item, "steps": [dict(s) for s in item["steps"]]}
            for step in stopped["steps"]:
                if step["status"] in ("planned", "waiting"):
                    step.update(status="cancelled", at=at)
            stopped.update(state=state, stoppedAt=at, updatedAt=at)
            stopped.pop("version")
            try:
                repo.save_escalation(stopped, version)
            except WriteConflict:
                item = repo.get_escalation(event_id, str(current["userId"]))
                continue
            for step in waiting:
                timers.done(timer_id(event_id, str(current["userId"]), int(step["position"])))
            item = {**stopped, "version": version + 1}
            break
        if item is not None:
            after.append(item)
    return after


def acknowledge(org_id: str, event_id: str) -> events_repo.EventPartition:
    """Stops the event's escalations; returns the event's partition as it now is (no second read)."""
    partition = events_repo.read_partition(event_id)
    if partition.event is None or partition.event.get("orgId") != org_id:
        raise NotFound("Event not found")
    at = clock.iso()
    if repo.stop_event(event_id, "acknowledgedAt", at):
        partition.event = {**partition.event, "acknowledgedAt": at, "stoppedAt": at}
    # Listed again after the stop, not taken from the read above: an escalation whose start raced this
    # acknowledgement was written before the stop (starting checks the event is not stopped), so it is
    # in this list and is stopped too.
    partition.escalations = stop(event_id, "acknowledged")
    return partition


def resolve(event: StoredEvent) -> None:
    """A recovered event stops the escalations of the org's events triggered before it with its dedupKey."""
    dedup_key = event.dedup_key
    if event.status != "recovered" or not dedup_key:
        return
    created_at = event.created_at or clock.iso()
    repo.mark_resolved(event.org_id, dedup_key, created_at)
    for marker in repo.dedup_events(event.org_id, dedup_key):
        if marker["eventId"] != event.id and str(marker["createdAt"]) <= created_at:
            repo.stop_event(str(marker["eventId"]), "resolvedAt", clock.iso())
            stop(str(marker["eventId"]), "resolved")


# ---------------------------------------------------------------- read back


def views(items: list[dict[str, Any]]) -> list[Escalation]:
    """The API's view of an event's escalation items (as read with the event's partition)."""
    return [
        Escalation(
            userId=item["userId"],
            important=bool(item.get("important")),
            state=item["state"],
            reason=item.get("reason"),
            createdAt=item["createdAt"],
            updatedAt=item["updatedAt"],
            steps=[
                EscalationStep(
                    position=int(s["position"]),
                    ruleId=s["ruleId"],
                    type=s["type"],
                    status=s["status"],
                    duration=s.get("duration"),
                    kind=s.get("kind"),
                    deliveryId=s.get("deliveryId"),
                    reason=s.get("reason"),
                    at=s.get("at"),
                    until=s.get("until"),
                )
                for s in item.get("steps", [])
            ],
        )
        for item in sorted((repo.plain(i) for i in items), key=lambda i: (i["createdAt"], i["userId"]))
    ]
