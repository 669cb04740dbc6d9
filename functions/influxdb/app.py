"""The InfluxDB family's Lambda handler; its routes are in herald/families/influxdb/routes.py."""

from __future__ import annotations

from herald.api.family import Family
from herald.api.scoped_router import serve
from herald.families.influxdb.routes import router
from herald.families.influxdb.wire import influx_error, influx_error_headers, influx_status

SCOPES = router.scopes
family = Family(
    name="influxdb",
    error_body=influx_error,
    scopes=SCOPES,
    error_headers=influx_error_headers,
    status_of=influx_status,
)
app = family.app
lambda_handler = serve(family, router)
