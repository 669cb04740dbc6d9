"""Every single-table key is built here and nowhere else (docs/data-model.md lists them; a test keeps it true)."""

from __future__ import annotations

from typing import TypedDict


class Key(TypedDict):
    pk: str
    sk: str


def org(org_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": "ORG"}


def orgs_gsi() -> str:
    """Every org by creation time (GSI1): the operator's `herald orgs list` and cross-org listings."""
    return "ORGS"


def orgs_sort(created_at: str, org_id: str) -> str:
    return f"{created_at}#{org_id}"


def api_key(token_hash: str) -> Key:
    return {"pk": f"KEY#{token_hash}", "sk": "KEY"}


def rate_limit(key_id: str) -> Key:
    """An API key's request budget (GCRA), shared by every container."""
    return {"pk": f"RATE#{key_id}", "sk": "RATE"}


def org_keys_gsi(org_id: str) -> str:
    return f"ORG#{org_id}#KEYS"


def alert(org_id: str, alert_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"ALERT#{alert_id}"}


ALERT_PREFIX = "ALERT#"


def org_counter(org_id: str, name: str) -> Key:
    """How many of one capped thing (alerts, a family's destinations, timers) the org holds."""
    return {"pk": f"ORG#{org_id}", "sk": f"COUNTER#{name}"}


def alert_counter(org_id: str) -> Key:
    """The count behind the alerts cap."""
    return org_counter(org_id, "ALERTS")


def org_limits(org_id: str) -> Key:
    """The operator's overrides of the org's caps and quotas (`herald orgs limits`)."""
    return {"pk": f"ORG#{org_id}", "sk": "LIMITS"}


def org_quota(org_id: str, kind: str, day: str) -> Key:
    """The sends of one kind (email, sms, voice) the org spent on one UTC day."""
    return {"pk": f"ORG#{org_id}", "sk": f"QUOTA#{kind}#{day}"}


def event(event_id: str) -> Key:
    return {"pk": f"EVENT#{event_id}", "sk": "EVENT"}


def event_partition(event_id: str) -> str:
    return f"EVENT#{event_id}"


DELIVERY_PREFIX = "DELIVERY#"


def delivery(event_id: str, delivery_id: str) -> Key:
    return {"pk": f"EVENT#{event_id}", "sk": f"DELIVERY#{delivery_id}"}


PLAN_PREFIX = "PLAN#"


def plan(event_id: str, chunk: int) -> Key:
    """One chunk of an event's delivery plan: the destinations fan-out queued, each pending until its
    delivery creates its own record (DELIVERY#)."""
    return {"pk": f"EVENT#{event_id}", "sk": f"{PLAN_PREFIX}{chunk:05d}"}


def plans_checkpoint() -> Key:
    """Up to when the sweeper has looked for plan entries whose delivery never began."""
    return {"pk": "SWEEP", "sk": "PLANS"}


def alert_history_gsi(alert_id: str) -> str:
    """Deliveries made for an uptime alert double as its event history (GSI1, newest first)."""
    return f"ALERT#{alert_id}"


def alert_history_sort(created_at: str, event_id: str) -> str:
    return f"{created_at}#{event_id}"


def cooldown(alert_id: str, scope: str) -> Key:
    return {"pk": f"COOLDOWN#{alert_id}#{scope}", "sk": "COOLDOWN"}


def timer(timer_id: str) -> Key:
    return {"pk": f"TIMER#{timer_id}", "sk": "TIMER"}


def due_hour(epoch_seconds: float) -> int:
    return int(epoch_seconds) // 3600


def due_bucket(epoch_seconds: float) -> str:
    """Timers are indexed by the hour they fall due in; the scheduler reads from its checkpoint forward."""
    return f"DUE#{due_hour(epoch_seconds)}"


def hour_bucket(hour: int) -> str:
    return f"DUE#{hour}"


def timers_checkpoint() -> Key:
    """The oldest hour that may still hold a timer not yet run."""
    return {"pk": "TIMERS", "sk": "CHECKPOINT"}


def destination_partition(destination_key: str) -> str:
    """A destination's delivery state (pacing and breaker) shares one partition: one Query reads both.
    The key is a digest, never the URL or token itself."""
    return f"DEST#{destination_key}"


def pacing(destination_key: str) -> Key:
    """When a destination may next be sent to."""
    return {"pk": destination_partition(destination_key), "sk": "PACE"}


def breaker(destination_key: str) -> Key:
    """A destination's circuit breaker: consecutive transient failures and the cool-off."""
    return {"pk": destination_partition(destination_key), "sk": "BREAKER"}


def held_partition(destination_key: str) -> str:
    """Deliveries held by a destination's open breaker, released together when its probe succeeds."""
    return f"HELD#{destination_key}"


def held(destination_key: str, delivery_id: str) -> Key:
    return {"pk": held_partition(destination_key), "sk": f"DELIVERY#{delivery_id}"}


def pending_bucket(epoch_seconds: float) -> str:
    """GSI2 (sparse): delivery records that are pending, by the hour they became pending (the sweeper)."""
    return f"PENDING#{int(epoch_seconds) // 3600}"


def org_events_gsi(org_id: str) -> str:
    """An org's events by time (GSI1, sort key createdAt#eventId), for replays."""
    return f"EVENTS#{org_id}"


def org_events_sort(created_at: str, event_id: str) -> str:
    return f"{created_at}#{event_id}"


# OnCall: users, personal notification rule chains, escalations (docs/oncall.md).
USER_PREFIX = "USER#"
CHAIN_PREFIX = "CHAIN#"


def oncall_user(org_id: str, user_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"USER#{user_id}"}


def oncall_user_email(org_id: str, email: str) -> Key:
    """Uniqueness guard: one user per (org, lower-cased email)."""
    return {"pk": f"ORG#{org_id}", "sk": f"USEREMAIL#{email.lower()}"}


def oncall_user_counter(org_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": "COUNTER#USERS"}


def oncall_chain(org_id: str, user_id: str, important: bool) -> Key:
    """One item per (user, important) chain: the ordered rules and a version for conditional writes."""
    return {"pk": f"ORG#{org_id}", "sk": f"CHAIN#{user_id}#{int(important)}"}


def oncall_chain_prefix(user_id: str | None = None) -> str:
    return f"CHAIN#{user_id}#" if user_id else CHAIN_PREFIX


def oncall_rule(org_id: str, rule_id: str) -> Key:
    """Pointer from a rule id to its chain (the chain item holds the rule itself)."""
    return {"pk": f"ORG#{org_id}", "sk": f"RULE#{rule_id}"}


ESCALATION_PREFIX = "ESCALATION#"


def escalation(event_id: str, user_id: str) -> Key:
    return {"pk": f"EVENT#{event_id}", "sk": f"ESCALATION#{user_id}"}


def dedup_partition(org_id: str, dedup_key: str) -> str:
    return f"DEDUP#{org_id}#{dedup_key}"


def dedup_resolved(org_id: str, dedup_key: str) -> Key:
    """The latest recovery of a dedupKey: escalations of events triggered before it never start."""
    return {"pk": dedup_partition(org_id, dedup_key), "sk": "RESOLVED"}


def dedup_recovery_queued(org_id: str, dedup_key: str, destination_key: str) -> Key:
    """The latest recovery of a dedupKey queued to one destination: an older trigger is not sent there."""
    return {"pk": dedup_partition(org_id, dedup_key), "sk": f"RECOVERY#{destination_key}"}


def dedup_event(org_id: str, dedup_key: str, event_id: str) -> Key:
    """A triggered event with escalations under a dedupKey, found again by its recovery."""
    return {"pk": dedup_partition(org_id, dedup_key), "sk": f"EVENT#{event_id}"}


def incident(org_id: str, dedup_key: str) -> Key:
    """The dedupKey's latest incident (herald/incidents.py): open or closed, its first event, count, last seen."""
    return {"pk": dedup_partition(org_id, dedup_key), "sk": "INCIDENT"}


def idempotency(org_id: str, key: str) -> Key:
    """An Idempotency-Key of an org: the request's fingerprint and, once done, its answer (24 h, ttl)."""
    return {"pk": f"IDEMPOTENCY#{org_id}#{key}", "sk": "IDEMPOTENCY"}


# --- Mackerel notification groups and channels (all under the org's partition, one Query loads them) ---

MACKEREL_PREFIX = "MKR#"


def mackerel_channel(org_id: str, channel_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"MKR#CHANNEL#{channel_id}"}


def mackerel_group(org_id: str, group_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"MKR#GROUP#{group_id}"}


def mackerel_version(org_id: str) -> Key:
    """One counter per org that every channel/group write bumps: optimistic concurrency for the whole
    configuration (reference checks and cycle checks stay true under concurrent writes)."""
    return {"pk": f"ORG#{org_id}", "sk": "MKR#VERSION"}


def mackerel_incident(org_id: str, incident_key: str) -> Key:
    """A critical incident that is open, so that its recovery passes `notificationLevel: critical`."""
    return {"pk": f"MKRINC#{org_id}#{incident_key}", "sk": "INCIDENT"}


# --- Grafana legacy alert notification channels (under the org's partition) and their open incidents ---

GRAFANA_CHANNEL_PREFIX = "GRF#CH#"


def grafana_channel(org_id: str, channel_id: int) -> Key:
    """Zero-padded id, so one Query lists the org's channels in id order."""
    return {"pk": f"ORG#{org_id}", "sk": f"{GRAFANA_CHANNEL_PREFIX}{channel_id:012d}"}


def grafana_channel_uid(org_id: str, uid: str) -> Key:
    """Uniqueness guard and pointer: uid → channel id."""
    return {"pk": f"ORG#{org_id}", "sk": f"GRF#UID#{uid}"}


def grafana_channel_name(org_id: str, name: str) -> Key:
    """Uniqueness guard: one channel per (org, name)."""
    return {"pk": f"ORG#{org_id}", "sk": f"GRF#NAME#{name}"}


def grafana_channel_counter(org_id: str) -> Key:
    """The org's last channel id: ids increase and are never reused."""
    return {"pk": f"ORG#{org_id}", "sk": "GRF#COUNTER"}


def grafana_incident(org_id: str, dedup_key: str) -> Key:
    """Whether the incident (org, dedupKey) is open, and the triggered event that last notified it."""
    return {"pk": f"GRFINCIDENT#{org_id}#{dedup_key}", "sk": "INCIDENT"}


# --- InfluxDB notification endpoints and labels (under the org's partition) ---
# An endpoint's label mappings sort right after it (NEP#<id>#LABEL#<label>), so one Query returns both.

ENDPOINT_PREFIX = "NEP#"
LABEL_PREFIX = "LABEL#"


def endpoint(org_id: str, endpoint_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"NEP#{endpoint_id}"}


def endpoint_prefix(endpoint_id: str) -> str:
    """The endpoint item and its label mappings (ids have a fixed length, so no other endpoint matches)."""
    return f"NEP#{endpoint_id}"


def endpoint_name(org_id: str, name_digest: str) -> Key:
    """Uniqueness guard: one endpoint per (org, name); the name is hashed to bound the key's size."""
    return {"pk": f"ORG#{org_id}", "sk": f"NEPNAME#{name_digest}"}


def endpoint_label(org_id: str, endpoint_id: str, label_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"NEP#{endpoint_id}#LABEL#{label_id}"}


def label_mappings_gsi(label_id: str) -> str:
    """GSI1 of a label mapping: every resource a label is attached to (removed with the label)."""
    return f"LABELMAP#{label_id}"


def label(org_id: str, label_id: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"LABEL#{label_id}"}


def label_name(org_id: str, name_digest: str) -> Key:
    return {"pk": f"ORG#{org_id}", "sk": f"LABELNAME#{name_digest}"}


# --- Templates (issue 17): one item per (kind, destination) under the org's partition ---

TEMPLATE_PREFIX = "TEMPLATE#"


def template(org_id: str, kind: str, destination_ref: str | None) -> Key:
    """`destination_ref` None is the org's template for the kind."""
    return {"pk": f"ORG#{org_id}", "sk": f"{TEMPLATE_PREFIX}{kind}#{destination_ref or '*'}"}
