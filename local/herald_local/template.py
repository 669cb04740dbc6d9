"""Reads template.yaml (CloudFormation tags included) and creates its resources on an AWS endpoint.

Both the local stack and the tests build their table, queues and key from here, so neither can drift
from what `sam deploy` creates.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _short, _long in {
    "Ref": "Ref",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
}.items():
    _CfnLoader.add_constructor(f"!{_short}", _tag(_long))


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The parsed template (a fresh copy; parsing is cached while the file is unchanged)."""
    return copy.deepcopy(_parse(path, path.stat().st_mtime_ns))


@functools.lru_cache(maxsize=4)
def _parse(path: Path, _mtime: int) -> dict[str, Any]:
    # _CfnLoader is a SafeLoader subclass (only the CloudFormation tags are added), so this load is safe.
    with path.open() as handle:
        data = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506  # nosec B506
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a template")
    return data


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str
    function: str

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{([^}+]+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        regex = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(f"^{regex}$")

    @property
    def specificity(self) -> tuple[int, int]:
        """Literal segments win over parameters, as API Gateway chooses."""
        segments = self.path.strip("/").split("/")
        return (sum(1 for s in segments if not s.startswith("{")), len(segments))


@dataclass
class FunctionSpec:
    name: str
    code_uri: str
    handler: str
    environment: dict[str, Any]
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def app_path(self) -> Path:
        module, _ = self.handler.rsplit(".", 1)
        return ROOT / self.code_uri / f"{module.replace('.', '/')}.py"

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


class Template:
    def __init__(self, data: dict[str, Any] | None = None, parameters: dict[str, str] | None = None) -> None:
        self.data = data if data is not None else load()
        self.resources: dict[str, dict[str, Any]] = self.data.get("Resources", {})
        self.parameters = {name: str(spec.get("Default", "")) for name, spec in self.data.get("Parameters", {}).items()}
        self.parameters.update(parameters or {})

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: res for name, res in self.resources.items() if res.get("Type") == kind}

    def functions(self) -> dict[str, FunctionSpec]:
        globals_ = self.data.get("Globals", {}).get("Function", {})
        global_env = globals_.get("Environment", {}).get("Variables", {})
        specs = {}
        for name, res in self.of_type("AWS::Serverless::Function").items():
            props = res.get("Properties", {})
            env = {**global_env, **props.get("Environment", {}).get("Variables", {})}
            specs[name] = FunctionSpec(
                name=name,
                code_uri=str(props.get("CodeUri", globals_.get("CodeUri", ""))),
                handler=str(props.get("Handler", globals_.get("Handler", ""))),
                environment=env,
                events=props.get("Events", {}) or {},
            )
        return specs

    def http_routes(self) -> list[HttpRoute]:
        routes = []
        for fn in self.functions().values():
            for event in fn.events.values():
                if event.get("Type") == "HttpApi":
                    props = event["Properties"]
                    routes.append(HttpRoute(str(props["Method"]).upper(), str(props["Path"]), fn.name))
        return sorted(routes, key=lambda r: r.specificity, reverse=True)


class Resolver:
    """Resolves Ref, GetAtt and Sub against the resources created locally."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.refs: dict[str, str] = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "herald-local",
            **template.parameters,
        }
        self.attrs: dict[tuple[str, str], str] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.refs[str(arg)]
            if key == "Fn::GetAtt":
                return self.attrs[(str(arg[0]), str(arg[1]))]
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), text)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def _sub(self, name: str) -> str:
        if "." in name:
            logical, attr = name.split(".", 1)
            return self.attrs[(logical, attr)]
        return self.refs[name]

    def environment(self) -> dict[str, str]:
        """The functions' environment variables, resolved. All functions get the same ones here."""
        merged: dict[str, str] = {}
        for spec in self.template.functions().values():
            for key, raw in spec.environment.items():
                value = str(self.resolve(raw))
                if merged.get(key, value) != value:
                    raise ValueError(f"environment variable {key} differs between functions")
                merged[key] = value
        return merged


def provision(template: Template, clients: Any) -> Resolver:
    """Creates the template's table, queues and KMS key through `clients(service)`; returns the resolver.

    API, functions, layers, alarms and log groups have no local counterpart and are only named.
    """
    from herald_local import moto_speedups  # moto is only imported where it is used

    moto_speedups.apply()
    resolver = Resolver(template)
    prefix = "herald"
    for name in template.of_type("AWS::Serverless::Function"):
        resolver.refs[name] = f"{prefix}-{name}"
    for name in template.of_type("AWS::Serverless::HttpApi"):
        resolver.refs[name] = "local"

    kms = clients("kms")
    for name, res in template.of_type("AWS::KMS::Key").items():
        meta = kms.create_key(Description=res.get("Properties", {}).get("Description", name))["KeyMetadata"]
        # A fixed name for a key whose id is new at every start (env.json and `sam local invoke` use it).
        kms.create_alias(AliasName=f"alias/{prefix}-{name}", TargetKeyId=meta["KeyId"])
        resolver.refs[name] = meta["KeyId"]
        resolver.attrs[(name, "Arn")] = meta["Arn"]

    sqs = clients("sqs")
    queues = template.of_type("AWS::SQS::Queue")
    for name, res in queues.items():
        props = res.get("Properties", {})
        attributes = {
            k: str(resolver.resolve(props[k]))
            for k in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
            if k in props
        }
        url = sqs.create_queue(QueueName=f"{prefix}-{name}", Attributes=attributes)["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{prefix}-{name}"
        resolver.refs[name] = url
        resolver.attrs[(name, "Arn")] = arn
        resolver.attrs[(name, "QueueName")] = f"{prefix}-{name}"
        resolver.attrs[(name, "QueueUrl")] = url
    for name, res in queues.items():
        redrive = res.get("Properties", {}).get("RedrivePolicy")
        if redrive:
            policy = resolver.resolve(redrive)
            sqs.set_queue_attributes(
                QueueUrl=resolver.refs[name],
                Attributes={
                    "RedrivePolicy": json.dumps(
                        {
                            "deadLetterTargetArn": policy["deadLetterTargetArn"],
                            "maxReceiveCount": str(policy["maxReceiveCount"]),
                        }
                    )
                },
            )

    dynamodb = clients("dynamodb")
    for name, res in template.of_type("AWS::DynamoDB::Table").items():
        props = resolver.resolve(res.get("Properties", {}))
        table_name = f"{prefix}-{name}"
        args: dict[str, Any] = {
            "TableName": table_name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            args["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        if sse := props.get("SSESpecification"):
            args["SSESpecification"] = {"Enabled": sse["SSEEnabled"], "SSEType": sse.get("SSEType", "KMS")}
            if "KMSMasterKeyId" in sse:
                args["SSESpecification"]["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
        description = dynamodb.create_table(**args)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)
        resolver.refs[name] = table_name
        resolver.attrs[(name, "Arn")] = description["TableArn"]
        if description.get("LatestStreamArn"):
            resolver.attrs[(name, "StreamArn")] = description["LatestStreamArn"]

    ses = clients("ses")
    sender = template.parameters.get("EmailFrom")
    if sender:
        ses.verify_email_identity(EmailAddress=sender)
    return resolver
