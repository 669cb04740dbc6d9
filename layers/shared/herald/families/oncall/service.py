"""OnCall personal notification rules and users: validation in OnCall's words, race-free positions."""

from __future__ import annotations

import math
import re
import secrets
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from herald import clock
from herald.auth.api_keys import Principal
from herald.data import limits
from herald.data.concurrency import WriteConflict
from herald.errors import FieldErrors, NotFound, ValidationFailed
from herald.families.oncall import store as repo
from herald.families.oncall.store import Chain, UserRecord
from herald.families.oncall.wire import (
    DEFAULT_DURATION,
    DURATIONS,
    MAX_PAGE_SIZE,
    RULE_TYPES,
    RULES_PAGE_SIZE,
    USERS_PAGE_SIZE,
    Rule,
    RulePage,
    User,
    UserPage,
)

MAX_RULES_PER_CHAIN = 100
# Every rule of the org counts against the destinations cap (a user's chain is bounded on its own, above).
RULES_COUNTER = "ONCALL_RULES"
_UPPER_ALNUM = string.ascii_uppercase + string.digits


def public_id(prefix: str) -> str:
    """OnCall's public primary keys: 13 upper-case letters and digits (`NT79GA9I7E4DJ`, `U4DNY931HHJS5`)."""
    return prefix + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(12))


def bad_position() -> ValidationFailed:
    return ValidationFailed("Invalid value for position field")


# ---------------------------------------------------------------- validation


def _rule_type(value: Any) -> str:
    if value is None:
        raise FieldErrors({"type": "Type is required"})
    if not isinstance(value, str) or value not in RULE_TYPES:
        raise FieldErrors({"type": "Invalid type"})
    return value


# Django REST Framework's parsing, as OnCall's serializers apply it (BooleanField, IntegerField, ChoiceField).
_DRF_TRUE = frozenset({"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"})
_DRF_FALSE = frozenset({"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"})
_DRF_DECIMAL_ZERO = re.compile(r"\.0*\s*$")
_HMS = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})")


def drf_boolean(value: Any) -> bool | None:
    """DRF's BooleanField: true/false words, 1/0 as numbers or strings; None when it is not one."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value in _DRF_TRUE | _DRF_FALSE:
        return value in _DRF_TRUE
    return None


def drf_integer(value: Any) -> int | None:
    """DRF's IntegerField: `int(str(value))` once a trailing `.0` is cut, so "1", " 1 ", 1.0 and "1.00"
    are 1; True, 1.5 and "one" are not integers."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    text = _DRF_DECIMAL_ZERO.sub("", str(value))
    try:
        return int(text)
    except ValueError:
        return None


def _duration(value: Any) -> int:
    """OnCall's: an "HH:MM:SS" text, or a number of seconds (300 or 300.0), that is one of the choices."""
    seconds: float | None = None
    if isinstance(value, str):
        match = _HMS.fullmatch(value)
        if match:
            hours, minutes, secs = (int(part) for part in match.groups())
            seconds = hours * 3600 + minutes * 60 + secs
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    if seconds is None or seconds not in DURATIONS:
        raise ValidationFailed("Invalid duration format")
    return int(seconds)


def _position(value: Any) -> int | None:
    if value is None:
        return None
    parsed = drf_integer(value)
    if parsed is None:
        raise FieldErrors({"position": ["A valid integer is required."]})
    if parsed < -1:
        raise bad_position()
    return parsed


def _important(value: Any) -> bool:
    if value is None:
        return False
    parsed = drf_boolean(value)
    if parsed is None:
        raise FieldErrors({"important": ["Must be a valid boolean."]})
    return parsed


def _rule(chain: Chain, index: int) -> Rule:
    data = chain.rules[index]
    return Rule(
        id=data["id"],
        user_id=chain.user_id,
        position=index,
        important=chain.important,
        type=data["type"],
        duration=data.get("duration") if data["type"] == "wait" else None,
    )


def _index(chain: Chain, rule_id: str) -> int:
    for index, data in enumerate(chain.rules):
        if data["id"] == rule_id:
            return index
    raise NotFound("Not found.")


# ---------------------------------------------------------------- rules


def create_rule(org_id: str, body: dict[str, Any]) -> Rule:
    user_id = body.get("user_id")
    if user_id is None:
        raise FieldErrors({"user_id": ["This field is required."]})
    rule_type = _rule_type(body.get("type"))
    data: dict[str, Any] = {"id": public_id("N"), "type": rule_type}
    if rule_type == "wait":
        data["duration"] = DEFAULT_DURATION if body.get("duration") is None else _duration(body["duration"])
    elif body.get("duration") is not None:
        raise FieldErrors({"duration": "Duration can't be set"})
    position = _position(body.get("position"))
    important = _important(body.get("important"))
    if not isinstance(user_id, str):
        raise ValidationFailed("User does not exist")

    def attempt() -> Rule:
        # The user's existence is checked inside the write (a ConditionCheck), not read beforehand.
        chain = repo.get_chain(org_id, user_id, important)
        rules = list(chain.rules)
        at = len(rules) if position in (None, -1) else position
        if at > len(rules):
            if chain.version == 0 and repo.get_user(org_id, user_id) is None:
                raise ValidationFailed("User does not exist")
            raise bad_position()
        if len(rules) >= MAX_RULES_PER_CHAIN:
            raise ValidationFailed(f"A notification chain holds at most {MAX_RULES_PER_CHAIN} rules")
        rules.insert(at, data)
        user_check = repo.user_exists_check(org_id, user_id)
        taken = limits.take_destination(org_id, RULES_COUNTER, "personal notification rules")
        reasons = repo.transact([chain.put(rules), repo.pointer_put(chain, data["id"]), user_check, taken.item])
        if reasons and reasons[2] == "ConditionalCheckFailed":
            raise ValidationFailed("User does not exist")
        taken.check(reasons, 3)
        if reasons:
            raise WriteConflict(", ".join(reasons))
        return _rule(Chain(org_id, user_id, important, chain.version + 1, rules), at)

    return repo.retrying(attempt)


def _chain_of(org_id: str, rule_id: str) -> Chain:
    found = repo.pointer(org_id, rule_id)
    if found is None:
        raise NotFound("Not found.")
    return repo.get_chain(org_id, str(found["userId"]), bool(found["important"]))


def get_rule(org_id: str, rule_id: str) -> Rule:
    chain = _chain_of(org_id, rule_id)
    return _rule(chain, _index(chain, rule_id))


def update_rule(org_id: str, rule_id: str, body: dict[str, Any]) -> Rule:
    """PUT and PATCH alike: `position`, `type` and `duration` change; `user_id` and `important` are
    read-only (ignored, as OnCall's serializer ignores read-only fields)."""
    new_type = _rule_type(body["type"]) if body.get("type") is not None else None
    position = _position(body.get("position"))
    duration = body.get("duration")

    def attempt() -> Rule:
        chain = _chain_of(org_id, rule_id)
        index = _index(chain, rule_id)
        rules = list(chain.rules)
        data = dict(rules[index])
        rule_type = new_type or data["type"]
        if rule_type == "wait":
            if duration is not None:
                data["duration"] = _duration(duration)
            elif data["type"] != "wait" or "duration" not in data:
                data["duration"] = DEFAULT_DURATION
        else:
            if duration is not None:
                raise FieldErrors({"duration": "Duration can't be set"})
            data.pop("duration", None)
        data["type"] = rule_type
        rules.pop(index)
        at = index if position is None else (len(rules) if position == -1 else position)
        if at > len(rules):
            raise bad_position()
        rules.insert(at, data)
        repo.write([chain.put(rules)])
        return _rule(Chain(org_id, chain.user_id, chain.important, chain.version + 1, rules), at)

    return repo.retrying(attempt)


def delete_rule(org_id: str, rule_id: str) -> None:
    def attempt() -> None:
        chain = _chain_of(org_id, rule_id)
        index = _index(chain, rule_id)
        rules = [r for i, r in enumerate(chain.rules) if i != index]
        repo.write([chain.put(rules), repo.pointer_delete(org_id, rule_id), limits.give_back(org_id, RULES_COUNTER)])

    repo.retrying(attempt)


def parse_important(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() == "true":
        return True
    if value.lower() == "false":
        return False
    raise ValidationFailed("Important is not bool")


def list_rules(org_id: str, user_id: str | None, important: str | None, pages: PageRequest) -> RulePage:
    wanted = parse_important(important)
    # OnCall orders by user (its primary key: creation order), then the default chain first, then position.
    chains = repo.list_chains(org_id, user_id)
    several_users = len({chain.user_id for chain in chains}) > 1
    created = {user.id: user.grafana_id for user in repo.list_users(org_id)} if several_users else {}
    chains.sort(key=lambda c: (created.get(c.user_id, 0), c.important))
    # a user with a chain exists; only an empty answer needs the user read
    if user_id is not None and not chains and repo.get_user(org_id, user_id) is None:
        raise ValidationFailed("User not found.")
    rules = [_rule(chain, i) for chain in chains if wanted in (None, chain.important) for i in range(len(chain.rules))]
    page, meta = pages.slice(rules, RULES_PAGE_SIZE)
    return RulePage(results=page, **meta)


# ---------------------------------------------------------------- users


def user_view(user: UserRecord) -> User:
    return User(
        id=user.id,
        grafana_id=user.grafana_id,
        email=user.email,
        slack=None,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        is_phone_number_verified=bool(user.config.get("phoneNumber")),
        timezone=user.timezone,
        teams=[],
    )


def get_user(org_id: str, user_id: str) -> User:
    user = repo.get_user(org_id, user_id)
    if user is None:
        raise NotFound("Not found.")
    return user_view(user)


def current_user(who: Principal) -> User:
    """The key's user: the user whose email is the key's name, else the org's first user."""
    users = repo.list_users(who.org_id)
    if not users:
        raise NotFound("Not found.")
    named = [u for u in users if u.email.lower() == who.key_name.lower()]
    return user_view((named or users)[0])


def list_users(org_id: str, email: str | None, username: str | None, pages: PageRequest) -> UserPage:
    users = [
        u
        for u in repo.list_users(org_id)
        if (email is None or u.email.lower() == email.lower())
        and (username is None or u.username.lower() == username.lower())
    ]
    page, meta = pages.slice([user_view(u) for u in users], USERS_PAGE_SIZE)
    return UserPage(results=page, **meta)


def secret_owner(user_id: str) -> str:
    """The owner an OnCall user's contact secrets are sealed under."""
    return f"oncall-user/{user_id}"


def create_user(
    org_id: str,
    email: str,
    username: str | None = None,
    role: str = "editor",
    timezone: str = "UTC",
    config: dict[str, str] | None = None,
    secret_values: dict[str, str] | None = None,
) -> UserRecord:
    """Used by `herald users create`: contact details in `config`, webhook URLs and tokens sealed."""
    from herald import secrets as sealing

    user_id = public_id("U")
    record = UserRecord(
        org_id=org_id,
        id=user_id,
        grafana_id=repo.next_grafana_id(org_id),
        email=email,
        username=username or email.split("@", 1)[0],
        role=role,
        timezone=timezone,
        created_at=clock.iso(),
        config={k: v for k, v in (config or {}).items() if v},
        # Sealed once, under a context naming the user and the field; the escalation hands the values to
        # the senders unchanged (herald.secrets).
        sealed=sealing.seal(org_id, {k: v for k, v in (secret_values or {}).items() if v}, secret_owner(user_id)),
    )
    repo.create_user(record)
    return record


# ---------------------------------------------------------------- pagination


@dataclass(frozen=True)
class PageRequest:
    """?page=N&perpage=M of one request, and what the next/previous links are built from."""

    page: str | None
    perpage: str | None
    base_url: str  # scheme://host/path
    query: dict[str, str]

    def _link(self, page: int) -> str:
        query = {k: v for k, v in self.query.items() if k != "page"}
        if page > 1:
            query["page"] = str(page)
        return self.base_url + (("?" + urlencode(query)) if query else "")

    def slice(self, items: list[Any], default_size: int) -> tuple[list[Any], dict[str, Any]]:
        size = default_size
        if self.perpage:
            try:
                size = max(1, min(int(self.perpage), MAX_PAGE_SIZE))
            except ValueError:
                size = default_size
        total_pages = max(1, math.ceil(len(items) / size))
        if self.page in (None, ""):
            number = 1
        elif self.page == "last":
            number = total_pages
        else:
            try:
                number = int(str(self.page))
            except ValueError:
                raise NotFound("Invalid page.") from None
        if number < 1 or number > total_pages:
            raise NotFound("Invalid page.")
        return items[(number - 1) * size : number * size], {
            "count": len(items),
            "next": self._link(number + 1) if number < total_pages else None,
            "previous": self._link(number - 1) if number > 1 else None,
            "page_size": size,
            "current_page_number": number,
            "total_pages": total_pages,
        }
