"""The local stack: moto's server, the template's resources, the HTTP API and the pollers, in one process."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from herald.cli.connection import LOCAL_ENVIRONMENT_PARAMETER
from herald_local.activity import report_deliveries
from herald_local.api_server import ApiServer
from herald_local.functions import FunctionPool
from herald_local.moto_server import STREAM_WRITES, MotoServer
from herald_local.pollers import Poller, QueuePoller, SchedulePoller, StreamPoller, rate_seconds
from herald_local.queues import QueueView
from herald_local.streams import TableStream
from herald_local.template import REGION, Resolver, Template, provision
from herald_local.wakeups import queue_key

# Environment variables that set a template parameter of the same meaning (queues' maxReceiveCount...).
TEMPLATE_PARAMETERS = {
    "HERALD_MAX_ATTEMPTS": "MaxAttempts",
    "HERALD_MAX_RECEIVES": "MaxReceives",
    "HERALD_RETRY_HORIZON_SECONDS": "RetryHorizonSeconds",
}

# What the local stack sets unless the environment already does.
LOCAL_DEFAULTS = {
    "HERALD_ALLOW_PRIVATE_TARGETS": "1",
    "HERALD_RETRY_BASE_SECONDS": "2",
    "HERALD_RETRY_CAP_SECONDS": "30",
    "HERALD_HTTP_TIMEOUT_SECONDS": "5",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "HERALD_RATE_LIMIT_PER_SECOND": "200",
    # moto's server applies a service's requests one at a time: under a burst one may queue for a while.
    "HERALD_AWS_READ_TIMEOUT_SECONDS": "60",
    "HERALD_RATE_LIMIT_BURST": "500",
}


@dataclass
class Stack:
    host: str = "127.0.0.1"
    api_port: int = 3000
    aws_port: int = 5000
    poll_interval: float = 0.2
    schedule_seconds: float | None = None
    moto: MotoServer = field(init=False)
    api: ApiServer | None = None
    pollers: list[Poller] = field(default_factory=list)
    resolver: Resolver | None = None
    pools: dict[str, FunctionPool] = field(default_factory=dict)
    template: Template = field(default_factory=Template)
    print_outcomes: bool = False  # print one line per delivery outcome (`make run` does)

    def clients(self) -> Callable[[str], Any]:
        def make(service: str) -> Any:
            return boto3.client(service, endpoint_url=self.moto.url, region_name=REGION)  # type: ignore[call-overload]

        return make

    def start(self) -> None:
        self.moto = MotoServer(self.host, self.aws_port)
        endpoint = self.moto.start()
        os.environ.update(
            AWS_ENDPOINT_URL=endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ACCESS_KEY_ID=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
            AWS_SECRET_ACCESS_KEY=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        )
        for key, value in LOCAL_DEFAULTS.items():
            os.environ.setdefault(key, value)
        private = os.environ["HERALD_ALLOW_PRIVATE_TARGETS"]
        parameters = {"AllowPrivateTargets": "0" if private == "0" else "1"}
        for var, parameter in TEMPLATE_PARAMETERS.items():
            if os.environ.get(var):
                parameters[parameter] = os.environ[var]
        self.template = Template(parameters=parameters)
        self.resolver = provision(self.template, self.clients())
        for key, value in self.resolver.environment().items():
            if key not in os.environ or key in ("TABLE_NAME", "HERALD_KMS_KEY_ID") or key.startswith("QUEUE_URL_"):
                os.environ[key] = value

        self._publish_environment()
        functions = self.template.functions()
        self.pools = {name: FunctionPool(spec) for name, spec in functions.items()}
        self.api = ApiServer(self.template.http_routes(), self.pools, self.host, self.api_port)
        self.api_port = self.api.port
        self.api.start()
        self._start_pollers()

    def _publish_environment(self) -> None:
        """The functions' environment, on the local endpoint, so `herald` finds the table, key, queues and
        target policy with nothing but AWS_ENDPOINT_URL set."""
        assert self.resolver is not None
        names = [*self.resolver.environment(), "HERALD_ALLOW_PRIVATE_TARGETS"]
        self.clients()("ssm").put_parameter(
            Name=LOCAL_ENVIRONMENT_PARAMETER,
            Value=json.dumps({name: os.environ[name] for name in names if name in os.environ}),
            Type="String",
            Overwrite=True,
        )

    def _start_pollers(self) -> None:
        assert self.resolver is not None
        wakeups = self.moto.wakeups
        events = [(name, e) for name, spec in self.template.functions().items() for e in spec.events.values()]
        streams = [self.resolver.resolve(e["Properties"]["Stream"]) for _, e in events if e.get("Type") == "DynamoDB"]
        for name, event in events:
            props = event.get("Properties", {})
            kind = event.get("Type")
            if kind == "DynamoDB":
                on_failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                failure_url = None
                if on_failure:
                    logical = on_failure["Fn::GetAtt"][0]
                    failure_url = self.resolver.refs[logical]
                arn = self.resolver.resolve(props["Stream"])
                stream = TableStream(arn, lambda: self.moto.locks.held("dynamodb"), trim=streams.count(arn) == 1)
                self.pollers.append(
                    StreamPoller(
                        self.clients(),
                        stream,
                        self.pools[name],
                        props,
                        failure_url,
                        self.poll_interval,
                        wakeups.event(STREAM_WRITES),
                    )
                )
            elif kind == "SQS":
                logical = props["Queue"]["Fn::GetAtt"][0]
                poller = QueuePoller(
                    self.clients(),
                    self.resolver.refs[logical],
                    self.resolver.resolve(props["Queue"]),
                    self.pools[name],
                    props,
                    self.poll_interval,
                    wakeups.event(queue_key(self.resolver.refs[logical])),
                    QueueView(self.resolver.resolve(props["Queue"]), lambda: self.moto.locks.held("sqs")).has_visible,
                )
                if self.print_outcomes and poller.queue_url in self._delivery_queues():
                    poller.on_batch = report_deliveries
                self.pollers.append(poller)
            elif kind == "Schedule":
                every = self.schedule_seconds or rate_seconds(str(props["Schedule"]))
                self.pollers.append(SchedulePoller(f"{name}-schedule", self.pools[name], every))
        for started in self.pollers:
            started.start()

    @staticmethod
    def _delivery_queues() -> set[str]:
        return {value for key, value in os.environ.items() if key.startswith("QUEUE_URL_")}

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    def stop(self) -> None:
        for poller in self.pollers:
            poller.stop()
        for poller in self.pollers:
            poller.join(timeout=10)
        if self.api:
            self.api.stop()
        self.moto.stop()

    def wait_for_signal(self) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        while not stop.is_set():
            stop.wait(0.5)
