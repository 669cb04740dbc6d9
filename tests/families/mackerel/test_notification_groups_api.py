"""Mackerel notification groups and channels (seeds/mackerel-notification-groups.md), route by route,
through API Gateway v2 events routed by template.yaml to the notification_groups function, on moto.
Every request authenticates the way Mackerel's clients do: `X-Api-Key: <key>`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from herald import ids
from herald.data import orgs, table_keys
from herald.data.concurrency import WriteConflict
from herald.data.table import table
from herald.families.mackerel import store as repo
from herald.families.oncall import service as oncall
from herald_local.template import Resolver
from tests.support import module_env
from tests.support.apigw import ApiClient, ApiResponse

MACKEREL_ID = re.compile(r"^[A-Za-z0-9]{11}$")
SLACK_URL = "https://hooks.slack.com/services/T00/B00/slack-plaintext-xyz"
WEBHOOK_URL = "https://hooks.example.com/mackerel/webhook-plaintext-xyz?token=abc"
CHANNELS = "/api/v0/channels"
GROUPS = "/api/v0/notification-groups"

EMAIL_BODY: dict[str, Any] = {
    "name": "ops mail",
    "type": "email",
    "emails": ["ops@example.com", "oncall@example.com"],
    "userIds": [],
    "events": ["alert", "hostStatus"],
}
SLACK_BODY: dict[str, Any] = {
    "name": "slack #ops",
    "type": "slack",
    "url": SLACK_URL,
    "mentions": {"ok": "ok!", "warning": "@here", "critical": "@channel"},
    "enabledGraphImage": True,
    "events": ["alert"],
}
WEBHOOK_BODY: dict[str, Any] = {
    "name": "receiver",
    "type": "webhook",
    "url": WEBHOOK_URL,
    "enabledGraphImage": False,
    "events": ["alert", "monitor"],
}
BODIES = {"email": EMAIL_BODY, "slack": SLACK_BODY, "webhook": WEBHOOK_BODY}

ROUTES: list[tuple[str, str, str]] = [
    ("GET", CHANNELS, "channels:read"),
    ("POST", CHANNELS, "channels:write"),
    ("PUT", CHANNELS + "/{id}", "channels:write"),
    ("DELETE", CHANNELS + "/{id}", "channels:write"),
    ("GET", GROUPS, "groups:read"),
    ("POST", GROUPS, "groups:write"),
    ("PUT", GROUPS + "/{id}", "groups:write"),
    ("DELETE", GROUPS + "/{id}", "groups:write"),
]


# --- environment: one moto per module, one org per test ----------------------------------------------


# one moto per module, a fresh table per test (tests/support/module_env.py)
aws_env, api = module_env.aws_env, module_env.api
module_api, module_aws = module_env.module_api, module_env.module_aws


# --- helpers -----------------------------------------------------------------------------------------


def call(api: ApiClient, method: str, path: str, key: str | None, body: Any = None) -> ApiResponse:
    headers = {"X-Api-Key": key} if key is not None else {}
    return api.request(method, path, body, headers=headers)


def ok(response: ApiResponse) -> Any:
    assert response.status == 200, response.text
    return response.json()


def assert_error(response: ApiResponse, status: int) -> str:
    assert response.status == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message"}, body
    message = body["error"]["message"]
    assert isinstance(message, str) and message
    return message


def create_channel(api: ApiClient, key: str, body: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(call(api, "POST", CHANNELS, key, {**(body or WEBHOOK_BODY), **changes}))
    return created


def create_group(api: ApiClient, key: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "group", "notificationLevel": "all", "childNotificationGroupIds": [], "childChannelIds": []}
    created: dict[str, Any] = ok(call(api, "POST", GROUPS, key, {**body, **fields}))
    return created


def groups(api: ApiClient, key: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = ok(call(api, "GET", GROUPS, key))["notificationGroups"]
    return listed


def default_group(api: ApiClient, key: str) -> dict[str, Any]:
    [found] = [g for g in groups(api, key) if g["type"] == "group-default"]
    return found


def group_body(group: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**{k: v for k, v in group.items() if k not in ("id", "type")}, **changes}


def channel_item(org_id: str, channel_id: str) -> dict[str, Any]:
    item: dict[str, Any] = table().get_item(Key=table_keys.mackerel_channel(org_id, channel_id))["Item"]
    return item


# --- channels ----------------------------------------------------------------------------------------


def test_channel_list_starts_empty(api: ApiClient, token: str) -> None:
    assert ok(call(api, "GET", CHANNELS, token)) == {"channels": []}


def test_create_email_channel_returns_it_with_id_and_suspended_at(api: ApiClient, token: str) -> None:
    created = create_channel(api, token, EMAIL_BODY)
    assert MACKEREL_ID.match(created["id"])
    assert created == {
        "id": created["id"],
        "name": "ops mail",
        "type": "email",
        "suspendedAt": None,
        "emails": ["ops@example.com", "oncall@example.com"],
        "userIds": [],
        "events": ["alert", "hostStatus"],
    }
    assert ok(call(api, "GET", CHANNELS, token)) == {"channels": [created]}


def test_create_slack_channel_returns_the_url_and_seals_it(api: ApiClient, token: str, org_id: str) -> None:
    response = call(api, "POST", CHANNELS, token, SLACK_BODY)
    created = ok(response)
    assert created == {
        "id": created["id"],
        "name": "slack #ops",
        "type": "slack",
        "suspendedAt": None,
        "url": SLACK_URL,  # Mackerel returns the saved URL
        "mentions": {"ok": "ok!", "warning": "@here", "critical": "@channel"},
        "enabledGraphImage": True,
        "events": ["alert"],
    }
    assert ok(call(api, "GET", CHANNELS, token)) == {"channels": [created]}
    item = channel_item(org_id, created["id"])
    assert "slack-plaintext-xyz" not in repr(item)
    assert set(item["sealed"]) == {"webhookUrl"}


def test_create_webhook_channel_returns_the_url_and_seals_it(api: ApiClient, token: str, org_id: str) -> None:
    response = call(api, "POST", CHANNELS, token, WEBHOOK_BODY)
    created = ok(response)
    assert created == {
        "id": created["id"],
        "name": "receiver",
        "type": "webhook",
        "suspendedAt": None,
        "url": WEBHOOK_URL,
        "enabledGraphImage": False,
        "events": ["alert", "monitor"],
    }
    item = channel_item(org_id, created["id"])
    assert set(item["sealed"]) == {"url"} and "webhook-plaintext-xyz" not in repr(item)  # sealed at rest


def test_channel_defaults(api: ApiClient, token: str) -> None:
    email = create_channel(api, token, {"name": "m", "type": "email", "emails": ["a@example.com"]})
    assert email["userIds"] == [] and email["events"] == ["alert"]
    slack = create_channel(api, token, {"name": "s", "type": "slack", "url": SLACK_URL})
    assert slack["mentions"] == {} and slack["enabledGraphImage"] is False and slack["events"] == ["alert"]
    hook = create_channel(api, token, {"name": "w", "type": "webhook", "url": WEBHOOK_URL, "events": []})
    assert hook["events"] == []


def test_null_lists_from_go_clients_read_as_empty(api: ApiClient, token: str) -> None:
    created = create_channel(api, token, {"name": "m", "type": "email", "emails": None, "userIds": None})
    assert created["emails"] == [] and created["userIds"] == []


def test_ids_are_unique_11_char_alphanumerics(api: ApiClient, token: str) -> None:
    made = [create_channel(api, token)["id"] for _ in range(5)]
    assert len(set(made)) == 5 and all(MACKEREL_ID.match(i) for i in made)


def test_add_to_default_notification_group(api: ApiClient, token: str) -> None:
    plain = create_channel(api, token)
    added = create_channel(api, token, addToDefaultNotificationGroup=True)
    assert "addToDefaultNotificationGroup" not in added
    assert default_group(api, token)["childChannelIds"] == [added["id"]]
    assert plain["id"] not in default_group(api, token)["childChannelIds"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**EMAIL_BODY, "emails": ["not-an-email"]}, "emails"),
        ({**EMAIL_BODY, "userIds": ["2vh7AZ21abc"]}, "userIds: user not found: 2vh7AZ21abc"),
        ({**EMAIL_BODY, "events": ["alert", "coffee"]}, "events"),
        ({**SLACK_BODY, "url": "hooks.slack.com/services/x"}, "url"),
        ({**SLACK_BODY, "url": "ftp://hooks.slack.com/x"}, "url"),
        ({**WEBHOOK_BODY, "url": "not a url"}, "url"),
        ({**WEBHOOK_BODY, "url": None}, "url"),
        ({**WEBHOOK_BODY, "events": ["ALERT"]}, "events"),
        ({**SLACK_BODY, "mentions": {"ok": 1}}, "mentions"),
        ({**SLACK_BODY, "enabledGraphImage": "yes"}, "enabledGraphImage"),
        ({k: v for k, v in WEBHOOK_BODY.items() if k != "name"}, "name"),
        ({**WEBHOOK_BODY, "name": ""}, "name"),
        ({**WEBHOOK_BODY, "type": "chatwork"}, ""),
        ({k: v for k, v in WEBHOOK_BODY.items() if k != "type"}, ""),
    ],
)
def test_invalid_channel_bodies_are_400(api: ApiClient, token: str, body: dict[str, Any], fragment: str) -> None:
    message = assert_error(call(api, "POST", CHANNELS, token, body), 400)
    assert fragment in message
    assert ok(call(api, "GET", CHANNELS, token)) == {"channels": []}


def test_malformed_json_is_400(api: ApiClient, token: str) -> None:
    response = api.request("POST", CHANNELS, raw_body="{", headers={"X-Api-Key": token})
    assert assert_error(response, 400) == "Request body is not valid JSON"


@pytest.mark.parametrize("kind", ["email", "slack", "webhook"])
def test_put_channel_replaces_it(api: ApiClient, token: str, kind: str) -> None:
    created = create_channel(api, token, BODIES[kind])
    body = {**BODIES[kind], "name": "renamed", "events": ["alert"]}
    updated = ok(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, body))
    assert updated == {**created, "name": "renamed", "events": ["alert"]}
    assert ok(call(api, "GET", CHANNELS, token))["channels"] == [updated]


def test_email_channel_user_ids_name_the_orgs_oncall_users(api: ApiClient, token: str, org_id: str) -> None:
    alice = oncall.create_user(org_id, "alice@example.com").id
    other_org = ids.org_id()
    orgs.ensure(other_org)
    stranger = oncall.create_user(other_org, "bob@example.com").id
    created = create_channel(api, token, {**EMAIL_BODY, "userIds": [alice]})
    assert created["userIds"] == [alice]
    refused = call(api, "POST", CHANNELS, token, {**EMAIL_BODY, "userIds": [alice, stranger, "nobody"]})
    assert assert_error(refused, 400) == f"userIds: user not found: {stranger}, nobody"
    update = call(api, "PUT", f"{CHANNELS}/{created['id']}", token, {**EMAIL_BODY, "userIds": ["nobody"]})
    assert assert_error(update, 400) == "userIds: user not found: nobody"


def test_put_channel_with_the_saved_url_keeps_the_stored_seal(api: ApiClient, token: str, org_id: str) -> None:
    created = create_channel(api, token, WEBHOOK_BODY)
    sealed = channel_item(org_id, created["id"])["sealed"]
    ok(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, {**created, "name": "again"}))
    assert channel_item(org_id, created["id"])["sealed"] == sealed


def test_put_channel_with_the_masked_url_keeps_the_stored_one(api: ApiClient, token: str, org_id: str) -> None:
    created = create_channel(api, token, SLACK_BODY)
    sealed = channel_item(org_id, created["id"])["sealed"]
    ok(
        call(
            api,
            "PUT",
            f"{CHANNELS}/{created['id']}",
            token,
            {**created, "name": "again", "url": "https://hooks.slack.com/********"},
        )
    )
    assert channel_item(org_id, created["id"])["sealed"] == sealed


def test_put_channel_with_a_new_url_replaces_it(api: ApiClient, token: str, org_id: str) -> None:
    created = create_channel(api, token, WEBHOOK_BODY)
    sealed = channel_item(org_id, created["id"])["sealed"]
    updated = ok(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, {**WEBHOOK_BODY, "url": "http://other.test/x"}))
    assert updated["url"] == "http://other.test/x"
    assert channel_item(org_id, created["id"])["sealed"] != sealed


def test_put_channel_cannot_change_its_type(api: ApiClient, token: str) -> None:
    created = create_channel(api, token, WEBHOOK_BODY)
    message = assert_error(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, SLACK_BODY), 400)
    assert "type" in message
    assert ok(call(api, "GET", CHANNELS, token))["channels"] == [created]


def test_put_channel_validates_like_create(api: ApiClient, token: str) -> None:
    created = create_channel(api, token, EMAIL_BODY)
    assert_error(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, {**EMAIL_BODY, "emails": ["x@"]}), 400)
    assert_error(call(api, "PUT", f"{CHANNELS}/{created['id']}", token, {**EMAIL_BODY, "events": ["x"]}), 400)


def test_put_unknown_channel_is_404(api: ApiClient, token: str) -> None:
    assert_error(call(api, "PUT", f"{CHANNELS}/2vh7AZ21abc", token, WEBHOOK_BODY), 404)


def test_delete_channel_returns_it_and_takes_it_out_of_groups(api: ApiClient, token: str) -> None:
    created = create_channel(api, token, EMAIL_BODY, addToDefaultNotificationGroup=True)
    keep = create_channel(api, token)
    group = create_group(api, token, childChannelIds=[created["id"], keep["id"]])
    assert ok(call(api, "DELETE", f"{CHANNELS}/{created['id']}", token)) == created
    assert ok(call(api, "GET", CHANNELS, token))["channels"] == [keep]
    listed = {g["id"]: g for g in groups(api, token)}
    assert listed[group["id"]]["childChannelIds"] == [keep["id"]]
    assert default_group(api, token)["childChannelIds"] == []
    assert_error(call(api, "DELETE", f"{CHANNELS}/{created['id']}", token), 404)


# --- notification groups -----------------------------------------------------------------------------


def test_the_default_group_exists_from_the_start(api: ApiClient, token: str, org_id: str) -> None:
    assert groups(api, token) == [
        {
            "id": ids.mackerel_default_group_id(org_id),
            "type": "group-default",
            "name": "Default",
            "notificationLevel": "all",
            "childNotificationGroupIds": [],
            "childChannelIds": [],
            "monitors": [],
            "services": [],
        }
    ]
    item = table().get_item(Key=table_keys.mackerel_group(org_id, ids.mackerel_default_group_id(org_id)))
    assert item["Item"]["groupType"] == "group-default"  # written with the org, not by the first GET


def test_org_ensure_creates_the_default_group_once(aws_env: Resolver) -> None:
    org = ids.org_id()
    assert orgs.ensure(org) is True
    assert orgs.ensure(org) is False
    config = repo.load(org)
    assert [g.group_type for g in config.groups.values()] == ["group-default"]


def test_org_ensure_adds_the_default_group_to_an_org_that_predates_it(aws_env: Resolver) -> None:
    org = ids.org_id()
    orgs.ensure(org)
    table().delete_item(Key=table_keys.mackerel_group(org, ids.mackerel_default_group_id(org)))
    assert repo.load(org).default_group is None
    assert orgs.ensure(org) is False
    assert repo.load(org).default_group is not None


def test_create_group_as_the_seed_example(api: ApiClient, token: str) -> None:
    channel = create_channel(api, token)
    body = {
        "name": "Example notification group",
        "notificationLevel": "all",
        "childNotificationGroupIds": [],
        "childChannelIds": [channel["id"]],
        "monitors": [{"id": "2qtozU21abc", "skipDefault": False}],
        "services": [{"name": "Example-Service-1"}, {"name": "Example-Service-2"}],
    }
    created = ok(call(api, "POST", GROUPS, token, body))
    assert MACKEREL_ID.match(created["id"])
    assert created == {**body, "id": created["id"], "type": "group"}
    assert groups(api, token)[1:] == [created]


def test_create_group_with_optional_fields_left_out_or_null(api: ApiClient, token: str) -> None:
    created = ok(
        call(
            api,
            "POST",
            GROUPS,
            token,
            {"name": "g", "notificationLevel": "critical", "childNotificationGroupIds": None, "childChannelIds": None},
        )
    )
    assert created == {
        "id": created["id"],
        "type": "group",
        "name": "g",
        "notificationLevel": "critical",
        "childNotificationGroupIds": [],
        "childChannelIds": [],
        "monitors": [],
        "services": [],
    }


def test_groups_list_default_first_then_in_creation_order(api: ApiClient, token: str) -> None:
    made = [create_group(api, token, name=f"g{i}")["id"] for i in range(3)]
    listed = groups(api, token)
    assert listed[0]["type"] == "group-default" and [g["id"] for g in listed[1:]] == made


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"notificationLevel": "warning"}, "notificationLevel"),
        ({"notificationLevel": None}, "notificationLevel"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"childNotificationGroupIds": ["nosuchgroup"]}, "nosuchgroup"),
        ({"childChannelIds": ["nosuchchan1"]}, "nosuchchan1"),
        ({"childChannelIds": "abc"}, "childChannelIds"),
        ({"monitors": [{"skipDefault": True}]}, "monitors"),
        ({"monitors": [{"id": "m1", "skipDefault": "true"}]}, "skipDefault"),
        ({"services": [{"name": ""}]}, "services"),
        ({"services": ["svc"]}, "services"),
    ],
)
def test_invalid_group_bodies_are_400(api: ApiClient, token: str, changes: dict[str, Any], fragment: str) -> None:
    body = {"name": "g", "notificationLevel": "all", "childNotificationGroupIds": [], "childChannelIds": [], **changes}
    assert fragment in assert_error(call(api, "POST", GROUPS, token, body), 400)
    assert len(groups(api, token)) == 1


def test_missing_required_group_fields_are_400(api: ApiClient, token: str) -> None:
    assert "name" in assert_error(call(api, "POST", GROUPS, token, {"notificationLevel": "all"}), 400)
    assert "notificationLevel" in assert_error(call(api, "POST", GROUPS, token, {"name": "g"}), 400)


def test_put_group_replaces_the_whole_object(api: ApiClient, token: str) -> None:
    channel = create_channel(api, token)
    child = create_group(api, token, name="child")
    group = create_group(
        api, token, name="g", monitors=[{"id": "mon_1", "skipDefault": True}], services=[{"name": "svc"}]
    )
    body = {
        "name": "g2",
        "notificationLevel": "critical",
        "childNotificationGroupIds": [child["id"]],
        "childChannelIds": [channel["id"]],
    }
    updated = ok(call(api, "PUT", f"{GROUPS}/{group['id']}", token, body))
    assert updated == {**body, "id": group["id"], "type": "group", "monitors": [], "services": []}
    assert {g["id"]: g for g in groups(api, token)}[group["id"]] == updated


def test_put_unknown_group_is_404(api: ApiClient, token: str) -> None:
    body = {"name": "g", "notificationLevel": "all", "childNotificationGroupIds": [], "childChannelIds": []}
    assert_error(call(api, "PUT", f"{GROUPS}/2vh7AZ21abc", token, body), 404)


def test_put_group_with_unknown_children_is_400(api: ApiClient, token: str) -> None:
    group = create_group(api, token)
    assert_error(call(api, "PUT", f"{GROUPS}/{group['id']}", token, group_body(group, childChannelIds=["zzz"])), 400)
    body = group_body(group, childNotificationGroupIds=["zzz"])
    assert_error(call(api, "PUT", f"{GROUPS}/{group['id']}", token, body), 400)


def test_a_group_cannot_contain_itself(api: ApiClient, token: str) -> None:
    group = create_group(api, token)
    body = group_body(group, childNotificationGroupIds=[group["id"]])
    assert "itself" in assert_error(call(api, "PUT", f"{GROUPS}/{group['id']}", token, body), 400)


def test_a_group_cannot_contain_itself_through_children(api: ApiClient, token: str) -> None:
    c = create_group(api, token, name="c")
    b = create_group(api, token, name="b", childNotificationGroupIds=[c["id"]])
    a = create_group(api, token, name="a", childNotificationGroupIds=[b["id"]])
    body = group_body(c, childNotificationGroupIds=[a["id"]])
    assert "itself" in assert_error(call(api, "PUT", f"{GROUPS}/{c['id']}", token, body), 400)
    body = group_body(b, childNotificationGroupIds=[c["id"], a["id"]])
    assert "itself" in assert_error(call(api, "PUT", f"{GROUPS}/{b['id']}", token, body), 400)
    # A diamond is not a cycle.
    d = create_group(api, token, name="d", childNotificationGroupIds=[b["id"], c["id"]])
    assert d["childNotificationGroupIds"] == [b["id"], c["id"]]


def test_default_group_can_be_updated_but_not_renamed(api: ApiClient, token: str) -> None:
    default = default_group(api, token)
    channel = create_channel(api, token)
    body = group_body(default, notificationLevel="critical", childChannelIds=[channel["id"]])
    updated = ok(call(api, "PUT", f"{GROUPS}/{default['id']}", token, body))
    assert updated == {**default, "notificationLevel": "critical", "childChannelIds": [channel["id"]]}
    message = assert_error(call(api, "PUT", f"{GROUPS}/{default['id']}", token, group_body(default, name="x")), 400)
    assert "renamed" in message
    assert default_group(api, token) == updated


def test_default_group_cannot_be_deleted(api: ApiClient, token: str) -> None:
    default = default_group(api, token)
    assert "deleted" in assert_error(call(api, "DELETE", f"{GROUPS}/{default['id']}", token), 400)
    assert default_group(api, token) == default


def test_delete_group_returns_it_as_it_was_and_unlinks_it(api: ApiClient, token: str) -> None:
    channel = create_channel(api, token)
    child = create_group(api, token, name="child", childChannelIds=[channel["id"]], services=[{"name": "s"}])
    parent = create_group(api, token, name="parent", childNotificationGroupIds=[child["id"]])
    assert ok(call(api, "DELETE", f"{GROUPS}/{child['id']}", token)) == child
    listed = {g["id"]: g for g in groups(api, token)}
    assert child["id"] not in listed
    assert listed[parent["id"]]["childNotificationGroupIds"] == []
    assert_error(call(api, "DELETE", f"{GROUPS}/{child['id']}", token), 404)


def test_a_write_validated_against_a_stale_configuration_cannot_commit(api: ApiClient, token: str, org_id: str) -> None:
    stale = repo.load(org_id)
    create_group(api, token)  # bumps the org's version
    record = next(iter(stale.groups.values())).model_copy(update={"child_group_ids": ["anything"]})
    with pytest.raises(WriteConflict):
        repo.commit(stale, [record])


# --- auth, scopes, tenancy ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_missing_or_bad_key_is_401(api: ApiClient, token: str, method: str, path: str, scope: str) -> None:
    url = path.replace("{id}", "2vh7AZ21abc")
    assert_error(call(api, method, url, None, {"bad": "body"} if method in ("POST", "PUT") else None), 401)
    assert_error(call(api, method, url, "hrld_not-a-real-key-000000", None), 401)


@pytest.mark.parametrize(("method", "path", "scope"), ROUTES)
def test_a_key_without_the_scope_is_403(
    api: ApiClient, org_id: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    others = [s for s in ("channels:read", "channels:write", "groups:read", "groups:write") if s != scope]
    key = make_token(org_id, others)
    url = path.replace("{id}", "2vh7AZ21abc")
    assert scope in assert_error(call(api, method, url, key, {} if method in ("POST", "PUT") else None), 403)


def test_read_key_reads_and_write_key_writes(api: ApiClient, org_id: str, make_token: Callable[..., str]) -> None:
    read = make_token(org_id, ["channels:read", "groups:read"])
    write = make_token(org_id, ["channels:read", "groups:read", "channels:write", "groups:write"])
    assert ok(call(api, "GET", CHANNELS, read)) == {"channels": []}
    assert len(groups(api, read)) == 1
    assert_error(call(api, "POST", CHANNELS, read, WEBHOOK_BODY), 403)
    create_channel(api, write)
    create_group(api, write)


def test_another_orgs_ids_are_404(api: ApiClient, token: str, make_token: Callable[..., str]) -> None:
    other = ids.org_id()
    orgs.ensure(other)
    other_key = make_token(other)
    channel = create_channel(api, token)
    group = create_group(api, token)
    assert_error(call(api, "PUT", f"{CHANNELS}/{channel['id']}", other_key, WEBHOOK_BODY), 404)
    assert_error(call(api, "DELETE", f"{CHANNELS}/{channel['id']}", other_key), 404)
    assert_error(call(api, "PUT", f"{GROUPS}/{group['id']}", other_key, group_body(group)), 404)
    assert_error(call(api, "DELETE", f"{GROUPS}/{group['id']}", other_key), 404)
    body = {"name": "x", "notificationLevel": "all", "childChannelIds": [channel["id"]]}
    assert_error(call(api, "POST", GROUPS, other_key, body), 400)
    assert ok(call(api, "GET", CHANNELS, other_key)) == {"channels": []}
    assert len(groups(api, other_key)) == 1
