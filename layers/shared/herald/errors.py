"""Domain errors. Each API family maps them once onto its own status codes and error shape."""

from __future__ import annotations


class HeraldError(Exception):
    status = 500
    code = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(HeraldError):
    status = 400
    code = "VALIDATION_ERROR"


class Unauthorized(HeraldError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(HeraldError):
    status = 403
    code = "FORBIDDEN"


class NotFound(HeraldError):
    status = 404
    code = "NOT_FOUND"


class Conflict(HeraldError):
    status = 409
    code = "CONFLICT"


class Unprocessable(HeraldError):
    """The request is well-formed but cannot be honoured as sent (an Idempotency-Key reused with another body)."""

    status = 422
    code = "UNPROCESSABLE"


class LimitExceeded(HeraldError):
    status = 409
    code = "LIMIT_EXCEEDED"


class CapReached(HeraldError):
    """A create would take the org past one of its caps (herald.limits); the message names the cap. 403, as
    Grafana's quotas, InfluxDB Cloud's and Mackerel's plan limits answer."""

    status = 403
    code = "CAP_REACHED"


class RateLimited(HeraldError):
    status = 429
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(HeraldError):
    """A dependency (DynamoDB, KMS, SQS) timed out or throttled: worth retrying, not a server bug."""

    status = 503
    code = "SERVICE_UNAVAILABLE"


class PayloadTooLarge(HeraldError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class FieldErrors(ValidationFailed):
    """A 400 whose body is given as is (OnCall answers `{"type": "Invalid type"}`, `{"user_id": [...]}`)."""

    def __init__(self, body: dict[str, object]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in body.items()))
        self.body = body
