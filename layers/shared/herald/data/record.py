"""The record base class: one stored item type as a pydantic model, with its keys and its item mapping.

A record's field aliases are the item's attribute names (camelCase by default, an explicit alias where the
stored name differs), `ITEM_TYPE` is the item's `type` and `item_key()` builds its pk/sk (and GSI
attributes, when the item has any) from `herald.data.table_keys`. `to_item()`/`from_item()` are the only
mapping: numbers come back from DynamoDB as Decimal (read as int when whole, else float), string sets
as sets (read as sorted lists), and fields named in `JSON_TEXT` are stored as compact JSON text. Fields
named in `DROP_EMPTY` are left out of the item (or of a nested map) when empty, `Epoch` seconds are stored
as Decimal to the millisecond, and `index_keys()`/`extra_attributes()` add attributes that no field holds
(GSI keys, conditional or derived attributes).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, PlainSerializer, SerializationInfo, model_validator
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


def _millis(value: float, info: SerializationInfo) -> Decimal | float:
    return Decimal(str(round(value, 3))) if info.mode == "python" else value


Epoch = Annotated[float, PlainSerializer(_millis)]  # epoch seconds, stored as Decimal to the millisecond


class StoredPart(BaseModel):
    """A model stored inside an item (a record, or a map nested in one): camelCase attribute names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    DROP_EMPTY: ClassVar[frozenset[str]] = frozenset()  # omit these attributes when empty (None, "", 0, {}, [])

    def stored_attributes(self) -> dict[str, Any]:
        """The part as it is stored: its attributes, without the empty DROP_EMPTY ones."""
        return _drop_empty(self, self.model_dump(by_alias=True))

    @classmethod
    def _alias(cls, name: str) -> str:
        field = cls.model_fields[name]
        return field.serialization_alias or field.alias or name


def _drop_empty(part: StoredPart, data: dict[str, Any]) -> dict[str, Any]:
    """`data` (part's attributes) without its empty DROP_EMPTY attributes, in nested parts too."""
    for name, value in part:
        key = part._alias(name)
        if key not in data:
            continue
        if name in part.DROP_EMPTY and not data[key]:
            del data[key]
        elif isinstance(value, StoredPart) and isinstance(data[key], dict):
            _drop_empty(value, data[key])
        elif isinstance(value, list) and isinstance(data[key], list):
            for nested, stored in zip(value, data[key], strict=False):
                if isinstance(nested, StoredPart) and isinstance(stored, dict):
                    _drop_empty(nested, stored)
    return data


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

    def extra_attributes(self) -> dict[str, Any]:
        """Attributes no field holds as is (derived from fields); none unless the record has any."""
        return {}

    def to_item(self) -> dict[str, Any]:
        attributes = _drop_empty(
            self, self.model_dump(by_alias=True, exclude=set(self.NOT_STORED), exclude_none=self.DROP_NONE)
        )
        for name in self.JSON_TEXT:
            alias = self._alias(name)
            attributes[alias] = json.dumps(attributes[alias], separators=(",", ":"), ensure_ascii=True)
        return {**self.item_key(), **self.index_keys(), "type": self.ITEM_TYPE, **attributes, **self.extra_attributes()}

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
