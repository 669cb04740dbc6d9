"""The local stack: moto's server, the template's resources, the HTTP API and the pollers, in one process."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3

from herald_local.api_server import ApiServer
from herald_local.functions import FunctionPool
from herald_local.moto_server import MotoServer
from herald_local.pollers import Poller, QueuePoller, SchedulePoller, StreamPoller, rate_seconds
from herald_local.template import REGION, Resolver, Template, provision

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
    # moto's server applies requests one at a time: under a burst a request may queue for a while.
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

        functions = self.template.functions()
        self.pools = {name: FunctionPool(spec) for name, spec in functions.items()}
        self.api = ApiServer(self.template.http_routes(), self.pools, self.host, self.api_port)
        self.api_port = self.api.port
        self.api.start()
        self._start_pollers()

    def _start_pollers(self) -> None:
        assert self.resolver is not None
        for name, spec in self.template.functions().items():
            for event in spec.events.values():
                props = event.get("Properties", {})
                kind = event.get("Type")
                if kind == "DynamoDB":
                    on_failure = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                    failure_url = None
                    if on_failure:
                        logical = on_failure["Fn::GetAtt"][0]
                        failure_url = self.resolver.refs[logical]
                    self.pollers.append(
                        StreamPoller(
                            self.clients(),
                            self.resolver.resolve(props["Stream"]),
                            self.pools[name],
                            props,
                            failure_url,
                            self.poll_interval,
                        )
                    )
                elif kind == "SQS":
                    logical = props["Queue"]["Fn::GetAtt"][0]
                    self.pollers.append(
                        QueuePoller(
                            self.clients(),
                            self.resolver.refs[logical],
                            self.resolver.resolve(props["Queue"]),
                            self.pools[name],
                            props,
                            self.poll_interval,
                        )
                    )
                elif kind == "Schedule":
                    every = self.schedule_seconds or rate_seconds(str(props["Schedule"]))
                    self.pollers.append(SchedulePoller(f"{name}-schedule", self.pools[name], every))
        for poller in self.pollers:
            poller.start()

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
