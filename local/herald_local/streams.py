"""A table's DynamoDB stream, read inside the emulator's process.

moto keeps a table's stream as one shard of records in wire form (`{"eventName", "dynamodb": {"Keys",
"NewImage", …}}`). Reading it through GetRecords made moto serialise and botocore parse every record of
every write (rate counters, leases, outcomes), only for the filter criteria to drop most of them: that
was the local stack's largest cost. The poller reads the shard here instead, under the DynamoDB lock (so a
record is never read half-written, nor from a table a cancelled transaction is restoring), applies its
filter to the records as they are and copies only those it keeps.

When the poller is the stream's only reader, records it has read are trimmed from the shard, as DynamoDB
trims a stream after 24 hours: moto copies every table, stream included, at the start of each
transaction, so an ever-growing stream made every transaction slower.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from moto.dynamodb.models import dynamodb_backends

Record = dict[str, Any]


class TableStream:
    def __init__(self, stream_arn: str, lock: Callable[[], AbstractContextManager[None]], trim: bool) -> None:
        # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL
        self.arn = stream_arn
        parts = stream_arn.split(":", 5)
        self.region, self.account = parts[3], parts[4]
        self.table_name = parts[5].split("/")[1]
        self.lock = lock
        self.trim = trim

    def read_after(
        self, sequence: int | None, limit: int, keep: Callable[[Record], bool]
    ) -> tuple[int | None, list[Record]]:
        """Up to `limit` records after `sequence` (from the oldest when None): the last sequence number read
        and copies of the records `keep` accepts."""
        with self.lock():
            table = dynamodb_backends[self.account][self.region].tables.get(self.table_name)
            shard = table.stream_shard if table is not None else None
            if shard is None:
                return sequence, []
            start = 0 if sequence is None else max(sequence + 1 - shard.starting_sequence_number, 0)
            raw = [item.to_json() for item in shard.items[start : start + limit]]
            if not raw:
                return sequence, []
            kept = [copy.deepcopy(record) for record in raw if keep(record)]
            if self.trim:
                del shard.items[: start + len(raw)]
                shard.starting_sequence_number += start + len(raw)
            return int(raw[-1]["dynamodb"]["SequenceNumber"]), kept
