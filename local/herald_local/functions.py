"""Function instances: each is a fresh import of a function's app.py, like one Lambda container.

A Powertools resolver keeps the current request on itself, so one instance serves one invocation at a
time; concurrent invocations get more instances, as Lambda would start more containers.
"""

from __future__ import annotations

import importlib.util
import itertools
import queue
import threading
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

from herald_local.template import ACCOUNT_ID, REGION, FunctionSpec

_counter = itertools.count()


class LambdaContext:
    def __init__(self, spec: FunctionSpec, timeout_seconds: int = 30) -> None:
        self.function_name = f"herald-{spec.name}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._timeout = timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout * 1000


def load_module(spec: FunctionSpec) -> ModuleType:
    name = f"herald_fn_{spec.name}_{next(_counter)}"
    module_spec = importlib.util.spec_from_file_location(name, spec.app_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {spec.app_path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def load_instance(spec: FunctionSpec) -> Callable[[dict[str, Any], Any], Any]:
    module = load_module(spec)
    handler: Callable[[dict[str, Any], Any], Any] = getattr(module, spec.handler_name)
    return handler


class FunctionPool:
    """Up to `limit` warm instances of one function; invoke() borrows one for the call."""

    def __init__(self, spec: FunctionSpec, limit: int = 16) -> None:
        self.spec = spec
        self.limit = limit
        self._idle: queue.LifoQueue[Callable[[dict[str, Any], Any], Any]] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()

    def _borrow(self) -> Callable[[dict[str, Any], Any], Any]:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            create = self._created < self.limit
            if create:
                self._created += 1
        if create:
            return load_instance(self.spec)
        return self._idle.get()

    def invoke(self, event: dict[str, Any]) -> Any:
        handler = self._borrow()
        try:
            return handler(event, LambdaContext(self.spec))
        finally:
            self._idle.put(handler)
