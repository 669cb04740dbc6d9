"""Section 2: cold start of every function beside a bare baseline, and each function's deployed size.

A cold start here is a fresh `python -c` process that imports the function's app.py (Lambda's init
phase) and serves its first sample event (the first invocation), against a moto server that the bench
starts once with template.yaml's resources and the sample key. Interpreter start-up is left out of the
ratio (Lambda's runtime pays it for every function alike) but shown as the process's wall time.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from bench.harness import (
    ROOT,
    folder_of,
    free_port,
    patched_env,
    reset_caches,
    samples,
    seed_sample_records,
)
from bench.report import Section, Table, Target, fmt_ratio

TITLE = "Cold start and deployed size"
TARGET_RATIO = 1.3
LAYER_TARGET_BYTES = 12 * 1024 * 1024  # the shared layer unzipped, without tracing
BASELINE = "baseline (bare Powertools resolver + 1 boto3 DynamoDB client)"

# Runs in a fresh interpreter: argv = app path, handler name, event file.
PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import importlib.util
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
t1 = time.perf_counter()
handler = getattr(module, sys.argv[2])
with open(sys.argv[3]) as f:
    event = json.load(f)
class Context:
    function_name = "herald-bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:herald-bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/herald-bench"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
result = handler(event, Context())
t2 = time.perf_counter()
outcome = ""
if isinstance(result, dict):
    if "statusCode" in result:
        outcome = str(result["statusCode"])
    elif "batchItemFailures" in result:
        outcome = f"{len(result['batchItemFailures'])} failed items"
    else:
        outcome = "ok"
print("BENCH " + json.dumps({"init": t1 - t0, "first": t2 - t1, "outcome": outcome}), flush=True)
"""


@dataclass
class Subject:
    name: str
    app: Path
    handler: str
    event: Path | None
    sample: str
    init: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    outcomes: set[str] = field(default_factory=set)
    error: str = ""

    @property
    def total(self) -> float:
        return statistics.median(i + f for i, f in zip(self.init, self.first, strict=True))


def first_sample(folder: str) -> tuple[Path | None, str]:
    """The function's first sample event, preferring a create (POST without path parameters)."""
    found = samples(folder)
    if not found:
        return None, "no sample event"
    creates = [s for s in found if s.route_key.startswith("POST ") and "{" not in s.route_key]
    chosen = (creates or found)[0]
    return chosen.path, chosen.name


def baseline_event(directory: Path) -> Path:
    from herald_local.api_server import build_event
    from herald_local.template import HttpRoute

    route = HttpRoute("GET", "/v1/ping", "Baseline")
    event = build_event(route, "GET", "/v1/ping", "", {"content-type": "application/json"}, b"", {})
    path = directory / "baseline-ping.json"
    path.write_text(json.dumps(event))
    return path


def probe(subject: Subject, env: dict[str, str]) -> None:
    if subject.event is None:
        return
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(subject.app), subject.handler, str(subject.event)],
        env=env,
        cwd=str(subject.app.parent),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall = time.perf_counter() - started
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        tail = (done.stderr or done.stdout).strip().splitlines()
        subject.error = tail[-1][:160] if tail else f"exit {done.returncode}"
        return
    data = json.loads(line[len("BENCH ") :])
    subject.init.append(float(data["init"]))
    subject.first.append(float(data["first"]))
    subject.wall.append(wall)
    subject.outcomes.add(str(data["outcome"]))


# --- deployed size -----------------------------------------------------------------------------------


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for item in path.rglob("*"):
        if item.is_file() and "__pycache__" not in item.parts and item.suffix != ".pyc":
            total += item.stat().st_size
    return total


def layer_estimate() -> tuple[int, list[str]]:
    """Unzipped size of the shared layer as pip would install it: layers/shared/herald plus the installed
    files of layers/shared/requirements.txt and their dependencies (from this venv)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    total = tree_size(ROOT / "layers" / "shared" / "herald")
    seen: set[str] = set()
    todo: list[tuple[str, set[str]]] = []
    for line in (ROOT / "layers" / "shared" / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            todo.append((req.name, set(req.extras)))
    while todo:
        name, extras = todo.pop()
        key = name.lower().replace("_", "-")
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if key not in seen:
            seen.add(key)
            for file in dist.files or []:
                located = Path(str(dist.locate_file(file)))
                if located.is_file() and located.suffix != ".pyc" and "__pycache__" not in located.parts:
                    total += located.stat().st_size
        for raw in dist.requires or []:
            req = Requirement(raw)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            wanted = req.marker is None or any(req.marker.evaluate(env) for env in envs)
            if wanted and req.name.lower().replace("_", "-") not in seen:
                todo.append((req.name, set(req.extras)))
    return total, sorted(seen)


def largest_packages(layer: Path, count: int = 4) -> str:
    """The layer's largest top-level packages, e.g. "pydantic_core 4.6 MiB, …"."""
    root = layer / "python"
    sizes = sorted(((tree_size(p), p.name) for p in root.iterdir() if p.is_dir()), reverse=True)[:count]
    return ", ".join(f"{name} {mib(size)}" for size, name in sizes)


def sam_build() -> tuple[Path | None, str]:
    sam = ROOT / ".venv-sam" / "bin" / "sam"
    if not sam.exists():
        return None, "not measured: run make build first"
    # The interpreter the Makefile's `build` target puts first on PATH (a pyenv shim would not run under SAM).
    found = subprocess.run(
        [str(ROOT / "scripts" / "find-python312.sh")], capture_output=True, text=True, check=False
    ).stdout.strip()
    python = found or shutil.which("python3.12") or sys.executable
    env = {**os.environ, "PATH": f"{Path(python).parent}:{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(sam), "build"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()
        return None, "sam build failed: " + (tail[-1] if tail else str(done.returncode))
    return ROOT / ".aws-sam" / "build", ""


def mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


# --- the section ------------------------------------------------------------------------------------------


def run(context: dict[str, Any]) -> Section:
    from herald_local.moto_server import MotoServer
    from herald_local.template import Template, provision

    section = Section(2, TITLE)
    runs = int(context.get("runs", 10))
    template = Template()
    specs = template.functions()

    server = MotoServer(port=free_port())
    url = server.start()
    workdir = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    try:
        resolver = provision(template, lambda service: boto3.client(service, endpoint_url=url, region_name="us-east-1"))
        env = {
            **os.environ,
            **resolver.environment(),
            "AWS_ENDPOINT_URL": url,
        }
        with patched_env({**resolver.environment(), "AWS_ENDPOINT_URL": url}):
            reset_caches()
            seed_sample_records()
            reset_caches()

        subjects = [
            Subject(
                BASELINE, ROOT / "bench" / "baseline_app.py", "lambda_handler", baseline_event(workdir), "GET /v1/ping"
            )
        ]
        for name, spec in sorted(specs.items()):
            event, sample = first_sample(folder_of(spec.code_uri))
            subjects.append(Subject(name, spec.app_path, spec.handler_name, event, sample))
        # Warm-up runs (bytecode and file-system caches; every function shares the layer, so the baseline
        # and one function suffice), then rounds across all subjects so that drift in the machine's load
        # hits them alike; two probes at a time on two cores keeps this section short.
        workers = max(1, min(2, len(os.sched_getaffinity(0))))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            warm = [subjects[0], *[s for s in subjects[1:] if s.event is not None][:1]]
            list(pool.map(lambda s: probe(s, env), warm))
            for subject in warm:
                subject.init.clear()
                subject.first.clear()
                subject.wall.clear()
            for _ in range(runs):
                list(pool.map(lambda s: probe(s, env), [s for s in subjects if not s.error]))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    baseline = subjects[0]
    base_total = baseline.total if baseline.init else float("nan")
    table = Table(
        [
            "function",
            "first event",
            "runs",
            "init (import) p50",
            "first invocation p50",
            "cold start p50",
            "ratio to baseline",
            f"≤ {TARGET_RATIO}×",
            "process wall p50",
            "outcome",
        ]
    )
    worst: float | None = None
    for subject in subjects:
        if not subject.init:
            table.add(
                subject.name, subject.sample, 0, "", "", "", "", "not measured", "", subject.error or "no sample event"
            )
            continue
        ratio = subject.total / base_total
        if subject is not baseline:
            worst = ratio if worst is None else max(worst, ratio)
        table.add(
            subject.name,
            subject.sample,
            len(subject.init),
            f"{statistics.median(subject.init) * 1000:.0f} ms",
            f"{statistics.median(subject.first) * 1000:.0f} ms",
            f"{subject.total * 1000:.0f} ms",
            fmt_ratio(ratio),
            "—" if subject is baseline else ("met" if ratio <= TARGET_RATIO else "not met"),
            f"{statistics.median(subject.wall) * 1000:.0f} ms",
            ", ".join(sorted(subject.outcomes)),
        )
    section.tables.append(table)
    measured = [s for s in subjects[1:] if s.init]
    slowest = max(measured, key=lambda s: s.total, default=None)
    section.targets.append(
        Target(
            f"cold start ≤ {TARGET_RATIO}× the bare baseline",
            f"worst {fmt_ratio(worst)} ({len(measured)} functions; baseline {base_total * 1000:.0f} ms)"
            if worst is not None
            else "no function measured",
            (worst <= TARGET_RATIO) if worst is not None and not math.isnan(base_total) else None,
            row="cold_start",
            why=(
                f"{slowest.name}: import {statistics.median(slowest.init) * 1000:.0f} ms + first invocation "
                f"{statistics.median(slowest.first) * 1000:.0f} ms, against the baseline's "
                f"{statistics.median(baseline.init) * 1000:.0f} + {statistics.median(baseline.first) * 1000:.0f} ms. "
                "Floor: the first invocation makes real AWS calls (its boto3 clients load their service models, "
                "~50–100 ms each), which the baseline never does"
            )
            if slowest is not None and baseline.init
            else "",
        )
    )
    context["cold_start_seconds"] = {s.name: s.total for s in measured}

    sizes = Table(["function", "code", "layer (herald + dependencies)", "total (unzipped)", "source"])
    build_dir, why = sam_build()
    layer_size, dists = layer_estimate()
    built_layer = build_dir / "SharedLayer" if build_dir is not None else None
    shared = tree_size(built_layer) if built_layer is not None and built_layer.exists() else layer_size
    section.targets.append(
        Target(
            f"shared layer ≤ {mib(LAYER_TARGET_BYTES)} unzipped, without tracing",
            f"{mib(shared)} ({'sam build' if built_layer is not None and built_layer.exists() else 'estimate'}); "
            f"TracingLayer (X-Ray SDK, botocore) only with Tracing=Active",
            shared <= LAYER_TARGET_BYTES,
            row="layer_size",
            why=f"{largest_packages(built_layer)}; the floor is pydantic-core's compiled core and Powertools"
            if built_layer is not None and built_layer.exists()
            else "",
        )
    )
    for name, spec in sorted(specs.items()):
        if build_dir is not None and (build_dir / name).exists():
            code = tree_size(build_dir / name)
            layer = tree_size(build_dir / "SharedLayer") if (build_dir / "SharedLayer").exists() else 0
            sizes.add(name, mib(code), mib(layer), mib(code + layer), "sam build (.aws-sam/build)")
        else:
            code = tree_size(ROOT / spec.code_uri)
            sizes.add(
                name,
                mib(code),
                mib(layer_size),
                mib(code + layer_size),
                f"estimate from .venv ({why or 'no build output'})",
            )
    section.tables.append(sizes)
    section.notes += [
        f"Cold start: median of {runs} fresh processes per function (after a warm-up run), in rounds "
        "across all functions, two processes at a time; `init` is importing app.py, `first invocation` "
        "serving the event named (against a moto server on loopback, provisioned from template.yaml, with "
        "the sample key). The ratio compares "
        "init + first invocation with the baseline's (bench/baseline_app.py, which makes no AWS call).",
        "Process wall adds interpreter start-up, which Lambda's runtime pays for every function alike.",
        "Deployed size: from `sam build` output when the SAM CLI is installed (`make build`); otherwise "
        f'"{why or "estimate"}" and the size is estimated from this venv: the function\'s folder, plus the '
        "shared layer = layers/shared/herald + the installed files (no .pyc) of layers/shared/requirements.txt "
        f"and their dependencies ({', '.join(dists)}). boto3 is not in the layer (the Lambda runtime has "
        "it), nor are botocore and the X-Ray SDK: they ship in TracingLayer (layers/tracing), which the template "
        "attaches only when its Tracing parameter is Active.",
    ]
    return section
