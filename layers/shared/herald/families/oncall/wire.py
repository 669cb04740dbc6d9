"""Grafana OnCall's public API (seeds/oncall-personal-notification-rules.md): rules, users, pages."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from herald.errors import HeraldError

RuleType = Literal[
    "wait",
    "notify_by_slack",
    "notify_by_sms",
    "notify_by_phone_call",
    "notify_by_telegram",
    "notify_by_email",
    "notify_by_mobile_app",
    "notify_by_mobile_app_critical",
    "notify_by_webhook",
    "notify_by_msteams",
]
RULE_TYPES: tuple[str, ...] = get_args(RuleType)
DURATIONS: tuple[int, ...] = (60, 300, 900, 1800, 3600)
DEFAULT_DURATION = 300
RULES_PAGE_SIZE = 50
USERS_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100


class RuleIn(BaseModel):
    """Request body of POST/PUT/PATCH. Loose on purpose: the domain validates it field by field so that
    each error comes out in OnCall's own words (`{"type": "Invalid type"}`, …)."""

    model_config = ConfigDict(extra="allow")
    user_id: Any = Field(default=None, description="User ID (required on POST, read-only on update)")
    position: Any = Field(default=None, description="0-based position in the chain; -1 or absent appends")
    important: Any = Field(default=None, description="Which chain: the important one or the default (false)")
    type: Any = Field(default=None, description="One of: " + ", ".join(RULE_TYPES))
    duration: Any = Field(default=None, description="Seconds to wait (type=wait only): 60, 300, 900, 1800, 3600")


class Rule(BaseModel):
    id: str = Field(pattern=r"^[A-Z0-9]{13}$")
    user_id: str
    position: int
    duration: int | None = Field(
        default=None, description="Present only for wait rules", exclude_if=lambda value: value is None
    )
    important: bool
    type: RuleType


class SlackIdentity(BaseModel):
    user_id: str
    team_id: str


class User(BaseModel):
    id: str = Field(pattern=r"^[A-Z0-9]{13}$")
    grafana_id: int
    email: str
    slack: SlackIdentity | None
    username: str
    role: Literal["admin", "editor", "viewer", "none"]
    is_phone_number_verified: bool
    timezone: str
    teams: list[str]


class _Page(BaseModel):
    count: int
    next: str | None
    previous: str | None
    page_size: int
    current_page_number: int
    total_pages: int


class RulePage(_Page):
    results: list[Rule]


class UserPage(_Page):
    results: list[User]


def oncall_error(error: HeraldError) -> dict[str, Any]:
    """Grafana OnCall (Django REST framework): {"detail": "…"} or a field → message(s) object."""
    from herald.errors import FieldErrors, Forbidden, NotFound, Unauthorized

    if isinstance(error, FieldErrors):
        return dict(error.body)
    if isinstance(error, Unauthorized):
        return {"detail": "Invalid token."}
    if isinstance(error, Forbidden):
        return {"detail": "You do not have permission to perform this action."}
    if isinstance(error, NotFound):
        return {"detail": error.message if error.message == "Invalid page." else "Not found."}
    if error.status >= 500:
        return {"detail": "A server error occurred."}
    return {"detail": error.message}


def oncall_status(error: HeraldError) -> int:
    """OnCall sends no 401: a bad or missing token is 403."""
    return 403 if error.status == 401 else error.status
