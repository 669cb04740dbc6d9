"""The OnCall family's Lambda handler; its routes are in herald/families/oncall/routes.py."""

from __future__ import annotations

from herald.api.family import Family
from herald.api.scoped_router import serve
from herald.families.oncall.routes import router
from herald.families.oncall.wire import oncall_error, oncall_status

SCOPES = router.scopes
family = Family(name="oncall", error_body=oncall_error, scopes=SCOPES, status_of=oncall_status)
app = family.app
lambda_handler = serve(family, router)
