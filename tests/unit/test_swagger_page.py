"""Swagger pages are built on first request: importing a function never builds Powertools' OpenAPI models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.apigw import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def test_importing_a_function_with_a_swagger_page_leaves_the_openapi_models_unbuilt() -> None:
    probe = (
        "import sys, importlib.util; "
        "spec = importlib.util.spec_from_file_location('app', sys.argv[1]); "
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
        "print('aws_lambda_powertools.event_handler.openapi.models' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}", "AWS_DEFAULT_REGION": "us-east-1"}
    app = ROOT / "functions" / "alerts" / "app.py"
    done = subprocess.run([sys.executable, "-c", probe, str(app)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_the_swagger_page_and_its_schema_are_served_on_first_request(api: ApiClient) -> None:
    page = api.get("/v1/alerts/swagger")
    assert page.status == 200 and "swagger-ui" in page.text.lower()
    assert page.headers.get("Content-Type", page.headers.get("content-type", "")).startswith("text/html")
    schema = api.get("/v1/alerts/swagger?format=json")
    assert schema.status == 200
    paths = schema.json()["paths"]
    assert "/v1/alerts" in paths and "/v1/alerts/swagger" not in paths
    assert api.get("/v1/alerts/swagger").text == page.text  # the second request uses the same page handler
