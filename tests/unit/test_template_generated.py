"""template.yaml's per-kind blocks are written from the channel contract (`make template`), never by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from herald.delivery.contract import CHANNELS, Channel
from herald_local import template_gen
from herald_local.template import TEMPLATE, Template, load


def test_the_template_is_what_the_channel_contract_generates() -> None:
    assert template_gen.generate(TEMPLATE.read_text()) == TEMPLATE.read_text(), "run `make template`"
    assert template_gen.main(["check"]) == 0


def test_a_new_kind_gets_its_queue_dlq_alarms_event_source_and_send_policies(tmp_path: Path) -> None:
    fax = Channel("fax", CHANNELS["webhook"].sender, ("number",), "Fax")
    path = tmp_path / "template.yaml"
    path.write_text(template_gen.generate(TEMPLATE.read_text(), [*CHANNELS.values(), fax]))
    template = Template(load(path))

    for name in ("FaxQueue", "FaxDeadLetterQueue", "FaxDeadLetterAlarm", "FaxQueueAgeAlarm"):
        assert name in template.resources
    delivery = template.resources["DeliveryFunction"]["Properties"]
    assert delivery["Events"]["FaxQueue"]["Properties"]["Queue"] == {"Fn::GetAtt": ["FaxQueue", "Arn"]}
    dead_letter = {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["FaxDeadLetterQueue", "QueueName"]}}}
    assert dead_letter in delivery["Policies"]
    send = {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["FaxQueue", "QueueName"]}}}
    assert send in template.resources["FanoutFunction"]["Properties"]["Policies"]
    assert template.functions()["DeliveryFunction"].environment["QUEUE_URL_FAX"] == {"Ref": "FaxQueue"}
    # everything else is untouched
    assert set(template.resources) - set(Template().resources) == {
        "FaxQueue",
        "FaxDeadLetterQueue",
        "FaxDeadLetterAlarm",
        "FaxQueueAgeAlarm",
    }


def test_check_fails_on_a_hand_edited_block_and_write_repairs_it(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.read_text().replace("VisibilityTimeout: 180", "VisibilityTimeout: 30", 1))
    assert template_gen.main(["check"], path) == 1
    assert template_gen.main(["write"], path) == 0
    assert path.read_text() == TEMPLATE.read_text()


def test_an_unknown_block_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown per-kind block 'gizmos'"):
        template_gen.generate("  # >>> per kind: gizmos\n  # <<< per kind: gizmos\n")
