"""The Grafana family's Lambda handler; its routes are in herald/families/grafana/routes.py."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import Family
from herald.families.grafana.routes import router
from herald.families.grafana.wire import bad_request_data, grafana_error
from herald.observability import logger, metrics, tracer

SCOPES = router.scopes
family = Family(name="grafana", error_body=grafana_error, scopes=SCOPES, invalid_request_message=bad_request_data)
app = family.app
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
