"""`make bench`: what Herald costs per request and per notification, measured side by side.

Each section is a module with `run(context) -> Section`; `python -m bench` runs them in order, writes
bench/RESULTS.md and prints a one-line summary. Benchmarks report; they never fail (exit 0 even when a
target is missed, and a section that raises reports the error in its own table).
"""
