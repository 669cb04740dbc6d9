"""Prints what the emulator 'sent': SES emails and SNS text messages, read from moto's backends."""

from __future__ import annotations

import threading
from typing import Any

from herald_local.template import ACCOUNT_ID, REGION


class OutboxPrinter(threading.Thread):
    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(name="outbox", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self._emails_seen = 0
        self._sms_seen: set[str] = set()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            try:
                self.print_new()
            except Exception as error:
                print(f"[outbox] {type(error).__name__}: {error}", flush=True)

    def print_new(self) -> None:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        sent: list[Any] = list(ses_backends[ACCOUNT_ID][REGION].sent_messages)
        for message in sent[self._emails_seen :]:
            to = ", ".join(getattr(message, "destinations", {}).get("ToAddresses", []))
            print(f"[email] to {to}: {getattr(message, 'subject', '')}", flush=True)
            body = getattr(message, "body", "")
            if body:
                print("        " + str(body).replace("\n", "\n        ")[:2000], flush=True)
        self._emails_seen = len(sent)
        for message_id, sms in list(sns_backends[ACCOUNT_ID][REGION].sms_messages.items()):
            if message_id not in self._sms_seen:
                self._sms_seen.add(message_id)
                number, text = sms[0], sms[1]
                print(f"[sms] to {number}: {text}", flush=True)

    def stop(self) -> None:
        self.stopping.set()
