"""The OnCall family's Lambda handler; its routes are in herald/families/oncall/routes.py."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import Family
from herald.families.oncall.routes import SWAGGER, router
from herald.families.oncall.wire import oncall_error, oncall_status
from herald.observability import logger, metrics, tracer

SCOPES = router.scopes
family = Family(name="oncall", error_body=oncall_error, scopes=SCOPES, status_of=oncall_status)
app = family.app
app.enable_swagger(path=SWAGGER, title="Herald OnCall personal notification rules API", version="1.0.0")
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
