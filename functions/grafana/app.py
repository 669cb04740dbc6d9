"""The Grafana family's Lambda handler; its routes are in herald/families/grafana/routes.py."""

from __future__ import annotations

from herald.api.family import Family
from herald.api.scoped_router import serve
from herald.families.grafana.routes import router
from herald.families.grafana.wire import bad_request_data, grafana_error

SCOPES = router.scopes
family = Family(name="grafana", error_body=grafana_error, scopes=SCOPES, invalid_request_message=bad_request_data)
app = family.app
lambda_handler = serve(family, router)
