"""Issue 15 item 14: abuse can be attributed. The access log has the request id; the function's log has one
`request attributed` line per authenticated request with the key id and the org under the same id
(Powertools' correlation_id), so the two join on it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from herald.auth import api_keys
from herald.auth.api_keys import create_key
from herald.observability import logger
from tests.integration.test_console_api import org_of
from tests.support import apigw, pipeline
from tests.support.pipeline import Pipeline

account, atomic_moto, pipe = pipeline.account, pipeline.atomic_moto, pipeline.pipe
receiver, shared_receiver = pipeline.receiver, pipeline.shared_receiver


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """The functions' log lines as the Lambda log stream gets them (Herald's formatter, JSON per line)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    underlying = logging.getLogger(logger.name)  # every function instance's Logger writes through it
    level = underlying.level
    underlying.setLevel(logging.INFO)  # as deployed (POWERTOOLS_LOG_LEVEL: INFO); the tests run at WARNING
    underlying.addHandler(handler)
    yield stream
    underlying.removeHandler(handler)
    underlying.setLevel(level)


@pytest.fixture
def request_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `$context.requestId` of each request the API client sends (what the access log prints)."""
    seen: list[str] = []
    build = apigw.build_event  # type: ignore[attr-defined]

    def recording(*args: Any) -> dict[str, Any]:
        event = build(*args)
        seen.append(str(event["requestContext"]["requestId"]))
        return event

    monkeypatch.setattr(apigw, "build_event", recording)
    return seen


def captured(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_authenticated_request_logs_its_key_and_org_under_the_access_logs_request_id(
    pipe: Pipeline, log_stream: io.StringIO, request_ids: list[str]
) -> None:
    # Given two keys of one org, one of them without the scope for what it asks
    org = org_of(pipe)
    narrow = create_key(org, ["events:read"], name="narrow")
    request_ids.clear()

    # When each sends a request (the second is refused 403)
    assert pipe.api.get("/v1/alerts", token=pipe.token).status == 200
    assert pipe.api.get("/v1/alerts", token=narrow).status == 403
    # and a request with no key is refused 401
    assert pipe.api.get("/v1/alerts").status == 401

    # Then each keyed request has one attributed line, joined to its access-log request id
    attributed = [
        line
        for line in captured(log_stream)
        if line.get("message") == "request attributed" and line.get("correlation_id") in request_ids
    ]
    by_request = {line["correlation_id"]: line for line in attributed}
    assert len(attributed) == 2 and set(by_request) == set(request_ids[:2])
    wide, refused = by_request[request_ids[0]], by_request[request_ids[1]]
    for line, token in ((wide, pipe.token), (refused, narrow)):
        principal = api_keys.lookup(token)
        assert principal is not None and principal.key_id
        assert (line["keyId"], line["orgId"]) == (principal.key_id, org)
        assert token not in json.dumps(line)
    assert wide["keyId"] != refused["keyId"]
    # the unauthenticated request carries no key of an earlier request (a warm container forgets them)
    later = [line for line in captured(log_stream) if line.get("correlation_id") == request_ids[2]]
    assert all("keyId" not in line for line in later)
