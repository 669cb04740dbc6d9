"""Field types shared by several families."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from herald.netguard import check_saved_url, check_url_syntax

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("must be a valid email address")
    return value


def _http_url(value: str) -> str:
    check_url_syntax(value)
    return value


def _target_url(value: str) -> str:
    check_saved_url(value)
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
HttpUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_http_url)]
# A URL Herald will send to: also refused at save time when it is plainly a private target.
TargetUrl = Annotated[str, StringConstraints(min_length=1, max_length=2048), AfterValidator(_target_url)]
