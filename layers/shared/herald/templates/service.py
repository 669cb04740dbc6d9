"""The templates API's domain: save (validated against a sample event), read, list, delete, preview."""

from __future__ import annotations

from herald import clock, secrets
from herald.data import orgs
from herald.domain import destination_refs
from herald.errors import ValidationFailed
from herald.models.events import EventIn
from herald.models.templates import PreviewIn, ProviderRequest, Template, TemplateIn, TemplateList
from herald.senders.base import Target
from herald.senders.render import Notification
from herald.templates import engine, preview, store
from herald.templates.apply import chosen, worded

SAMPLE_EVENT = Notification(
    id="evt_sample",
    status="triggered",
    severity="critical",
    title="Checkout latency above 2 s",
    created_at="2026-01-01T12:00:00Z",
    message="p99 latency is 2.4 s on checkout-api",
    monitor_id="mon_checkout",
    service="checkout-api",
    url="https://status.example.com/incidents/42",
    dedup_key="checkout-latency",
    labels={"env": "production", "team": "payments"},
)


def _spec(body: TemplateIn) -> engine.Spec:
    return engine.Spec(title=body.title, text=body.text, body=body.body)


def check(kind: str, spec: engine.Spec, destination_name: str = "sample destination", org_name: str = "") -> None:
    """Renders the spec against the sample event; 400 naming the part, the line and the reason."""
    if not spec.parts():
        raise ValidationFailed("a template needs at least one of title, text and body")
    if spec.body and kind not in engine.BODY_KINDS:
        raise ValidationFailed(f"body: only webhook and http templates have a body ({kind} has title and text)")
    context = engine.context_for(SAMPLE_EVENT, destination_name, kind, org_name or "sample org")
    try:
        engine.render(kind, spec, context)
    except engine.TemplateFailed as error:
        raise ValidationFailed(f"Template is invalid: {error}") from None


def to_api(stored: store.StoredTemplate) -> Template:
    return Template(
        kind=stored.kind,
        destinationRef=stored.destination_ref,
        title=stored.spec.title,
        text=stored.spec.text,
        body=stored.spec.body,
        updatedAt=stored.updated_at,
    )


def save(org_id: str, kind: str, destination_ref: str | None, body: TemplateIn) -> Template:
    spec = _spec(body)
    match = None
    name = "sample destination"
    if destination_ref:
        destination = destination_refs.resolve(org_id, destination_ref, kind)
        match, name = destination.match, destination.name
    check(kind, spec, name, orgs.display_name(org_id))
    stored = store.StoredTemplate(
        org_id=org_id, kind=kind, destination_ref=destination_ref, spec=spec, updated_at=clock.iso(), match=match
    )
    store.put(org_id, stored)
    return to_api(stored)


def get(org_id: str, kind: str, destination_ref: str | None) -> Template:
    return to_api(store.get(org_id, kind, destination_ref))


def delete(org_id: str, kind: str, destination_ref: str | None) -> None:
    store.delete(org_id, kind, destination_ref)


def list_templates(org_id: str) -> TemplateList:
    found = sorted(store.list_for_org(org_id), key=lambda t: (t.kind, t.destination_ref or ""))
    return TemplateList(templates=[to_api(t) for t in found])


def notification_of(event: EventIn) -> Notification:
    snapshot = {**event.model_dump(exclude_none=True), "id": "evt_preview", "createdAt": clock.iso()}
    return Notification.from_item(snapshot)


def run_preview(org_id: str, body: PreviewIn) -> ProviderRequest:
    kind = body.kind
    notification = notification_of(body.event)
    name, match = "sample destination", ""
    config, target_secrets = (dict(part) for part in preview.SAMPLE_TARGETS[kind])
    if body.destinationRef:
        destination = destination_refs.resolve(org_id, body.destinationRef, kind)
        if destination.kind != kind:
            raise ValidationFailed(
                f"destinationRef: {body.destinationRef} is a {destination.kind} destination, not {kind}"
            )
        name, config, match = destination.name, destination.config, destination.match
        target_secrets = secrets.unseal(org_id, destination.sealed) if destination.sealed else {}
    spec = _spec(body.template) if body.template else None
    if spec is not None:
        check(kind, spec, name, orgs.display_name(org_id))
    else:
        stored = chosen(store.list_for_org(org_id), kind, match)
        spec = stored.spec if stored else None
    rendered = None
    if spec is not None:
        context = engine.context_for(notification, name, kind, orgs.display_name(org_id))
        try:
            rendered = engine.render(kind, spec, context)
        except engine.TemplateFailed as error:
            raise ValidationFailed(f"Template is invalid for this event: {error}") from None
        notification = worded(notification, rendered)
    try:
        taken = preview.take_request(kind, notification, Target(preview.PREVIEW_DELIVERY_ID, config, target_secrets))
    except ValueError as error:
        raise ValidationFailed(f"The destination cannot be sent to: {error}") from None
    parts = {"title": rendered.title, "text": rendered.text, "body": rendered.body} if rendered else {}
    return ProviderRequest(method=taken.method, url=taken.url, headers=taken.headers, body=taken.body, rendered=parts)
