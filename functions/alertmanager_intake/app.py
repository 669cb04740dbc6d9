"""Alertmanager and Grafana unified alerting webhooks: POST /v1/intake/alertmanager.

Auth is the `Authorization: Bearer <key>` that Alertmanager's `http_config.authorization` and Grafana's
`authorization_credentials` send (or Grafana's basic auth with the key as password)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.errors import uptime_error
from herald.api.family import Family, principal
from herald.domain import intake
from herald.intake import idempotency
from herald.intake.alertmanager import AlertEvent, IntakeAnswer, WebhookIn
from herald.models.events import IDEMPOTENCY_RESPONSES
from herald.observability import logger, metrics, tracer

SCOPES = {"POST /v1/intake/alertmanager": "events:write"}
family = Family(name="alertmanager_intake", error_body=uptime_error, scopes=SCOPES)
app = family.app


@app.post(
    "/v1/intake/alertmanager",
    responses={
        200: {"description": "Accepted", "content": {"application/json": {"model": IntakeAnswer}}},
        **IDEMPOTENCY_RESPONSES,
    },
)
def receive(
    body: Annotated[WebhookIn, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response[str]:
    # `idempotency_key` documents the header in OpenAPI; key_from reads it in both of the draft's forms
    org_id = principal().org_id

    def accept(_event_id: str) -> idempotency.Answer:
        outcomes = intake.alertmanager_webhook(org_id, body)
        metrics.add_metric(name="EventsAccepted", unit="Count", value=sum(not o.deduplicated for o in outcomes))
        answer = IntakeAnswer(
            events=[
                AlertEvent(id=o.event_id, dedupKey=o.dedup_key, status=o.status, deduplicated=o.deduplicated)
                for o in outcomes
            ]
        )
        return idempotency.Answer(200, answer.model_dump_json())

    key = idempotency.key_from(app.current_event.headers or {})
    if key is None:
        answer = accept("")
    else:
        answer = idempotency.run(org_id, key, app.current_event.body or "", accept, lambda _id: None)
    headers = {idempotency.REPLAYED_HEADER: "true"} if answer.replayed else {}
    return Response(answer.status, content_types.APPLICATION_JSON, answer.body, headers)


def _basic_as_bearer(event: dict[str, Any]) -> None:
    """Grafana's webhook basic auth (username anything, password the key) → the key as a bearer token."""
    headers = event.get("headers") or {}
    for name, value in list(headers.items()):
        if name.lower() == "authorization" and str(value).lower().startswith("basic "):
            try:
                _user, _, password = base64.b64decode(str(value)[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return
            headers[name] = f"Bearer {password}"


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _basic_as_bearer(event)
    return family.handle(event, context)
