"""Logger, Tracer and Metrics: created once here and imported everywhere."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="herald")
tracer = Tracer(service="herald")
metrics = Metrics(namespace="Herald", service="herald")
