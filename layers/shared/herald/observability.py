"""Logger, Tracer and Metrics: created once here and imported everywhere. Log lines are redacted."""

from logging import LogRecord

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from herald.redaction import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: LogRecord) -> str:  # type: ignore[override]
        return redact(super().serialize(log))  # type: ignore[arg-type]


logger = Logger(service="herald", logger_formatter=RedactingFormatter())
tracer = Tracer(service="herald")
metrics = Metrics(namespace="Herald", service="herald")
