"""`herald-local invoke FUNCTION -e events/<folder>/<file>.json`: one function of template.yaml on one
event, without Docker, as `sam local invoke` would run it.

It runs against the running local stack when AWS_ENDPOINT_URL points at one (`make run`), else against a
fresh in-process one (moto with the template's resources, gone when the command ends). It prints the
result (status, headers and body for an API event; the batch item failures for a batch event) and the
function's logs, pretty-printed. The sample key that events/ files present is created when missing.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from herald_local.samples import ensure_sample_key
from herald_local.template import ROOT, Template


def parser() -> argparse.ArgumentParser:
    parsed = argparse.ArgumentParser(prog="herald-local invoke", description=__doc__)
    parsed.add_argument("function", metavar="FUNCTION", help="a function's logical id in template.yaml")
    parsed.add_argument("-e", "--event", required=True, metavar="FILE", help="the event JSON, e.g. events/uptime/…")
    parsed.add_argument(
        "--fresh", action="store_true", help="use a fresh in-process stack even when AWS_ENDPOINT_URL is set"
    )
    return parsed


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    for name, value in (("POWERTOOLS_TRACE_DISABLED", "true"), ("POWERTOOLS_METRICS_DISABLED", "true")):
        os.environ.setdefault(name, value)
    try:
        spec = Template().functions().get(args.function)
        if spec is None:
            names = ", ".join(sorted(Template().functions()))
            raise ValueError(f"no function {args.function} in template.yaml (it has {names})")
        event = _load_event(args.event)
        with ExitStack() as stack:
            where = stack.enter_context(_aws(fresh=args.fresh))
            ensure_sample_key()
            print(f"{args.function} on {args.event} ({where})")
            with _captured_logs() as logs:
                from herald_local.functions import LambdaContext, load_instance

                result = load_instance(spec)(event, LambdaContext(spec))
            print_result(event, result)
            print_logs(logs.getvalue())
    except Exception as error:
        message = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
        print(f"herald-local invoke: {message}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


def _load_event(name: str) -> dict[str, Any]:
    path = Path(name)
    if not path.exists() and (ROOT / name).exists():
        path = ROOT / name
    try:
        event = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"no event file {name}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{name} is not JSON: {error}") from None
    if not isinstance(event, dict):
        raise ValueError(f"{name} is not a JSON object")
    return event


@contextmanager
def _aws(fresh: bool) -> Iterator[str]:
    """The running local stack (AWS_ENDPOINT_URL), or a fresh in-process one."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and not fresh:
        from herald.cli.connection import connect

        connect("herald", endpoint_url=endpoint)
        yield f"the running local stack at {endpoint}"
        return
    from moto import mock_aws

    from herald import aws, caches
    from herald_local.stack import LOCAL_DEFAULTS
    from herald_local.template import REGION, provision

    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.update(AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    for key, value in LOCAL_DEFAULTS.items():
        if key != "POWERTOOLS_LOG_LEVEL":
            os.environ.setdefault(key, value)
    with mock_aws():
        resolver = provision(Template(), aws.client)
        os.environ.update(resolver.environment())
        caches.reset()  # a fresh stack: nothing cached for the previous one may be used
        yield "a fresh in-process stack"


@contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    """The functions' JSON log lines, kept for printing after the result."""
    from herald.observability import logger

    buffer = io.StringIO()
    handlers = [h for h in logging.getLogger(logger.name).handlers if isinstance(h, logging.StreamHandler)]
    streams = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            if stream is not None:
                handler.setStream(stream)


def print_result(event: dict[str, Any], result: Any) -> None:
    if "requestContext" in event and isinstance(result, dict) and "statusCode" in result:
        print(f"status   {result['statusCode']}")
        headers = {**(result.get("headers") or {})}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(str(v) for v in values)
        print("headers")
        for name, value in headers.items():
            print(f"  {name}: {value}")
        print("body")
        print(_indent(_pretty(result.get("body"))))
    elif "Records" in event:
        failures = [f.get("itemIdentifier") for f in (result or {}).get("batchItemFailures", [])]
        print(f"records  {len(event['Records'])}")
        print(f"batch item failures  {', '.join(map(str, failures)) if failures else 'none'}")
    else:
        print("result")
        print(_indent(_pretty(result)))


def print_logs(raw: str) -> None:
    lines = [line for line in raw.splitlines() if line.strip()]
    print(f"logs ({len(lines)} line{'s' if len(lines) != 1 else ''})")
    for line in lines:
        print("  " + pretty_log_line(line))


def pretty_log_line(line: str) -> str:
    """`10:00:01.123 INFO  message  key=value …` from a Powertools JSON line."""
    try:
        data = json.loads(line)
    except ValueError:
        return line
    if not isinstance(data, dict):
        return line
    stamp = str(data.pop("timestamp", ""))[11:23]
    level = str(data.pop("level", "")).ljust(7)
    message = data.pop("message", "")
    for noise in ("service", "location", "xray_trace_id", "sampling_rate", "cold_start", "function_memory_size"):
        data.pop(noise, None)
    for noise in ("function_arn", "function_request_id", "function_name"):
        data.pop(noise, None)
    exception = data.pop("exception", None)
    extras = "  ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in data.items())
    text = f"{stamp} {level} {message}" + (f"  {extras}" if extras else "")
    if exception:
        text += "\n" + _indent(str(exception), "    ")
    return text


def _pretty(value: Any) -> str:
    if isinstance(value, str):
        try:
            return json.dumps(json.loads(value), indent=2)
        except ValueError:
            return value
    return json.dumps(value, indent=2, default=str)


def _indent(text: str, prefix: str = "  ") -> str:
    return prefix + text.replace("\n", "\n" + prefix)
