"""The record base class: one stored item type as a pydantic model, with its keys and its item mapping.

A record's field aliases are the item's attribute names (camelCase by default, an explicit alias where the
stored name differs), `ITEM_TYPE` is the item's `type` and `item_key()` builds its pk/sk (and GSI
attributes, when the item has any) from `herald.data.table_keys`. `to_item()`/`from_item()` are the only
mapping: numbers come back from DynamoDB as Decimal (read as int when whole, else float), string sets
as sets (read as sorted lists), and fields named in `JSON_TEXT` are stored as compact JSON text.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from herald.data import table_keys


def plain(value: Any) -> Any:
    """A value read from DynamoDB in plain Python types (Decimal → int/float, set → sorted list)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    return value


class StoredPart(BaseModel):
    """A model stored inside an item (a record, or a map nested in one): camelCase attribute names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Record(StoredPart):
    ITEM_TYPE: ClassVar[str]
    JSON_TEXT: ClassVar[frozenset[str]] = frozenset()  # arbitrary JSON that a DynamoDB map cannot hold as is
    NOT_STORED: ClassVar[frozenset[str]] = frozenset()  # fields filled from other items, never written
    DROP_NONE: ClassVar[bool] = False  # omit None attributes instead of storing NULL

    def item_key(self) -> table_keys.Key:
        raise NotImplementedError

    def index_keys(self) -> dict[str, str]:
        """GSI attributes of the item; none unless the record is indexed."""
        return {}

    def to_item(self) -> dict[str, Any]:
        attributes = self.model_dump(by_alias=True, exclude=set(self.NOT_STORED), exclude_none=self.DROP_NONE)
        for name in self.JSON_TEXT:
            alias = self._alias(name)
            attributes[alias] = json.dumps(attributes[alias], separators=(",", ":"), ensure_ascii=True)
        return {**self.item_key(), **self.index_keys(), "type": self.ITEM_TYPE, **attributes}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        return cls.model_validate(item)

    @model_validator(mode="before")
    @classmethod
    def _read_item(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        attributes = {str(k): plain(v) for k, v in data.items() if v is not None}
        for name in cls.JSON_TEXT:
            alias = cls._alias(name)
            if isinstance(attributes.get(alias), str):
                attributes[alias] = json.loads(attributes[alias] or "{}")
        return attributes

    @classmethod
    def _alias(cls, name: str) -> str:
        field = cls.model_fields[name]
        return field.serialization_alias or field.alias or name
