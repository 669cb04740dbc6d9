"""One reset() for every per-container cache, so that tests, the benchmarks and the local stack start each
run as a new container does.

What a container keeps between invocations: its settings (read from the environment once), API keys
and the rate-limit state (herald.auth.middleware), opened secrets (herald.secrets), org display names
(herald.data.orgs), stored templates (herald.templates.store), the queues' dead-letter URLs
(herald.delivery.replay) and its boto3 clients and Table (herald.aws, herald.data.table).
"""

from __future__ import annotations


def reset(clients: bool = True) -> None:
    """Forgets everything cached per container; `clients=False` keeps the boto3 clients, the slowest part
    of a new container to build (moto intercepts them whichever mock is active)."""
    from herald import secrets, settings
    from herald.auth import middleware
    from herald.data import orgs
    from herald.delivery import replay
    from herald.templates import store

    settings.get_settings.cache_clear()
    middleware.clear_cache()
    secrets.clear_cache()
    orgs.forget_names()
    store.clear_cache()
    replay.dead_letter_url.cache_clear()
    if clients:
        from herald import aws
        from herald.data import table

        aws.client.cache_clear()
        table.clear_cache()
