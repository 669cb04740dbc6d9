"""Intake on moto: the Alertmanager/Grafana webhook, PagerDuty Events v2, Idempotency-Key, noise control by
dedupKey (with the fan-out's recovery rule) and GET /v1/events, through API Gateway v2 events routed by
template.yaml."""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from herald import clock, ids
from herald.auth.api_keys import create_key, list_keys, revoke
from herald.data import events as events_repo
from herald.data import idempotency as idempotency_repo
from herald.domain import fanout
from tests.support import module_env
from tests.support.apigw import ApiClient, ApiResponse

module_aws, aws_env, module_api, api = module_env.module_aws, module_env.aws_env, module_env.module_api, module_env.api

EVENTS = Path(__file__).resolve().parents[2] / "events"
AM = "/v1/intake/alertmanager"
PD = "/v2/enqueue"


def sample_body(name: str) -> dict[str, Any]:
    path = next(EVENTS.glob(f"*/{name}.json"))
    return dict(json.loads(json.loads(path.read_text())["body"]))


def alertmanager_body(*alerts: dict[str, Any], version: str = "4") -> dict[str, Any]:
    body = sample_body("alertmanager-webhook")
    body["alerts"], body["version"] = list(alerts), version
    return body


def am_alert(instance: str = "api-1", status: str = "firing", **labels: str) -> dict[str, Any]:
    alert = copy.deepcopy(sample_body("alertmanager-webhook")["alerts"][0])
    alert["status"] = status
    alert["labels"] = {"alertname": "HighLatency", "instance": instance, **labels}
    alert["fingerprint"] = f"fp-{instance}"
    return dict(alert)


def event_of(api: ApiClient, token: str, event_id: str) -> dict[str, Any]:
    answer = api.get(f"/v1/events/{event_id}", token=token)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def listing(api: ApiClient, token: str, query: str = "") -> dict[str, Any]:
    answer = api.get(f"/v1/events{'?' + query if query else ''}", token=token)
    assert answer.status == 200, answer.text
    return dict(answer.json())


def grafana_channel(api: ApiClient, token: str, name: str) -> str:
    body = {"name": name, "type": "webhook", "isDefault": True, "settings": {"url": f"http://127.0.0.1:9/{name}"}}
    answer = api.post("/api/alert-notifications", body, token=token)
    assert answer.status == 200, answer.text
    return str(answer.json()["id"])


def fan_out(event_id: str) -> list[str]:
    """Runs the event's stream record through the fan-out; returns the destination ids it reached."""
    item = events_repo.get(event_id)
    assert item is not None
    assert fanout.fan_out([("1", item)]) == []
    return sorted(d["destinationId"] for d in events_repo.read_partition(event_id).deliveries)


def pd(api: ApiClient, body: dict[str, Any]) -> ApiResponse:
    return api.post(PD, body)


def pd_trigger(key: str, **fields: Any) -> dict[str, Any]:
    payload = {"summary": "Disk full on db-1", "source": "db-1", "severity": "warning"}
    return {"routing_key": key, "event_action": "trigger", "payload": payload, **fields}


# --- Alertmanager and Grafana webhooks -------------------------------------------------------------


def test_alertmanager_payload_becomes_one_event_per_alert(api: ApiClient, token: str) -> None:
    answer = api.post(AM, sample_body("alertmanager-webhook"), token=token)

    assert answer.status == 200, answer.text
    firing, resolved = answer.json()["events"]
    assert firing["dedupKey"] == "3f1a2b4c5d6e7f80" and firing["status"] == "triggered"
    assert resolved["dedupKey"] == "0a1b2c3d4e5f6071" and resolved["status"] == "recovered"
    assert not firing["deduplicated"] and not resolved["deduplicated"]
    event = event_of(api, token, firing["id"])
    assert {k: event[k] for k in ("status", "severity", "title", "message", "monitorId", "source", "url")} == {
        "status": "triggered",
        "severity": "critical",
        "title": "p99 latency above 1s on api-1",
        "message": "p99 has been above 1s for 5 minutes",
        "monitorId": "mon_abc123",
        "source": "alertmanager",
        "url": "http://prometheus.example:9090/graph?g0.expr=latency",
    }
    assert event["labels"]["instance"] == "api-1" and event["labels"]["severity"] == "critical"
    assert [link["href"] for link in event["links"]] == [
        "http://prometheus.example:9090/graph?g0.expr=latency",
        "http://alertmanager.example:9093",
    ]
    assert event_of(api, token, resolved["id"])["status"] == "recovered"


def test_grafana_payload_is_source_grafana_with_its_severity(api: ApiClient, token: str) -> None:
    answer = api.post(AM, sample_body("grafana-webhook"), token=token)

    assert answer.status == 200, answer.text
    [entry] = answer.json()["events"]
    event = event_of(api, token, entry["id"])
    assert (event["source"], event["severity"], event["title"]) == ("grafana", "warning", "High memory usage")
    assert event["message"] == "Memory above 90%" and event["dedupKey"] == "c6eadffa33fcdf37"
    assert "Silence" in [link["text"] for link in event["links"]]


@pytest.mark.parametrize(
    ("label", "expected"),
    [("critical", "critical"), ("error", "error"), ("high", "error"), ("warning", "warning"), ("info", "info"),
     ("page", "error"), (None, "error")],
)  # fmt: skip
def test_severity_label_mapping(api: ApiClient, token: str, label: str | None, expected: str) -> None:
    alert = am_alert(f"sev-{label}")
    if label is not None:
        alert["labels"]["severity"] = label
    [entry] = api.post(AM, alertmanager_body(alert), token=token).json()["events"]
    assert event_of(api, token, entry["id"])["severity"] == expected


def test_without_fingerprint_the_dedup_key_is_a_stable_hash_of_the_labels(api: ApiClient, token: str) -> None:
    first, second = am_alert("x"), am_alert("x")
    del first["fingerprint"], second["fingerprint"]
    second["labels"] = dict(reversed(list(second["labels"].items())))
    first["annotations"] = {}  # no summary: the title is the alertname

    [a] = api.post(AM, alertmanager_body(first), token=token).json()["events"]
    [b] = api.post(AM, alertmanager_body(second), token=token).json()["events"]

    assert a["dedupKey"] == b["dedupKey"] and len(a["dedupKey"]) == 16
    assert (b["deduplicated"], b["id"]) == (True, a["id"])
    assert event_of(api, token, a["id"])["title"] == "HighLatency"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "4", "status": "firing", "receiver": "r"}, "alerts"),
        ({**sample_body("alertmanager-webhook"), "version": "3"}, "version"),
        ({**sample_body("alertmanager-webhook"), "alerts": [{**am_alert(), "status": "pending"}]}, "alerts.0.status"),
        ({**sample_body("alertmanager-webhook"), "alerts": [{**am_alert(), "labels": ["a"]}]}, "alerts.0.labels"),
        ({**sample_body("alertmanager-webhook"), "receiver": None}, "receiver"),
    ],
)
def test_a_payload_not_of_this_shape_gets_400_naming_the_field(
    api: ApiClient, token: str, body: dict[str, Any], field: str
) -> None:
    answer = api.post(AM, body, token=token)
    assert answer.status == 400
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and error["message"].startswith(field), error


def test_not_json_gets_400(api: ApiClient, token: str) -> None:
    answer = api.request("POST", AM, raw_body="{not json", token=token)
    assert answer.status == 400 and answer.json()["error"]["message"] == "Request body is not valid JSON"


def test_webhook_auth_bearer_scope_and_grafana_basic(api: ApiClient, org_id: str, token: str) -> None:
    body = sample_body("grafana-webhook")
    assert api.post(AM, body).status == 401
    reader = create_key(org_id, ["events:read"])
    forbidden = api.post(AM, body, token=reader)
    assert forbidden.status == 403 and forbidden.json()["error"]["code"] == "FORBIDDEN"
    basic = "Basic " + base64.b64encode(f"grafana:{token}".encode()).decode()
    assert api.post(AM, body, headers={"authorization": basic}).status == 200


def test_repeats_count_on_the_incident_recovery_closes_it_and_a_new_trigger_opens_another(
    api: ApiClient, token: str
) -> None:
    [first] = api.post(AM, alertmanager_body(am_alert()), token=token).json()["events"]
    [again] = api.post(AM, alertmanager_body(am_alert()), token=token).json()["events"]
    assert (again["id"], again["deduplicated"]) == (first["id"], True)
    [item] = listing(api, token, "dedupKey=fp-api-1")["events"]
    assert item["incident"]["state"] == "open" and item["incident"]["count"] == 2
    assert item["incident"]["lastSeenAt"] >= item["incident"]["firstSeenAt"]

    [recovery] = api.post(AM, alertmanager_body(am_alert(status="resolved")), token=token).json()["events"]
    [repeat] = api.post(AM, alertmanager_body(am_alert(status="resolved")), token=token).json()["events"]
    assert not recovery["deduplicated"] and (repeat["id"], repeat["deduplicated"]) == (recovery["id"], True)

    [reopened] = api.post(AM, alertmanager_body(am_alert()), token=token).json()["events"]
    assert not reopened["deduplicated"] and reopened["id"] not in (first["id"], recovery["id"])
    items = listing(api, token, "dedupKey=fp-api-1")["events"]
    assert [(i["id"], i["incident"]["state"]) for i in items] == [
        (reopened["id"], "open"),
        (recovery["id"], "closed"),
        (first["id"], "closed"),
    ]
    assert items[2]["incident"]["count"] == 2 and items[2]["incident"]["closedAt"]


def test_an_alert_names_grafana_channels_by_uid_in_its_annotations(api: ApiClient, token: str) -> None:
    body = {"name": "by uid", "uid": "team-db", "type": "webhook", "settings": {"url": "http://127.0.0.1:9/db"}}
    channel = api.post("/api/alert-notifications", body, token=token).json()["id"]  # not a default channel
    alert = am_alert("db-1")
    alert["annotations"]["notificationUids"] = "team-db, not a valid ref!"
    [entry] = api.post(AM, alertmanager_body(alert), token=token).json()["events"]
    assert event_of(api, token, entry["id"])["targets"]["notificationUids"] == ["team-db"]
    assert fan_out(entry["id"]) == [str(channel)]


# --- PagerDuty Events API v2 ---------------------------------------------------------------------


def test_pagerduty_trigger_answers_as_pagerduty_and_stores_the_event(api: ApiClient, token: str) -> None:
    answer = pd(api, sample_body("pagerduty-trigger") | {"routing_key": token})

    assert answer.status == 202
    assert answer.json() == {"status": "success", "message": "Event processed", "dedup_key": "db-1-disk"}
    [item] = listing(api, token, "dedupKey=db-1-disk")["events"]
    assert (item["source"], item["severity"], item["title"]) == ("pagerduty", "warning", "Disk almost full on db-1")
    assert item["labels"] == {"source": "db-1", "component": "postgres", "group": "prod", "class": "disk"}
    assert json.loads(item["message"]) == {"free": "3%"}
    assert item["links"] == [{"href": "https://grafana.example/d/disk", "text": "Disk dashboard"}]


def test_a_trigger_names_oncall_users_in_its_custom_details(api: ApiClient, org_id: str, token: str) -> None:
    from herald.families.oncall import service as oncall

    user = oncall.create_user(org_id, "bob@example.com", config={"phoneNumber": "+14155550101"}).id
    oncall.create_rule(org_id, {"user_id": user, "type": "notify_by_sms", "important": True})
    details = {"userIds": [user], "important": "true", "disk": "full"}
    pd(
        api,
        pd_trigger(token, dedup_key="page-bob", payload={**pd_trigger(token)["payload"], "custom_details": details}),
    )
    [item] = listing(api, token, "dedupKey=page-bob")["events"]
    assert item["targets"] == {"endpointIDs": [], "notificationUids": [], "userIds": [user], "important": True}
    fan_out(item["id"])
    [escalation] = event_of(api, token, item["id"])["escalations"]
    assert (escalation["userId"], escalation["important"]) == (user, True)


def test_a_trigger_without_dedup_key_gets_a_generated_one(api: ApiClient, token: str) -> None:
    answer = pd(api, pd_trigger(token))
    assert answer.status == 202
    dedup_key = answer.json()["dedup_key"]
    assert len(dedup_key) == 32 and listing(api, token, f"dedupKey={dedup_key}")["events"]


INVALID = "invalid event"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"routing_key": None}, "'routing_key' is missing or blank"),
        ({"routing_key": ""}, "'routing_key' is missing or blank"),
        ({"event_action": "escalate"}, "'event_action' is invalid (must be one of the following: 'trigger', "
         "'acknowledge' or 'resolve')"),
        ({"payload": None}, "'payload' is missing or blank"),
        ({"payload": {"summary": "s", "source": "x", "severity": "fatal"}},
         "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')"),
        ({"payload": {"source": "x", "severity": "info"}}, "'payload.summary' is missing or blank"),
        ({"payload": {"summary": "s" * 1025, "source": "x", "severity": "info"}}, "'payload.summary' is too long "
         "(must be at most 1024 characters)"),
        ({"event_action": "resolve"}, "'dedup_key' is missing or blank"),
    ],
)  # fmt: skip
def test_invalid_events_get_pagerdutys_400(api: ApiClient, token: str, change: dict[str, Any], error: str) -> None:
    body = {k: v for k, v in (pd_trigger(token) | change).items() if v is not None}
    answer = pd(api, body)
    assert answer.status == 400, answer.text
    assert answer.json() == {"status": INVALID, "message": "Event object is invalid", "errors": [error]}


def test_not_json_gets_pagerdutys_400(api: ApiClient) -> None:
    answer = api.request("POST", PD, raw_body="nope")
    assert answer.status == 400 and answer.json()["status"] == INVALID


def test_unknown_revoked_or_unscoped_routing_keys_are_invalid_events(api: ApiClient, org_id: str) -> None:
    assert pd(api, pd_trigger(ids.random_alnum(32))).json()["errors"] == ["Invalid routing key"]
    revoked = create_key(org_id, ["events:write"], name="to revoke")
    [info] = [k for k in list_keys(org_id) if k.name == "to revoke"]
    assert revoke(org_id, info.id)
    answer = pd(api, pd_trigger(revoked))
    assert answer.status == 400 and answer.json()["errors"] == ["Invalid routing key"]
    reader = create_key(org_id, ["events:read"])
    assert pd(api, pd_trigger(reader)).json()["errors"] == ["Invalid routing key: the key lacks the events:write scope"]


def test_rate_limited_routing_key_gets_429(api: ApiClient, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from herald import settings

    monkeypatch.setenv("HERALD_RATE_LIMIT_BURST", "1")
    monkeypatch.setenv("HERALD_RATE_LIMIT_PER_SECOND", "0.01")
    settings.get_settings.cache_clear()
    assert pd(api, pd_trigger(token)).status == 202
    limited = pd(api, pd_trigger(token))
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["status"] == "throttle event"


def test_acknowledge_stops_the_incident_and_resolve_recovers_it(api: ApiClient, token: str) -> None:
    pd(api, pd_trigger(token, dedup_key="k1"))
    assert pd(api, {"routing_key": token, "event_action": "acknowledge", "dedup_key": "k1"}).status == 202
    [opening] = listing(api, token, "dedupKey=k1")["events"]
    assert opening["incident"]["state"] == "acknowledged"
    # a trigger for the acknowledged incident is counted and notifies nobody (PagerDuty deduplicates it too)
    assert pd(api, pd_trigger(token, dedup_key="k1")).json()["dedup_key"] == "k1"
    assert len(listing(api, token, "dedupKey=k1")["events"]) == 1

    resolved = pd(api, {"routing_key": token, "event_action": "resolve", "dedup_key": "k1"})
    assert resolved.status == 202 and resolved.json()["dedup_key"] == "k1"
    recovery, opening = listing(api, token, "dedupKey=k1")["events"]
    assert (recovery["status"], recovery["title"], recovery["severity"]) == (
        "recovered",
        "Disk full on db-1",
        "warning",
    )
    assert opening["incident"] == recovery["incident"] and opening["incident"]["state"] == "closed"
    assert opening["incident"]["count"] == 2


def test_acknowledge_or_resolve_of_an_unknown_dedup_key_is_accepted_and_does_nothing(
    api: ApiClient, token: str
) -> None:
    for action in ("acknowledge", "resolve"):
        answer = pd(api, {"routing_key": token, "event_action": action, "dedup_key": "nope"})
        assert answer.status == 202 and answer.json()["dedup_key"] == "nope"
    assert listing(api, token)["events"] == []


def test_change_events_are_stored_as_info_events(api: ApiClient, token: str) -> None:
    answer = api.post("/v2/change/enqueue", sample_body("pagerduty-change") | {"routing_key": token})
    assert answer.status == 202
    assert answer.json() == {"status": "success", "message": "Change event processed"}
    [item] = listing(api, token)["events"]
    assert (item["severity"], item["title"], item["dedupKey"]) == ("info", "Deployed checkout v2.4.1", None)
    assert item["source"] == "pagerduty" and item["labels"]["pagerduty"] == "change"


# --- Idempotency-Key on POST /v1/events ------------------------------------------------------------

BODY = {"status": "triggered", "title": "Payments failing"}


def post(api: ApiClient, token: str, body: dict[str, Any], key: str | None = "key-1") -> ApiResponse:
    return api.post("/v1/events", body, token=token, headers={"Idempotency-Key": key} if key else {})


def test_same_key_and_body_answers_the_first_answer_again(api: ApiClient, token: str) -> None:
    first = post(api, token, BODY)
    again = api.request(
        "POST",
        "/v1/events",
        raw_body='{ "title": "Payments failing",  "status": "triggered" }',  # same JSON, other spacing and order
        token=token,
        headers={"Idempotency-Key": '"key-1"'},  # the draft's Structured Field string form
    )
    assert first.status == again.status == 202
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(listing(api, token)["events"]) == 1


def test_same_key_with_another_body_is_422(api: ApiClient, token: str) -> None:
    assert post(api, token, BODY).status == 202
    answer = post(api, token, {**BODY, "title": "Something else"})
    assert answer.status == 422 and answer.json()["error"]["code"] == "UNPROCESSABLE"
    assert len(listing(api, token)["events"]) == 1


def test_a_key_still_in_progress_is_409(api: ApiClient, org_id: str, token: str) -> None:
    from herald.intake.idempotency import fingerprint

    now = clock.epoch()
    assert (
        idempotency_repo.claim(org_id, "busy", fingerprint(json.dumps(BODY)), "evt_x", now, 60, int(now) + 60) is None
    )
    answer = post(api, token, BODY, key="busy")
    assert answer.status == 409 and answer.json()["error"]["code"] == "CONFLICT"


def test_a_request_that_died_is_taken_over_without_a_second_event(api: ApiClient, org_id: str, token: str) -> None:
    from herald.intake.idempotency import fingerprint

    first = post(api, token, BODY, key=None).json()
    past = clock.epoch() - 120  # its lock ran out a minute ago
    idempotency_repo.claim(org_id, "dead", fingerprint(json.dumps(BODY)), first["id"], past, 60, int(past) + 86400)
    answer = post(api, token, BODY, key="dead")
    assert answer.status == 202 and answer.json()["id"] == first["id"]
    assert len(listing(api, token)["events"]) == 1


def test_keys_are_per_org(api: ApiClient, token: str, make_token: Callable[..., str]) -> None:
    other_org = ids.org_id()
    other = make_token(other_org)
    a, b = post(api, token, BODY), post(api, other, BODY)
    assert a.status == b.status == 202 and a.json()["id"] != b.json()["id"]


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"])
def test_a_malformed_key_is_400(api: ApiClient, token: str, key: str) -> None:
    answer = api.post("/v1/events", BODY, token=token, headers={"Idempotency-Key": key})
    assert answer.status == 400 and "Idempotency-Key" in answer.json()["error"]["message"]


def race(n: int, call: Callable[[ApiClient], ApiResponse]) -> list[ApiResponse]:
    """n requests at once, each through its own function instances (warmed first, so the requests race)."""
    clients = [ApiClient(shared=False) for _ in range(n)]
    for client in clients:
        client.get("/v1/events")
    start, results, lock = threading.Barrier(n), [], threading.Lock()

    def worker(client: ApiClient) -> None:
        start.wait()
        answer = call(client)
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_concurrent_retries_with_one_key_store_one_event(api: ApiClient, token: str, atomic_moto: None) -> None:
    answers = race(20, lambda client: post(client, token, BODY, key="storm"))
    assert {a.status for a in answers} <= {202, 409} and 202 in {a.status for a in answers}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers if a.status == 202}) == 1
    [event] = listing(api, token)["events"]
    assert event["id"] == next(a.json()["id"] for a in answers if a.status == 202)
    assert len(fan_out(event["id"])) == 0  # no destinations here: stored once is what counts


# --- noise control by dedupKey, and the recovery rule in the fan-out ---------------------------------


def test_twenty_identical_triggers_at_once_open_one_incident_and_notify_each_destination_once(
    api: ApiClient, token: str, atomic_moto: None
) -> None:
    channels = sorted([grafana_channel(api, token, "a"), grafana_channel(api, token, "b")])
    body = {**BODY, "dedupKey": "db-down"}

    answers = race(20, lambda client: post(client, token, body, key=None))

    assert [a.status for a in answers] == [202] * 20
    assert len({a.json()["id"] for a in answers}) == 1
    [event] = listing(api, token, "dedupKey=db-down")["events"]
    assert event["incident"]["count"] == 20
    assert fan_out(event["id"]) == channels

    # and twenty identical recoveries at once close it once, and that one recovery tells both channels
    recoveries = race(20, lambda client: post(client, token, {**body, "status": "recovered"}, key=None))
    assert [a.status for a in recoveries] == [202] * 20
    assert len({a.json()["id"] for a in recoveries}) == 1
    assert fan_out(recoveries[0].json()["id"]) == channels
    assert [e["incident"]["state"] for e in listing(api, token, "dedupKey=db-down")["events"]] == ["closed"] * 2


def test_a_recovery_reaches_only_the_destinations_told_of_its_trigger(api: ApiClient, token: str) -> None:
    told = grafana_channel(api, token, "told")
    trigger = post(api, token, {**BODY, "dedupKey": "k"}, key=None).json()["id"]
    assert fan_out(trigger) == [told]
    grafana_channel(api, token, "added-later")  # a default channel too, but it never heard of the trigger

    recovery = post(api, token, {**BODY, "status": "recovered", "dedupKey": "k"}, key=None).json()["id"]

    assert fan_out(recovery) == [told]
    assert fan_out(recovery) == [told]  # a replayed stream record: the same answer


def test_a_recovery_routed_before_its_trigger_is_sent_and_the_trigger_skipped_as_stale(
    api: ApiClient, token: str
) -> None:
    channel = grafana_channel(api, token, "c")
    trigger = post(api, token, {**BODY, "dedupKey": "k"}, key=None).json()["id"]
    recovery = post(api, token, {**BODY, "status": "recovered", "dedupKey": "k"}, key=None).json()["id"]
    assert fan_out(recovery) == [channel]  # as a recovery of a dedupKey never seen
    assert fan_out(trigger) == [channel]  # recorded, not sent: it would reopen what the receiver has closed
    [skipped] = api.get(f"/v1/events/{trigger}", token=token).json()["deliveries"]
    assert skipped["status"] == "skipped" and skipped["lastError"].startswith("stale trigger")


def test_a_trigger_after_the_close_opens_a_new_incident_that_notifies_again(api: ApiClient, token: str) -> None:
    channel = grafana_channel(api, token, "c")
    first = post(api, token, {**BODY, "dedupKey": "k"}, key=None).json()["id"]
    fan_out(first)
    fan_out(post(api, token, {**BODY, "status": "recovered", "dedupKey": "k"}, key=None).json()["id"])
    second = post(api, token, {**BODY, "dedupKey": "k"}, key=None).json()["id"]
    assert second != first and fan_out(second) == [channel]


def test_a_recovery_for_a_dedup_key_never_seen_routes_as_usual_once(api: ApiClient, token: str) -> None:
    channel = grafana_channel(api, token, "c")
    body = {**BODY, "status": "recovered", "dedupKey": "unseen"}
    first = post(api, token, body, key=None).json()["id"]
    assert fan_out(first) == [channel]
    assert post(api, token, body, key=None).json()["id"] == first  # its repeat is absorbed


# --- GET /v1/events ----------------------------------------------------------------------------------


def test_list_newest_first_with_filters_limit_and_cursor(api: ApiClient, token: str) -> None:
    ids_ = [post(api, token, {**BODY, "title": f"e{n}"}, key=None).json()["id"] for n in range(5)]
    post(api, token, {**BODY, "status": "recovered", "monitorId": "mon_a1", "dedupKey": "d1"}, key=None)
    api.post(AM, alertmanager_body(am_alert()), token=token)

    everything = listing(api, token)
    assert len(everything["events"]) == 7 and everything["cursor"] is None
    created = [e["createdAt"] for e in everything["events"]]
    assert created == sorted(created, reverse=True)

    page1 = listing(api, token, "source=api&status=triggered&limit=2")
    page2 = listing(api, token, f"source=api&status=triggered&limit=2&cursor={page1['cursor']}")
    page3 = listing(api, token, f"source=api&status=triggered&limit=2&cursor={page2['cursor']}")
    paged = [e["id"] for p in (page1, page2, page3) for e in p["events"]]
    assert paged == list(reversed(ids_)) and page3["cursor"] is None

    assert [e["monitorId"] for e in listing(api, token, "monitorId=mon_a1")["events"]] == ["mon_a1"]
    assert [e["source"] for e in listing(api, token, "source=alertmanager")["events"]] == ["alertmanager"]
    assert [e["status"] for e in listing(api, token, "status=recovered")["events"]] == ["recovered"]
    middle = everything["events"][3]["createdAt"]
    assert all(e["createdAt"] <= middle for e in listing(api, token, f"until={middle}")["events"])
    assert all(e["createdAt"] >= middle for e in listing(api, token, f"since={middle}")["events"])
    assert listing(api, token, "since=2999-01-01T00:00:00Z")["events"] == []


def test_each_item_counts_its_deliveries_by_status(api: ApiClient, token: str) -> None:
    grafana_channel(api, token, "a")
    grafana_channel(api, token, "b")
    event_id = post(api, token, BODY, key=None).json()["id"]
    fan_out(event_id)
    [item] = listing(api, token)["events"]
    assert item["deliveries"] == {"pending": 2, "delivered": 0, "failed": 0, "skipped": 0}
    assert item["incident"] is None


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=201", "limit=x", "status=open", "source=nagios", "since=yesterday", "cursor=%%%", "cursor=e30"],
)
def test_bad_list_parameters_are_400(api: ApiClient, token: str, query: str) -> None:
    answer = api.get(f"/v1/events?{query}", token=token)
    assert answer.status == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR", answer.text


def test_another_orgs_cursor_is_refused_and_listing_needs_events_read(
    api: ApiClient, org_id: str, token: str, make_token: Callable[..., str]
) -> None:
    for n in range(2):
        post(api, token, {**BODY, "title": f"e{n}"}, key=None)
    cursor = listing(api, token, "limit=1")["cursor"]
    other = make_token(ids.org_id())
    assert api.get(f"/v1/events?cursor={cursor}", token=other).status == 400
    assert listing(api, other)["events"] == []
    writer = create_key(org_id, ["events:write"])
    assert api.get("/v1/events", token=writer).status == 403


def test_pagerduty_acknowledge_stops_the_escalation_of_an_incident_opened_through_the_api(
    api: ApiClient, org_id: str, token: str
) -> None:
    from herald.families.oncall import service as oncall

    user = oncall.create_user(org_id, "alice@example.com", config={"phoneNumber": "+14155550100"}).id
    for body in ({"type": "notify_by_sms"}, {"type": "wait", "duration": 300}, {"type": "notify_by_phone_call"}):
        oncall.create_rule(org_id, {"user_id": user, "important": False, **body})
    opened = post(api, token, {**BODY, "dedupKey": "db", "targets": {"userIds": [user]}}, key=None).json()["id"]
    fan_out(opened)
    assert event_of(api, token, opened)["escalations"][0]["state"] == "active"

    answer = pd(api, {"routing_key": token, "event_action": "acknowledge", "dedup_key": "db"})

    assert answer.status == 202
    [escalation] = event_of(api, token, opened)["escalations"]
    assert escalation["state"] == "acknowledged"
    assert [s["status"] for s in escalation["steps"]] == ["sent", "cancelled", "cancelled"]
    assert listing(api, token, "dedupKey=db")["events"][0]["incident"]["state"] == "acknowledged"
