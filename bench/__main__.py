"""`python -m bench` (what `make bench` runs): every section, then bench/RESULTS.md and a one-line summary.

Options (for working on one section): --only 1,3 runs those sections; --out PATH writes elsewhere;
--runs N sets the cold-start runs per function (default 10).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import os
import platform
import resource
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import ROOT, apply_base_env
from bench.report import Section, Target, failed_section
from bench.targets import table as issue_20_table

RESULTS = ROOT / "bench" / "RESULTS.md"


SECTIONS = [
    (1, "api_calls"),
    (2, "cold_start"),
    (3, "fanout"),
    (4, "delivery"),
    (5, "end_to_end"),
    (6, "cost"),
    (7, "capacity"),
]


def load(module_name: str) -> tuple[str, Callable[[dict[str, Any]], Section]]:
    module = importlib.import_module(f"bench.{module_name}")
    return str(module.TITLE), module.run


def machine() -> str:
    return (
        f"nproc {len(os.sched_getaffinity(0))} ({os.cpu_count()} CPUs), Python {platform.python_version()}, "
        f"{platform.platform()}"
    )


def cpu_seconds() -> float:
    """CPU used so far by this process and by the child processes it has waited for."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def load_average() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def render(done: list[Section], started: datetime.datetime, seconds: float, command: str, loads: list[str]) -> str:
    targets = [t for s in done for t in s.targets]
    lines = [
        "# Herald benchmarks",
        "",
        f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {machine()}",
        f"- Command: `{command}` (`make bench`)",
        f"- Duration: {seconds:.0f} s wall, {sum(s.cpu_seconds for s in done):.0f} s CPU",
        f"- Load average (1/5/15 min) at start and end: {loads[0]}, {loads[-1]} (other work on the machine "
        "slows every timing; counts are unaffected)",
        "",
        "Benchmarks report; they never fail the build. Everything runs on this machine: moto (in-process or "
        "its server) stands in for AWS, receivers are on loopback. Counts are exact; times are this "
        "machine's and only meaningful side by side within the same run.",
        "",
        "## Issue #20 targets",
        "",
        issue_20_table(done).markdown(),
        "",
        "## Other targets",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    lines += [f"| {t.name} | {t.measured.replace('|', '/')} | **{t.verdict}** |" for t in targets if not t.row]
    errors = [s for s in done if s.error]
    if errors:
        lines += ["", "Sections that raised: " + ", ".join(f"{s.number} ({s.error})" for s in errors)]
    lines.append("")
    for section in done:
        lines.append(section.markdown())
    return "\n".join(lines).rstrip() + "\n"


def summary(done: list[Section], seconds: float, out: Path) -> str:
    targets: list[Target] = [t for s in done for t in s.targets]
    met = sum(1 for t in targets if t.met)
    missed = [t.name for t in targets if t.met is False]
    unmeasured = sum(1 for t in targets if t.met is None)
    errors = [str(s.number) for s in done if s.error]
    text = f"bench: {met}/{len(targets)} targets met"
    if missed:
        text += f"; not met: {'; '.join(missed)}"
    if unmeasured:
        text += f"; {unmeasured} not measured"
    if errors:
        text += f"; sections with errors: {', '.join(errors)}"
    try:
        where = out.relative_to(ROOT)
    except ValueError:
        where = out
    return text + f" ({seconds:.0f} s) → {where}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated section numbers")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--runs", type=int, default=10, help="cold-start runs per function (≥ 10 for the report)")
    args = parser.parse_args(argv)
    only = {int(n) for n in args.only.split(",") if n.strip()}

    apply_base_env()
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    loads = [load_average()]
    sys.path.insert(0, str(ROOT))  # tests.support (ApiClient, Receiver) when run from elsewhere
    started = datetime.datetime.now(datetime.UTC)
    clock = time.perf_counter()
    context: dict[str, Any] = {"runs": max(1, args.runs)}
    done: list[Section] = []
    for number, module_name in SECTIONS:
        if only and number not in only:
            continue
        print(f"bench: section {number} ({module_name}) …", file=sys.stderr, flush=True)
        begun = time.perf_counter()
        cpu_begun = cpu_seconds()
        title = module_name
        try:
            title, run = load(module_name)
            with contextlib.redirect_stdout(sys.stderr):  # handlers' logs and EMF lines stay off stdout
                section = run(context)
        except Exception as error:  # a benchmark reports its own failure and the run goes on
            section = failed_section(number, title, error)
        section.seconds = time.perf_counter() - begun
        section.cpu_seconds = cpu_seconds() - cpu_begun
        context[f"section{number}"] = section
        done.append(section)
    seconds = time.perf_counter() - clock
    command = "python -m bench" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    out = Path(args.out)
    loads.append(load_average())
    out.write_text(render(done, started, seconds, command.strip(), loads))
    print(summary(done, seconds, out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
