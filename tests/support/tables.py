"""A fresh copy of template.yaml's table, for tests that share one moto account across a module.

moto deep-copies every table on each TransactWriteItems (to roll back), so a table that grows over a
module makes each transaction slower; a table per test, dropped after it, keeps them cheap and isolated.
"""

from __future__ import annotations

from typing import Any

from herald_local.template import Resolver, Template


def create_table_like_template(template: Template, dynamodb: Any, name: str, logical_id: str = "Table") -> str:
    """Creates table `name` with the keys, index and stream of the template's table; returns its stream ARN."""
    declared = template.of_type("AWS::DynamoDB::Table")[logical_id]["Properties"]
    # its encryption names the stack's KMS key, which a bare Resolver has not created (moto encrypts nothing)
    props = Resolver(template).resolve({k: v for k, v in declared.items() if k != "SSESpecification"})
    args: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if props.get("StreamSpecification"):
        args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    description = dynamodb.create_table(**args)["TableDescription"]
    return str(description.get("LatestStreamArn", ""))
