"""The Mackerel family's Lambda handler; its routes are in herald/families/mackerel/routes.py."""

from __future__ import annotations

from herald.api.family import Family
from herald.api.scoped_router import serve
from herald.families.mackerel.routes import router
from herald.families.mackerel.wire import mackerel_error

SCOPES = router.scopes
family = Family(
    name="mackerel",
    error_body=mackerel_error,
    scopes=SCOPES,
    union_tags=frozenset({"email", "slack", "webhook"}),
)
app = family.app
lambda_handler = serve(family, router)
