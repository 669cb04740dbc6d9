"""env.json and the `sam local invoke` template point a function at the resources the local stack creates."""

from __future__ import annotations

import json
from typing import Any

from herald import aws
from herald_local.sam_local import local_template
from herald_local.template import ROOT, TEMPLATE, Resolver, Template, load

ENV = json.loads((ROOT / "env.json").read_text())["Parameters"]


def test_env_json_names_the_local_stacks_table_key_and_queues(aws_env: Resolver) -> None:
    declared = aws_env.environment()
    assert set(ENV) - set(declared) == {"AWS_ENDPOINT_URL"}, "sam only sets variables the template declares"
    local_resources = {n for n in declared if n in ("TABLE_NAME", "HERALD_KMS_KEY_ID") or n.startswith("QUEUE_URL_")}
    assert local_resources <= set(ENV), "every variable that names a local resource is in env.json"
    assert ENV["TABLE_NAME"] == declared["TABLE_NAME"] == "herald-Table"
    key = aws.client("kms").describe_key(KeyId=ENV["HERALD_KMS_KEY_ID"])["KeyMetadata"]["KeyId"]
    assert key == declared["HERALD_KMS_KEY_ID"]
    for name, url in ENV.items():
        if name.startswith("QUEUE_URL_"):
            assert url.rsplit("/", 1)[1] == declared[name].rsplit("/", 1)[1]
    assert ENV["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000" and ENV["HERALD_ALLOW_PRIVATE_TARGETS"] == "1"


def test_sam_local_template_declares_the_endpoint_and_changes_nothing_else(tmp_path: Any) -> None:
    written = tmp_path / "template.yaml"
    written.write_text(local_template(TEMPLATE.read_text()))
    local, original = load(written), load(TEMPLATE)
    variables = local["Globals"]["Function"]["Environment"]["Variables"]
    assert variables.pop("AWS_ENDPOINT_URL") == ""
    assert local == original
    assert Template(local).functions().keys() == Template(original).functions().keys()
