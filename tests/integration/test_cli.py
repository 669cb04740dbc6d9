"""The `herald` CLI in-process on moto: arguments, help, cross-org listings, dry runs and one-line errors."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from herald import clock, ids
from herald.auth.api_keys import list_keys
from herald.auth.scopes import ALL_SCOPES
from herald.cli import main, parser
from herald.cli.failures import one_line
from herald.cli.scopes import epilog
from herald.data import deliveries, orgs
from herald.data.deliveries import DeliveryRecord
from herald.domain.events import submit_event
from herald.models.events import EventIn
from herald_local.template import Resolver

pytestmark = pytest.mark.usefixtures("aws_env")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--output", "json")
    assert code == 0, err
    return json.loads(out)


def failed_event(org_id: str, title: str) -> tuple[str, str]:
    """Given an event of the org whose one delivery failed."""
    event = submit_event(org_id, EventIn.model_validate({"status": "triggered", "title": title, "monitorId": "mon_1"}))
    now = clock.iso()
    record = DeliveryRecord(
        id=ids.delivery_id(event.id, "dest"),
        event_id=event.id,
        org_id=org_id,
        kind="webhook",
        family="alerts",
        destination_id="alt_1",
        destination_name="ops hook",
        message={"title": title},
        status="failed",
        attempts=5,
        last_error="HTTP 500",
        created_at=now,
        updated_at=now,
    )
    assert deliveries.put_if_absent(record)
    return event.id, record.id


def test_every_argument_has_help_and_scopes_are_listed_by_family() -> None:
    def walk(command: argparse.ArgumentParser, path: str) -> list[str]:
        missing = []
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    missing += walk(sub, f"{path} {name}")
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return missing

    assert walk(parser(), "herald") == []
    listing = epilog()
    assert all(listing.count(scope) == 1 for scope in ALL_SCOPES)
    assert "uptime alerts (/v1/alerts)" in listing and "Grafana OnCall" in listing


def test_scope_all_combines_with_others_and_commas_split(capsys: pytest.CaptureFixture[str]) -> None:
    org_id = ids.org_id()
    created = run_json(capsys, "keys", "create", "--org", org_id, "--scope", "alerts:read,events:write")
    assert created["scopes"] == ["alerts:read", "events:write"] and created["token"].startswith("hrld_")
    assert run_json(capsys, "keys", "create", "--org", org_id, "--scope", "all", "--scope", "alerts:read")[
        "scopes"
    ] == sorted(ALL_SCOPES)
    assert len(list_keys(org_id)) == 2


def test_orgs_create_generates_an_id_and_refuses_a_taken_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "orgs", "create", "--name", "acme")
    org_id = out.strip()
    assert code == 0 and len(org_id) == 16 and orgs.get(org_id) is not None
    code, _, err = run(capsys, "orgs", "create", "--name", "again", "--id", org_id)
    assert code == 1 and err == f"herald: org {org_id} already exists\n"


def test_deliveries_list_reads_every_org_and_filters_by_status(capsys: pytest.CaptureFixture[str]) -> None:
    first, second = ids.org_id(), ids.org_id()
    for org_id in (first, second):
        orgs.ensure(org_id)
    _, one = failed_event(first, "disk full")
    _, two = failed_event(second, "cpu hot")

    failed = run_json(capsys, "deliveries", "list", "--status", "failed", "--since", "1h")
    assert {d["id"]: d["orgId"] for d in failed if d["id"] in (one, two)} == {one: first, two: second}
    assert all("sealed" not in d and "message" not in d for d in failed)
    assert [d["id"] for d in run_json(capsys, "deliveries", "list", "--org", first)] == [one]
    assert run_json(capsys, "deliveries", "list", "--status", "delivered", "--org", first) == []
    assert run_json(capsys, "deliveries", "show", two)["lastError"] == "HTTP 500"
    code, out, _ = run(capsys, "deliveries", "list", "--status", "failed", "--org", second)
    assert code == 0 and out.splitlines()[0].split()[:2] == ["DELIVERY", "EVENT"] and "cpu hot" not in out
    assert two in out and "HTTP 500" in out


def test_replay_since_defaults_until_to_now_and_dry_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], aws_env: Resolver
) -> None:
    org_id = ids.org_id()
    orgs.ensure(org_id)
    event_id, delivery_id = failed_event(org_id, "disk full")

    plan = run_json(capsys, "events", "replay", "--org", org_id, "--since", "5m", "--resend-failed", "--dry-run")
    assert plan["dryRun"] and [(e["id"], e["failed"]) for e in plan["events"]] == [(event_id, 1)]
    assert deliveries.get(event_id, delivery_id).status == "failed"  # type: ignore[union-attr]

    code, out, err = run(capsys, "events", "replay", "--org", org_id, "--since", "5m", "--resend-failed")
    assert code == 0 and "replayed 1 events: 1 failed deliveries reset" in out and "1/1" in err
    assert deliveries.get(event_id, delivery_id).status == "pending"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "expected", "code"),
    [
        (["users", "create", "--org", "o1", "--email", "not-an-email"], "--email not-an-email: must be a valid", 2),
        (["users", "create", "--org", "o1", "--email", "a@example.com", "--phone", "555"], "E.164", 2),
        (["events", "show", "evt_missing"], "no event evt_missing", 1),
        (["events", "replay"], "--until defaults to now", 2),
        (["events", "replay", "--id", "evt_missing"], "no such event: evt_missing", 1),
        (["deliveries", "show", "dlv_missing"], "no delivery dlv_missing in events since", 1),
        (["keys", "revoke", "--org", "o1", "--id", "key_missing"], "no active key key_missing in org o1", 1),
        (["events", "list", "--since", "yesterday"], "not a time: 'yesterday'", 2),
        (["keys", "create", "--org", "o1"], "the following arguments are required: --scope", 2),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(
    args: list[str], expected: str, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(args)
    except SystemExit as exit_:  # argparse's own errors exit from inside parse_args
        status = int(exit_.code or 0)
    _, err = capsys.readouterr()
    assert status == code
    assert len(err.strip().splitlines()) == 1 and err.startswith("herald: ") and expected in err, err
    assert "Traceback" not in err and "For further information" not in err


def test_a_private_webhook_on_a_refusing_stack_says_why_and_how_to_allow_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "0")
    code, _, err = run(
        capsys, "users", "create", "--org", "o1", "--email", "a@example.com", "--webhook", "http://127.0.0.1:9000/x"
    )
    assert code == 2 and len(err.splitlines()) == 1
    assert "--webhook http://127.0.0.1:9000/x: target address 127.0.0.1 is not allowed" in err
    assert "private" in err and "HERALD_ALLOW_PRIVATE_TARGETS=1" in err


def test_aws_failures_read_as_one_line() -> None:
    from botocore.exceptions import NoCredentialsError, NoRegionError
    from pydantic import BaseModel, ValidationError

    class Model(BaseModel):
        count: int

    with pytest.raises(ValidationError) as invalid:
        Model.model_validate({"count": "many"})
    assert one_line(invalid.value) == (
        "count: Input should be a valid integer, unable to parse string as an integer",
        2,
    )
    assert one_line(NoCredentialsError())[0].startswith("no AWS credentials: set AWS_PROFILE")
    assert one_line(NoRegionError())[0] == "no AWS region: pass --region or set AWS_REGION"


def test_orgs_limits_shows_the_defaults_then_stores_overrides_for_that_org_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from herald.limits import DEFAULTS

    ours, theirs = "0123456789abcdef", "fedcba9876543210"
    orgs.ensure(ours)
    orgs.ensure(theirs)
    shown = run_json(capsys, "orgs", "limits", "--org", ours)
    assert shown == {"orgId": ours, "limits": DEFAULTS, "overrides": {}}
    changed = run_json(capsys, "orgs", "limits", "--org", ours, "--destinations", "5000", "--sms-per-day", "0")
    assert changed["limits"] == {**DEFAULTS, "destinations": 5000, "sms-per-day": 0}
    assert changed["overrides"] == {"destinations": 5000, "sms-per-day": 0}
    again = run_json(capsys, "orgs", "limits", "--org", ours, "--timers", "7")  # earlier overrides stay
    assert again["overrides"] == {"destinations": 5000, "sms-per-day": 0, "timers": 7}
    assert run_json(capsys, "orgs", "limits", "--org", theirs)["overrides"] == {}
    code, out, _ = run(capsys, "orgs", "limits", "--org", ours)
    assert code == 0
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()[1:]}
    assert rows["destinations"] == ["5000", "override"] and rows["voice-per-day"] == ["200", "default"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["orgs", "limits", "--org", "nope"], "no org nope"),
        (["orgs", "limits", "--org", "0123456789abcdef", "--destinations", "-1"], "cannot be negative"),
        (["orgs", "limits", "--org", "0123456789abcdef", "--timers", "many"], "not a whole number"),
    ],
)
def test_orgs_limits_refuses_bad_input_in_one_line(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    orgs.ensure("0123456789abcdef")
    try:
        status = main(args)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert status != 0 and len(err.strip().splitlines()) == 1 and expected in err, err
