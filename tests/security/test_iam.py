"""Issue 15 items 12, 13 and 15: least privilege in template.yaml, read from the template itself.

Each function role's DynamoDB actions are exactly those its code calls (tests/support/code_needs.py reads
them from the modules app.py imports); no Scan; the API-key items only for the functions that authenticate;
kms:Decrypt of sealed secrets only for the roles whose code unseals, under Herald's encryption context; the
key policy gives the account root administration, not use; the table is encrypted with that key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from herald import aws
from herald_local.template import Template
from tests.support import code_needs

TEMPLATE = Template()
FUNCTIONS = TEMPLATE.functions()
CONTEXT_KEYS = ["org", "field", "owner"]  # herald/secrets.py _context


def statements(function: str) -> list[dict[str, Any]]:
    """The inline statements of a function's Policies (SAM policy templates are not allowed here)."""
    found = []
    for policy in TEMPLATE.resources[function]["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed(function: str, prefix: str) -> set[str]:
    return {
        action
        for s in statements(function)
        if s["Effect"] == "Allow"
        for action in as_list(s["Action"])
        if action.startswith(prefix)
    }


def on_table(statement: dict[str, Any]) -> bool:
    return any("Table" in str(resource) for resource in as_list(statement["Resource"]))


def table_actions(function: str) -> set[str]:
    return {
        action
        for s in statements(function)
        if s["Effect"] == "Allow" and on_table(s)
        for action in as_list(s["Action"])
        if action.startswith("dynamodb:")
    }


def test_no_function_uses_a_broad_sam_policy_template() -> None:
    broad = {"DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBWritePolicy", "KMSDecryptPolicy", "KMSEncryptPolicy"}
    used = {
        (name, template)
        for name in FUNCTIONS
        for policy in TEMPLATE.resources[name]["Properties"].get("Policies", [])
        if isinstance(policy, dict)
        for template in policy
        if template in broad
    }
    assert used == set()


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_role_grants_exactly_the_table_actions_its_code_calls(function: str) -> None:
    needed = code_needs.dynamodb_actions(FUNCTIONS[function].app_path)
    assert needed, "the code analysis finds the function's table calls"
    assert table_actions(function) == needed
    assert not any("*" in action for action in allowed(function, "dynamodb:"))


def test_no_role_may_scan() -> None:
    scanning = [f for f in FUNCTIONS if {"dynamodb:Scan", "dynamodb:*"} & allowed(f, "dynamodb:")]
    assert scanning == []


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_api_key_items_are_denied_to_the_functions_that_do_not_authenticate(function: str) -> None:
    denies = [
        s
        for s in statements(function)
        if s["Effect"] == "Deny"
        and on_table(s)
        and {"KEY#*", "ORG#*#KEYS"}
        <= set(as_list(s.get("Condition", {}).get("ForAnyValue:StringLike", {}).get("dynamodb:LeadingKeys", [])))
    ]
    assert bool(denies) == (not code_needs.authenticates(FUNCTIONS[function].app_path))


def test_only_the_roles_whose_code_unseals_may_decrypt_secrets_and_only_under_the_context() -> None:
    decrypting = set()
    for function in FUNCTIONS:
        for s in statements(function):
            if s["Effect"] != "Allow" or not {"kms:Decrypt", "kms:*"} & set(as_list(s["Action"])):
                continue
            condition = s.get("Condition", {})
            if "kms:ViaService" in condition.get("StringEquals", {}):
                continue  # the table's own encryption, through DynamoDB only
            assert condition["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"] == CONTEXT_KEYS
            assert condition["Null"] == {"kms:EncryptionContext:org": "false", "kms:EncryptionContext:field": "false"}
            decrypting.add(function)
    expected = {f for f, spec in FUNCTIONS.items() if code_needs.decrypts_secrets(spec.app_path)}
    assert decrypting == expected
    assert "DeliveryFunction" in decrypting and "FanoutFunction" not in decrypting


def key_policy() -> list[dict[str, Any]]:
    return list(TEMPLATE.resources["SecretsKey"]["Properties"]["KeyPolicy"]["Statement"])


def test_the_key_policy_gives_the_root_administration_and_each_use_per_role() -> None:
    actions = {a for s in key_policy() for a in as_list(s["Action"])}
    assert "kms:*" not in actions
    administration = next(s for s in key_policy() if s["Sid"] == "AccountAdministersTheKey")
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"} & set(administration["Action"])
    decrypt = [s for s in key_policy() if "kms:Decrypt" in as_list(s["Action"])]
    for s in decrypt:  # every Decrypt is for named roles, and either via DynamoDB or under Herald's context
        roles = s["Condition"]["ArnLike"]["aws:PrincipalArn"]
        assert roles and all("FunctionRole-*" in str(role) for role in roles)
        assert (
            "kms:ViaService" in s["Condition"].get("StringEquals", {}) or "ForAllValues:StringEquals" in s["Condition"]
        )
    unseal = next(s for s in decrypt if "ForAllValues:StringEquals" in s["Condition"])
    named = {
        f for f in FUNCTIONS if any(f"-{f}Role-*" in str(r) for r in unseal["Condition"]["ArnLike"]["aws:PrincipalArn"])
    }
    assert named == {f for f, spec in FUNCTIONS.items() if code_needs.decrypts_secrets(spec.app_path)}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_role_uses_the_table_key_only_through_dynamodb(function: str) -> None:
    via = [s for s in statements(function) if s["Effect"] == "Allow" and "kms:GenerateDataKey" in as_list(s["Action"])]
    assert len(via) == 1
    assert set(as_list(via[0]["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert "kms:ViaService" in via[0]["Condition"]["StringEquals"]


def test_sqs_sends_name_their_queues() -> None:
    for function in FUNCTIONS:
        for s in statements(function):
            if "sqs:SendMessage" in as_list(s["Action"]):
                assert s["Resource"] != "*", function


def test_the_table_is_encrypted_with_the_customer_managed_key_locally_too(aws_env: Any) -> None:
    sse = TEMPLATE.resources["Table"]["Properties"]["SSESpecification"]
    assert (sse["SSEEnabled"], sse["SSEType"], sse["KMSMasterKeyId"]) == (True, "KMS", {"Ref": "SecretsKey"})
    # the local stack (moto) creates it so: the table's description names the key
    description = aws.client("dynamodb").describe_table(TableName=aws_env.refs["Table"])["Table"]
    assert description["SSEDescription"]["SSEType"] == "KMS"
    # AWS answers the key's ARN, moto the key id it was given
    assert aws_env.refs["SecretsKey"] in description["SSEDescription"]["KMSMasterKeyArn"]


def test_iam_actions_per_role_figure(record_property: Callable[[str, Any], None]) -> None:
    parts = []
    for function in sorted(FUNCTIONS):
        dynamodb = sorted(a.split(":")[1] for a in table_actions(function))
        kms = sorted(
            {
                a
                for s in statements(function)
                if s["Effect"] == "Allow"
                for a in as_list(s["Action"])
                if a.startswith("kms:") and "ViaService" not in str(s.get("Condition"))
            }
        )
        deny = "deny KEY#" if not code_needs.authenticates(FUNCTIONS[function].app_path) else "reads keys"
        secrets = "+".join(kms) or "none"
        parts.append(f"{function.removesuffix('Function')}: {len(dynamodb)} table actions, {deny}, secrets {secrets}")
    assert len(parts) == len(FUNCTIONS)
    record_property("security", "IAM actions per role, from the template: " + "; ".join(parts) + "; Scan: none")
