"""The delivery path's one hook: the notification a delivery sends, worded by the org's template for the
destination (or for its kind) when there is one. A template that fails on this event's data falls back to
Herald's own wording, so a template can never lose a notification. The engine (Jinja2) is imported only
when an org has a template to apply."""

from __future__ import annotations

from herald.data import orgs
from herald.domain.destination_names import record_match
from herald.observability import logger, metrics
from herald.senders.render import Notification, Wording
from herald.templates import store


def chosen(templates: list[store.StoredTemplate], kind: str, match: str) -> store.StoredTemplate | None:
    """The destination's own template wins over the kind's."""
    own = [t for t in templates if t.kind == kind and t.match == match]
    kind_wide = [t for t in templates if t.kind == kind and t.destination_ref is None]
    found = own or kind_wide
    return found[0] if found else None


def worded(notification: Notification, rendered: Wording) -> Notification:
    message = rendered.text if rendered.text is not None else notification.message
    return notification.model_copy(update={"message": message, "custom": rendered})


def customize(
    notification: Notification, org_id: str, kind: str, family: str, destination_id: str, destination_name: str
) -> Notification:
    templates = store.for_org(org_id)
    template = chosen(templates, kind, record_match(family, destination_id)) if templates else None
    if template is None:
        return notification
    from herald.templates import engine

    context = engine.context_for(notification, destination_name, kind, orgs.display_name(org_id))
    try:
        rendered = engine.render(kind, template.spec, context)
    except engine.TemplateFailed as error:
        logger.warning("template failed; Herald's own wording is sent", extra={"kind": kind, "error": str(error)})
        metrics.add_metric(name="TemplateFailed", unit="Count", value=1)
        return notification
    return worded(notification, rendered)
