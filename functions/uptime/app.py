"""The uptime family's Lambda handler; its routes are in herald/families/uptime/routes.py."""

from __future__ import annotations

from herald.api.errors import uptime_error
from herald.api.family import Family
from herald.api.scoped_router import serve
from herald.families.uptime.routes import router
from herald.families.uptime.wire import STRATEGY_FIELDS

SCOPES = router.scopes
family = Family(name="uptime", error_body=uptime_error, scopes=SCOPES, union_tags=frozenset(STRATEGY_FIELDS))
app = family.app
lambda_handler = serve(family, router)
