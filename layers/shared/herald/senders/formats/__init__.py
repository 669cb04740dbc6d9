"""Product wire formats sent through the `webhook` delivery kind: a destination whose config names a
`format` gets that product's own request (Grafana's legacy notifiers, Mackerel's webhook) instead of
Herald's webhook JSON. Each format module builds one request; this module sends it."""

from __future__ import annotations

from collections.abc import Callable

from herald.senders.base import Outcome, Target, classify, delivery_headers, post
from herald.senders.formats import (
    alertmanager,
    dingding,
    googlechat,
    grafana_webhook,
    kafka,
    line,
    mackerel,
    opsgenie,
    pushover,
    sensu,
    threema,
    victorops,
)
from herald.senders.formats.request import Request, Skip
from herald.senders.render import Notification

Builder = Callable[[Notification, Target], list[Request] | Skip]

BUILDERS: dict[str, Builder] = {
    "grafana-webhook": grafana_webhook.build,
    "opsgenie": opsgenie.build,
    "victorops": victorops.build,
    "pushover": pushover.build,
    "googlechat": googlechat.build,
    "sensu": sensu.build,
    "threema": threema.build,
    "line": line.build,
    "kafka": kafka.build,
    "prometheus-alertmanager": alertmanager.build,
    "dingding": dingding.build,
    "mackerel": mackerel.build,
}


def send(notification: Notification, target: Target) -> Outcome:
    """Sends the format's request(s). Several requests (one per Alertmanager URL) succeed when one does,
    as Grafana's Alertmanager notifier does."""
    builder = BUILDERS.get(target.config.get("format", ""))
    if builder is None:
        return Outcome.failed(f"unknown body format {target.config.get('format')!r}")
    built = builder(notification, target)
    if isinstance(built, Skip):
        return Outcome.delivered(f"nothing to send: {built.reason}")
    outcomes = []
    for request in built:
        result = post(request.url, request.body, {**delivery_headers(target), **request.headers}, request.method)
        outcome = result if isinstance(result, Outcome) else classify(result)
        if outcome.result == "delivered":
            return outcome
        outcomes.append(outcome)
    if not outcomes:
        return Outcome.failed("no request to send")
    retry = [o for o in outcomes if o.result == "retry"]
    return retry[0] if retry else outcomes[0]
