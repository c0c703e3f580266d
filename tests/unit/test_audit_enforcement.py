"""A channel adapter accepts a message only with an intact, allowing decision for exactly that message."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.adapters.channels.base import OutboundMessage, SendRefused, require_allowing_decision
from fairdue.domain.audit import GENESIS_HASH, Entry, make_entry, message_fingerprint


class Log:
    """An in-memory decision source (a fake, not a mock)."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}

    def add(self, record: dict) -> Entry:
        seq = len(self.entries) + 1
        prev = self.entries[seq - 1].hash if seq > 1 else GENESIS_HASH
        entry = make_entry(seq=seq, prev_hash=prev, record=record)
        self.entries[seq] = entry
        return entry

    def get(self, seq: int) -> Entry | None:
        return self.entries.get(seq)


channels = st.sampled_from(["sms", "email", "app_push"])
addresses = st.sampled_from(["+8613800138000", "+8613900139000", "a@x.test", "b@x.test"])
texts = st.text(min_size=1, max_size=40)


@settings(max_examples=300)
@given(
    allowed=st.booleans(),
    decided=st.tuples(channels, addresses, texts),
    sent=st.tuples(channels, addresses, texts),
    tamper=st.booleans(),
    same=st.booleans(),
)
def test_accepted_exactly_when_allowed_for_this_message_and_untampered(allowed, decided, sent, tamper, same):
    if same:  # half the cases send exactly what was decided
        sent = decided
    log = Log()
    channel, address, text = decided
    violations = [] if allowed else [{"rule": "R", "category": "content"}]
    entry = log.add(
        {
            "decision": {"allowed": allowed, "violations": violations},
            "fingerprint": message_fingerprint(channel=channel, recipient=address, text=text),
        }
    )
    if tamper:
        forged = entry.record_text.replace('"allowed":false', '"allowed":true').replace('"violations":[{', '"v":[{')
        log.entries[entry.seq] = dataclasses.replace(entry, record_text=forged + " ")
    s_channel, s_address, s_text = sent
    message = OutboundMessage(
        outbox_id=1, decision_seq=entry.seq, channel=s_channel, recipient_address=s_address, language="zh", body=s_text
    )
    should_pass = allowed and not tamper and (s_channel, s_address, s_text) == decided
    if should_pass:
        assert require_allowing_decision(log, message, channel=s_channel).seq == entry.seq
    else:
        with pytest.raises(SendRefused):
            require_allowing_decision(log, message, channel=s_channel)


def test_a_message_for_another_channel_adapter_is_refused():
    log = Log()
    entry = log.add(
        {
            "decision": {"allowed": True, "violations": []},
            "fingerprint": message_fingerprint(channel="sms", recipient="+8613800138000", text="x"),
        }
    )
    message = OutboundMessage(
        outbox_id=1, decision_seq=entry.seq, channel="sms", recipient_address="+8613800138000", language="zh", body="x"
    )
    with pytest.raises(SendRefused, match="email adapter"):
        require_allowing_decision(log, message, channel="email")
