"""The InfluxDB family's Lambda handler; its routes are in herald/families/influxdb/routes.py."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.api.family import Family
from herald.families.influxdb.routes import SWAGGER, router
from herald.families.influxdb.wire import influx_error, influx_error_headers, influx_status
from herald.observability import logger, metrics, tracer

SCOPES = router.scopes
family = Family(
    name="influxdb",
    error_body=influx_error,
    scopes=SCOPES,
    error_headers=influx_error_headers,
    status_of=influx_status,
)
app = family.app
app.enable_swagger(path=SWAGGER, title="Herald InfluxDB notification endpoints API", version="2.0.0")
app.include_router(router)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return family.handle(event, context)
