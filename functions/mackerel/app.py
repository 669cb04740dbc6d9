"""The Mackerel family's Lambda handler; its routes are in herald/families/mackerel/routes.py."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import Family
from herald.families.mackerel.routes import SWAGGER, router
from herald.families.mackerel.wire import mackerel_error
from herald.observability import logger, metrics, tracer

SCOPES = router.scopes
family = Family(
    name="mackerel",
    error_body=mackerel_error,
    scopes=SCOPES,
    union_tags=frozenset({"email", "slack", "webhook"}),
)
app = family.app
app.enable_swagger(path=SWAGGER, title="Herald Mackerel notification groups API", version="1.0.0")
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
