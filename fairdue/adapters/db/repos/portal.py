"""The portal's rows: complaints and their events, data-rights requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.contact_facts import contact_facts
from fairdue.adapters.db.schema.web import complaint_events, complaint_evidence, complaints, data_rights_requests
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import ComplaintStatus, DataRightsStatus


class PortalRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    # -- complaints --------------------------------------------------------------------------------
    def add_complaint(
        self,
        *,
        borrower_id: BorrowerId,
        account_id: str | None,
        jurisdiction: str,
        category: str,
        text: str,
        status: str,
        complexity: str,
        received_at: datetime,
        due_at: datetime,
    ) -> int:
        """Store a new complaint; returns its id."""
        complaint_id: int = self.conn.execute(
            sa.insert(complaints)
            .values(
                borrower_id=borrower_id,
                account_id=account_id,
                jurisdiction=jurisdiction,
                category=category,
                text=text,
                status=status,
                complexity=complexity,
                received_at=received_at,
                due_at=due_at,
            )
            .returning(complaints.c.id)
        ).scalar_one()
        return complaint_id

    def add_evidence(
        self, *, complaint_id: int, filename: str, media_type: str, size_bytes: int, sha256: str, content: bytes
    ) -> None:
        """Store one evidence file of a complaint."""
        self.conn.execute(
            sa.insert(complaint_evidence).values(
                complaint_id=complaint_id,
                filename=filename,
                media_type=media_type,
                size_bytes=size_bytes,
                sha256=sha256,
                content=content,
            )
        )

    def add_complaint_event(self, *, complaint_id: int, at: datetime, actor: str, kind: str, note: str | None) -> None:
        """Append one event to a complaint's history."""
        self.conn.execute(
            sa.insert(complaint_events).values(complaint_id=complaint_id, at=at, actor=actor, kind=kind, note=note)
        )

    def evidence_of(self, complaint_id: int) -> list[dict[str, Any]]:
        """The complaint's evidence files as {id, filename, media_type, size_bytes, sha256} (no content), oldest first."""
        e = complaint_evidence.c
        q = (
            sa.select(e.id, e.filename, e.media_type, e.size_bytes, e.sha256)
            .where(e.complaint_id == complaint_id)
            .order_by(e.id)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]

    def events_of(self, complaint_id: int) -> list[sa.Row]:
        """The complaint's events, oldest first."""
        q = sa.select(complaint_events).where(complaint_events.c.complaint_id == complaint_id)
        return list(self.conn.execute(q.order_by(complaint_events.c.id)))

    def complaint(self, complaint_id: int) -> sa.Row | None:
        """The complaint row, or None."""
        return self.conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).first()

    def complaint_of_borrower(self, complaint_id: int, borrower_id: BorrowerId) -> sa.Row | None:
        """The complaint row if it is this borrower's, else None."""
        q = sa.select(complaints).where(complaints.c.id == complaint_id).where(complaints.c.borrower_id == borrower_id)
        return self.conn.execute(q).first()

    def complaints_of_borrower(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """The borrower's complaint rows, newest first."""
        q = sa.select(complaints).where(complaints.c.borrower_id == borrower_id).order_by(complaints.c.id.desc())
        return list(self.conn.execute(q).all())

    def complaint_queue(self, *, include_decided: bool, limit: int, offset: int) -> list[sa.Row]:
        """Complaint rows (only received and in-progress ones unless include_decided), earliest due first."""
        q = sa.select(complaints)
        if not include_decided:
            q = q.where(complaints.c.status.in_((ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)))
        return list(
            self.conn.execute(q.order_by(complaints.c.due_at, complaints.c.id).limit(limit).offset(offset)).all()
        )

    def _update_complaint(self, complaint_id: int, **values: Any) -> None:
        self.conn.execute(sa.update(complaints).where(complaints.c.id == complaint_id).values(**values))

    def mark_complaint_complex(self, complaint_id: int, *, due_at: datetime) -> None:
        """Complexity complex, status in progress, the new due instant."""
        self._update_complaint(complaint_id, complexity="complex", status=ComplaintStatus.IN_PROGRESS, due_at=due_at)

    def extend_complaint(self, complaint_id: int, *, notice: str, due_at: datetime) -> None:
        """Complexity extended, with the notice to the complainant and the new due instant."""
        self._update_complaint(complaint_id, complexity="extended", extension_notice=notice, due_at=due_at)

    def decide_complaint(self, complaint_id: int, *, decided_at: datetime, decision: str) -> None:
        """Status decided, with the decision and when (stops the clock)."""
        self._update_complaint(complaint_id, status=ComplaintStatus.DECIDED, decided_at=decided_at, decision=decision)

    def escalate_complaint(self, complaint_id: int) -> None:
        """Status in progress, assigned to nobody (a supervisor picks it up)."""
        self._update_complaint(complaint_id, status=ComplaintStatus.IN_PROGRESS, assigned_staff_id=None)

    def assign_complaint(self, complaint_id: int, *, staff_id: int) -> None:
        """Assigned to the staff member, status in progress."""
        self._update_complaint(complaint_id, assigned_staff_id=staff_id, status=ComplaintStatus.IN_PROGRESS)

    # -- data-rights requests ----------------------------------------------------------------------
    def add_data_request(
        self,
        *,
        borrower_id: BorrowerId,
        kind: str,
        details: str,
        status: str,
        received_at: datetime,
        due_at: datetime,
        decided_at: datetime | None = None,
        outcome: str | None = None,
    ) -> int:
        """Store a data-rights request (details: JSON text; decided_at and outcome when answered at once); returns its id."""
        request_id: int = self.conn.execute(
            sa.insert(data_rights_requests)
            .values(
                borrower_id=borrower_id,
                kind=kind,
                details=details,
                status=status,
                received_at=received_at,
                due_at=due_at,
                decided_at=decided_at,
                outcome=outcome,
            )
            .returning(data_rights_requests.c.id)
        ).scalar_one()
        return request_id

    def answer_data_request(
        self, request_id: int, *, status: str, decided_at: datetime, decided_by: str, outcome: str | None
    ) -> int:
        """Answer the request only if it is still received; returns how many rows moved (0 or 1)."""
        t = data_rights_requests.c
        moved: int = self.conn.execute(
            sa.update(data_rights_requests)
            .where(t.id == request_id, t.status == DataRightsStatus.RECEIVED)
            .values(status=status, decided_at=decided_at, decided_by=decided_by, outcome=outcome)
        ).rowcount
        return moved

    def data_request_status(self, request_id: int) -> str | None:
        """The request's status, or None when there is no such request."""
        t = data_rights_requests.c
        status: str | None = self.conn.execute(sa.select(t.status).where(t.id == request_id)).scalar_one_or_none()
        return status

    def data_request_answer(self, request_id: int) -> sa.Row | None:
        """(status, decided_at, decided_by, outcome) of the request, or None."""
        t = data_rights_requests.c
        q = sa.select(t.status, t.decided_at, t.decided_by, t.outcome).where(t.id == request_id)
        return self.conn.execute(q).first()

    def data_request(self, request_id: int) -> sa.Row | None:
        """The request row, or None."""
        t = data_rights_requests.c
        return self.conn.execute(sa.select(data_rights_requests).where(t.id == request_id)).first()

    def data_requests_holding_values(self, *, after_id: int, limit: int) -> list[sa.Row]:
        """(id, details) of requests whose details hold a correction value, plain (`"value"`) or sealed
        (`"value_ct"`), with id > after_id, by id: the batches `fairdue pii reseal` walks."""
        t = data_rights_requests.c
        holds = sa.or_(t.details.like('%"value":%'), t.details.like('%"value_ct":%'))
        q = sa.select(t.id, t.details).where(t.id > after_id, holds).order_by(t.id).limit(limit)
        return list(self.conn.execute(q).all())

    def set_data_request_details(self, request_id: int, *, details: str) -> None:
        """Replace a request's details (JSON text): only re-sealing its correction value does this."""
        t = data_rights_requests.c
        self.conn.execute(sa.update(data_rights_requests).where(t.id == request_id).values(details=details))

    def data_requests_of(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """The borrower's requests, newest first."""
        t = data_rights_requests.c
        q = sa.select(data_rights_requests).where(t.borrower_id == borrower_id).order_by(t.id.desc())
        return list(self.conn.execute(q).all())

    def unanswered_data_requests(self, *, limit: int) -> list[sa.Row]:
        """Requests still received, soonest due first."""
        t = data_rights_requests.c
        q = (
            sa.select(data_rights_requests)
            .where(t.status == DataRightsStatus.RECEIVED)
            .order_by(t.due_at, t.id)
            .limit(limit)
        )
        return list(self.conn.execute(q).all())

    def staff_answered_data_requests(self, *, limit: int) -> list[sa.Row]:
        """Requests answered (not received), consent withdrawals left out, latest answer first."""
        t = data_rights_requests.c
        q = (
            sa.select(data_rights_requests)
            .where(t.status != DataRightsStatus.RECEIVED, t.kind != "consent_withdrawal")
            .order_by(t.decided_at.desc(), t.id.desc())
            .limit(limit)
        )
        return list(self.conn.execute(q).all())

    # -- the contact facts a request concerns ------------------------------------------------------
    def contact_facts_of(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """(id, kind, account_id, effective_from, effective_until, ended_at) of the borrower's contact facts, oldest
        first."""
        t = contact_facts.c
        q = (
            sa.select(t.id, t.kind, t.account_id, t.effective_from, t.effective_until, t.ended_at)
            .where(t.borrower_id == borrower_id)
            .order_by(t.id)
        )
        return list(self.conn.execute(q).all())

    def contact_fact_of(self, fact_id: int, borrower_id: BorrowerId) -> sa.Row | None:
        """The contact fact if it is this borrower's (no attorney details), else None."""
        t = contact_facts.c
        q = sa.select(
            t.id,
            t.kind,
            t.source,
            t.account_id,
            t.effective_from,
            t.effective_until,
            t.hours_start,
            t.hours_end,
            t.recorded_by,
            t.ended_at,
            t.ended_by,
            t.end_reason,
        ).where(t.id == fact_id, t.borrower_id == borrower_id)
        return self.conn.execute(q).first()
