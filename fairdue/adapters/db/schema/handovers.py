"""Channel handovers (issue 6 item 6): what an adapter is handing to a server that has no idempotency key.

SMTP has no idempotency key: between the server's "250 OK" and our record of it, a crash leaves us
not knowing whether the message left. So the SMTP adapter writes a handover row *before* the DATA
command (state `in_flight`, committed), and moves it on when it knows more:

    in_flight -> accepted   the server said 250 (channel_sent_ledger holds the key too)
    in_flight -> failed     the server surely did not take it (refused before or at DATA): may resend
    in_flight -> unknown    found in flight after a crash, or the line dropped after DATA: never resent blindly
    unknown/in_flight -> confirmed   reconciled as delivered (relay log by Message-ID, or an operator)
    unknown/in_flight -> resend      reconciled as not delivered: the adapter may send it again

One row per idempotency key (one per outbox message); `attempts` counts handovers begun.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.collections import KEY_LEN_MAX, PROVIDER_ID_LEN_MAX
from fairdue.adapters.db.schema.types import ID, UtcDateTime

HANDOVER_STATES = ("in_flight", "accepted", "failed", "unknown", "confirmed", "resend")
STATES_SQL = "(" + ",".join(f"'{s}'" for s in HANDOVER_STATES) + ")"

channel_handovers = sa.Table(
    "channel_handovers",
    metadata,
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), primary_key=True),
    sa.Column("outbox_id", ID, sa.ForeignKey("outbox_messages.id"), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("message_id", sa.String(PROVIDER_ID_LEN_MAX), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.CheckConstraint(f"state IN {STATES_SQL}", name="state"),
    sa.CheckConstraint("attempts >= 1", name="attempts"),
)

TABLES = (channel_handovers,)
