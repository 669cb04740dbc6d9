"""Section 1: AWS calls per API operation, for every route of template.yaml, beside the minimum.

Routes come from the template; each is driven in-process through tests.support.apigw.ApiClient (the
same routing as API Gateway and the local stack) on moto, with the sample events of events/<folder>/ as
the requests, after seeding the records the samples name (tests/support/sample_records.py), so a route is
measured on a record that exists. A route without a sample is "not measured".
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from bench.harness import (
    SAMPLE_ORG,
    SAMPLE_TOKEN,
    Calls,
    Sample,
    folder_of,
    in_process_aws,
    samples,
    seed_sample_records,
)
from bench.report import Section, Table, Target

TITLE = "AWS calls per API operation"
DYNAMO_OPS = ("GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
READS = ("GetItem", "Query", "BatchGetItem", "TransactGetItems")

# Why an operation still makes more than the minimum number of calls: what the extra read is for.
CAP_READ = "; the org's limits item is read for its destinations cap (herald orgs limits)"
WHY_ABOVE = {
    "POST /v1/alerts": "the org's limits item is read for its alerts cap (herald orgs limits), then one "
    "transaction (counter, alert)",
    "POST /api/v2/notificationEndpoints": "the org's limits item is read for its destinations cap (herald orgs "
    "limits), then one transaction (name guard, endpoint, counter)",
    "POST /api/alert-notifications": "Grafana ids are sequential integers: the org's id counter is read, then "
    "one transaction writes counter, channel, uid and name guards" + CAP_READ,
    "GET /api/alert-notifications/uid/{uid}": "the uid guard names the channel's id; channels are keyed by id "
    "(which orders the list)",
    "PUT /api/alert-notifications/{id}": "the channel is read for its uid/name guards and kept secrets; one "
    "transaction moves the guards",
    "PUT /api/alert-notifications/uid/{uid}": "uid guard → channel, then the transaction",
    "DELETE /api/alert-notifications/{id}": "the channel is read to delete its uid and name guards in the same "
    "transaction",
    "DELETE /api/alert-notifications/uid/{uid}": "uid guard → channel, then the transaction",
    "GET /v1/alerts/{id}/events": "the alert is read for 404 and tenancy: history is indexed by alert id only",
    "POST /v1/events/{id}/acknowledge": "the event's partition is read once (the answer: event, deliveries, "
    "escalations), then the conditional stop; each active escalation adds one write",
    "PUT /api/v2/notificationEndpoints/{endpointID}": "the endpoint is read (name guard, kept secrets); one "
    "optimistic transaction moves the name guard",
    "PATCH /api/v2/notificationEndpoints/{endpointID}": "as PUT",
    "PATCH /api/v2/labels/{labelID}": "the label is read for its name guard; one transaction moves it",
    "POST /api/v2/notificationEndpoints/{endpointID}/labels": "one transaction checks endpoint and label and "
    "writes the mapping; the answer is the label, read after",
    "DELETE /api/v2/notificationEndpoints/{endpointID}": "the endpoint is read for its name guard and label "
    "mappings, deleted in the same transaction",
    "DELETE /api/v2/labels/{labelID}": "the label (name guard) and the mappings that attach it (GSI1 Query) are "
    "read, then deleted in one transaction",
    "POST /api/v0/channels": "with addToDefaultNotificationGroup the org's configuration is read (the default "
    "group's list changes under its version); without it, one transaction" + CAP_READ,
    "POST /api/v0/notification-groups": "groups are validated against the org's configuration (channels, "
    "child groups, cycles), written under its version" + CAP_READ,
    "PUT /api/v0/channels/{id}": "the configuration is read (type, masked URL kept), written under its version",
    "PUT /api/v0/notification-groups/{id}": "validated against the org's configuration, written under its version",
    "DELETE /api/v0/channels/{id}": "the channel leaves every group that lists it, in the same transaction",
    "DELETE /api/v0/notification-groups/{id}": "it leaves every group that lists it, in the same transaction",
    "POST /api/v1/personal_notification_rules/": "a user's rules are one versioned chain item: it is read to "
    "place the rule, then one transaction (chain, rule pointer, user check)" + CAP_READ,
    "GET /api/v1/personal_notification_rules/{id}/": "the rule's pointer names its chain, which holds the rule",
    "PUT /api/v1/personal_notification_rules/{id}/": "pointer → chain, then one transaction",
    "PATCH /api/v1/personal_notification_rules/{id}/": "pointer → chain, then one transaction",
    "DELETE /api/v1/personal_notification_rules/{id}/": "pointer → chain, then one transaction",
    "POST /v1/events": "with a dedupKey, the incident's conditional write decides first (open, join or close), "
    "then the event is stored; with an Idempotency-Key, the key is claimed before and completed after",
    "GET /v1/events": "one GSI1 Query for the page, one BatchGetItem for its incidents, one Query per event for "
    "its delivery statuses",
    "POST /v1/intake/alertmanager": "per alert, as POST /v1/events with a dedupKey (the fingerprint)",
    "POST /v2/enqueue": "the routing key is looked up as any key; acknowledge and resolve read the dedup_key's "
    "incident first",
}


@dataclass
class Measured:
    route: str
    sample: str
    kind: str
    minimum: int
    status: int | None
    calls: Calls | None
    seconds: float = 0.0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def data_calls(self) -> int:
        return len(self.calls.dynamodb()) if self.calls else 0

    @property
    def at_minimum(self) -> bool:
        return self.calls is not None and self.data_calls <= self.minimum and self.calls.count("Scan") == 0


def classify(method: str, path: str, public: bool) -> tuple[str, int]:
    """(kind, minimum DynamoDB calls): 1 per get, create, update, delete and list page; 0 for public docs."""
    if public:
        return "public", 0
    last_is_param = path.rstrip("/").split("/")[-1].startswith("{")
    has_params = "{" in path
    if method == "GET":
        return ("get", 1) if last_is_param else ("list page", 1)
    if method == "POST":
        return ("action", 1) if has_params else ("create", 1)
    if method in ("PUT", "PATCH"):
        return "update", 1
    if method == "DELETE":
        return "delete", 1
    return method.lower(), 1


def order_key(method: str, path: str) -> tuple[int, int]:
    """Creates first (they make the ids the others use), deletes last, nested deletes before their parent."""
    has_params = "{" in path
    rank = {"POST": 0 if not has_params else 4, "GET": 1 if not has_params else 2, "PUT": 3, "PATCH": 3}
    depth = path.count("/")
    if method == "DELETE":
        return 5, -depth
    return rank.get(method, 4), depth


def fill_path(path: str, params: dict[str, str]) -> str:
    """The route's path with the sample's path parameters ({proxy+} included)."""
    return re.sub(r"\{([^}+]+)\+?\}", lambda m: params.get(m.group(1), "missing"), path)


def _public_routes(specs: dict[str, Any]) -> set[str]:
    """Route keys whose SCOPES entry is PUBLIC, read from each function's module."""
    from herald.api.family import PUBLIC
    from herald_local.functions import load_module

    public: set[str] = set()
    for spec in specs.values():
        try:
            scopes = getattr(load_module(spec), "SCOPES", {})
        except Exception:  # noqa: S112 - a function that does not import is reported by its routes
            continue
        public |= {route for route, scope in scopes.items() if scope == PUBLIC}
    return public


@dataclass(frozen=True)
class Request:
    name: str
    headers: dict[str, str]
    query: str
    body: str
    params: dict[str, str]

    @classmethod
    def of(cls, sample: Sample) -> Request:
        return cls(
            sample.name,
            {k: str(v) for k, v in (sample.event.get("headers") or {}).items()},
            str(sample.event.get("rawQueryString") or ""),
            sample.body() or "",
            {k: str(v) for k, v in (sample.event.get("pathParameters") or {}).items()},
        )


def measure_routes(counter: Any) -> tuple[list[Measured], Measured]:
    from herald.auth import middleware
    from herald_local.template import Template
    from tests.support.apigw import ApiClient

    template = Template()
    specs = template.functions()
    api = ApiClient(template)
    public = _public_routes(specs)
    seed_sample_records()

    # A cold container pays one GetItem for the key, then serves it from its cache: measured apart.
    middleware.clear_cache()
    with counter.window() as calls:
        middleware.authenticate({"authorization": f"Bearer {SAMPLE_TOKEN}"})
    auth_row = Measured("authentication (cold key)", "(any authenticated route)", "auth", 1, 200, calls)

    by_folder: dict[str, list[Any]] = {}
    for route in template.http_routes():
        by_folder.setdefault(folder_of(specs[route.function].code_uri), []).append(route)

    results: list[Measured] = []
    for folder in sorted(by_folder):
        folder_samples = samples(folder)
        for route in sorted(by_folder[folder], key=lambda r: order_key(r.method, r.path)):
            kind, minimum = classify(route.method, route.path, route.route_key in public)
            requests = [Request.of(s) for s in folder_samples if s.route_key == route.route_key]
            if not requests and kind == "public" and "{" not in route.path:
                requests = [Request("(none needed)", {}, "", "", {})]
            if not requests:
                results.append(
                    Measured(route.route_key, "—", kind, minimum, None, None, note=f"no sample in events/{folder}/")
                )
                continue
            for request in requests:
                url = fill_path(route.path, request.params)
                if request.query:
                    url += "?" + request.query
                started = time.perf_counter()
                with counter.window() as calls:
                    answer = api.request(route.method, url, headers=request.headers, raw_body=request.body)
                seconds = time.perf_counter() - started
                results.append(_row(route, request.name, kind, minimum, answer, calls, seconds))
    return results, auth_row


def _row(route: Any, name: str, kind: str, minimum: int, answer: Any, calls: Calls, seconds: float) -> Measured:
    note = "" if 200 <= answer.status < 300 else _error_text(answer.text)
    return Measured(route.route_key, name, kind, minimum, answer.status, calls, seconds, note)


def _error_text(text: str) -> str:
    return " ".join(text.split())[:90]


def run(context: dict[str, Any]) -> Section:
    section = Section(1, TITLE)
    with in_process_aws() as (_resolver, counter):
        rows, auth_row = measure_routes(counter)

    table = Table(
        [
            "route",
            "sample",
            "kind",
            "status",
            *DYNAMO_OPS,
            "Scan",
            "DynamoDB total",
            "minimum",
            "at minimum",
            "other AWS calls",
            "why above the minimum",
        ]
    )
    measured = [r for r in rows if r.calls is not None and r.ok]
    for r in rows:
        if r.calls is None:
            table.add(
                r.route,
                r.sample,
                r.kind,
                "—",
                *["" for _ in DYNAMO_OPS],
                "",
                "",
                r.minimum,
                f"not measured: {r.note}",
                "",
                "",
            )
            continue
        counts = [r.calls.count(op) or "" for op in DYNAMO_OPS]
        other = ", ".join(f"{n}× {op}" for op, n in sorted(r.calls.other().items()))
        verdict = ("yes" if r.at_minimum else "no") if r.ok else f"not measured: answered {r.status} {r.note}"
        why = WHY_ABOVE.get(r.route, "") if r.ok and not r.at_minimum else ""
        table.add(
            r.route,
            r.sample,
            r.kind,
            r.status,
            *counts,
            r.calls.count("Scan"),
            r.data_calls,
            r.minimum,
            verdict,
            other,
            why,
        )
    if auth_row.calls is not None:
        table.add(
            auth_row.route,
            auth_row.sample,
            "auth",
            auth_row.status,
            auth_row.calls.auth,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            auth_row.calls.auth,
            1,
            "yes" if auth_row.calls.auth <= 1 else "no",
            "once per key per container (cached 60 s)",
            "",
        )
    section.tables.append(table)

    scans = sum(r.calls.count("Scan", include_auth=True) for r in rows if r.calls)
    above = [r.route for r in measured if not r.at_minimum]
    unmeasured = [r.route for r in rows if r.calls is None or not r.ok]
    section.targets.append(Target("0 Scans (every measured API call)", f"{scans} Scan", scans == 0 if rows else None))
    section.targets.append(
        Target(
            "every API operation at its minimum call count",
            f"{len(measured) - len(above)}/{len(measured)} measured operations at minimum"
            + (f"; above: {', '.join(sorted(set(above)))}" if above else ""),
            (not above) if measured else None,
        )
    )
    section.notes += [
        "Counts are botocore `before-call` events (one per API call; SDK retries are not calls) on moto "
        "in-process, one request at a time, with the authentication cache warm; the key lookup of a cold "
        "container is the separate `authentication (cold key)` row (one GetItem per key per container, "
        "cached 5 s). Every authenticated request also spends one conditional UpdateItem on its key's rate "
        "budget (shared by all containers); it is counted with authentication, not against the route.",
        "Minimum: one DynamoDB call per get, create, update or delete, one Query per list page, 0 for public "
        "documentation routes; a transaction counts as one call. KMS Encrypt (sealing secrets) and other "
        "non-DynamoDB calls are listed beside, not counted against the minimum.",
        "Requests are the sample events of `events/<folder>/` (path parameters, headers, query and body), "
        "sent after seeding the records they name (tests/support/sample_records.py, as the sample-event "
        "tests do); routes without a sample are listed as not measured, and non-2xx answers are shown but "
        "not judged.",
    ]
    if unmeasured:
        section.notes.append(f"Not measured: {len(unmeasured)} route(s) (see the table).")
    # For the cost model: the intake request's calls.
    intake = next((r for r in measured if r.route == "POST /v1/events"), None)
    if intake and intake.calls:
        context["intake_calls"] = intake.calls
        context["intake_seconds"] = intake.seconds
    context["sample_org"] = SAMPLE_ORG
    section.metrics["scans"] = scans
    return section
