"""Every failure the CLI can meet, as one readable line (never a traceback)."""

from __future__ import annotations

import os

LOCAL_HINT = "is the local stack up? (`make run`)"


class CliError(Exception):
    """A failure the operator can act on; `code` is the exit status (1: not done, 2: bad input)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def private_target_hint(message: str) -> str:
    """Why a webhook URL was refused, and how to allow it where that is safe."""
    return (
        f"{message}: this stack refuses loopback and private targets; to use one locally, start the local"
        " stack with HERALD_ALLOW_PRIVATE_TARGETS=1 (the default of `make run`)"
    )


def one_line(error: BaseException) -> tuple[str, int]:
    """The message and exit status for any exception a command raised."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )
    from pydantic import ValidationError

    from herald.data.table import StorageFailed
    from herald.errors import HeraldError
    from herald.netguard import TargetRefused

    if isinstance(error, StorageFailed) and isinstance(error.__cause__, ClientError):
        error = error.__cause__  # its code and message say what to fix
    if isinstance(error, CliError):
        return error.message, error.code
    if isinstance(error, TargetRefused):
        return private_target_hint(str(error)), 2
    if isinstance(error, ValidationError):
        return _validation_message(error), 2
    if isinstance(error, HeraldError):
        return error.message, 2 if error.status < 500 else 1
    if isinstance(error, EndpointConnectionError):
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            return f"cannot reach {endpoint}: {LOCAL_HINT}", 1
        return f"cannot reach AWS: {error}", 1
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID), or point at the local stack with"
            " AWS_ENDPOINT_URL=http://127.0.0.1:5000",
            1,
        )
    if isinstance(error, NoRegionError):
        return "no AWS region: pass --region or set AWS_REGION", 1
    if isinstance(error, ClientError):
        return _client_error(error), 1
    if isinstance(error, ValueError):
        return str(error).splitlines()[0] if str(error) else type(error).__name__, 2
    return f"{type(error).__name__}: {error}".splitlines()[0], 1


def _validation_message(error: object) -> str:
    """pydantic's first error with its field, without the 'For further information visit' footer."""
    from pydantic import ValidationError

    assert isinstance(error, ValidationError)
    first = error.errors(include_url=False)[0]
    cause = first.get("ctx", {}).get("error")
    from herald.netguard import TargetRefused

    if isinstance(cause, TargetRefused):
        return private_target_hint(str(cause))
    message = str(first["msg"]).removeprefix("Value error, ")
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {message}" if where else message


def _client_error(error: object) -> str:
    from botocore.exceptions import ClientError

    assert isinstance(error, ClientError)
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).splitlines()[0:1]
    text = message[0] if message else code
    if code == "ResourceNotFoundException":
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        hint = f"at {endpoint}; {LOCAL_HINT}" if endpoint else f"in {os.environ.get('AWS_REGION')}; is it deployed?"
        return f"{text} (table {os.environ.get('TABLE_NAME', '?')} {hint})"
    if code in ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException"):
        return f"AWS refused {error.operation_name}: {text}"
    return f"{error.operation_name} failed: {code}: {text}"
