"""Read models for the borrower portal that are not another area's service.

`borrower_jurisdiction` maps the borrower's postal region (borrowers table,
issue 2) to the jurisdiction whose rules apply to complaints and notices.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.errors import FairdueError

REGION_JURISDICTION = {"CN": "CN", "US": "US", "GB": "UK"}


class BorrowerUnknown(FairdueError):
    http_status = 404

    def __init__(self, borrower_id: object):
        super().__init__(f"borrower {borrower_id} not found")


def borrower_jurisdiction(conn: sa.Connection, borrower_id: str | int) -> str:
    from fairdue.adapters.db.schema.accounts import borrowers

    try:
        key = int(borrower_id)
    except (TypeError, ValueError):
        raise BorrowerUnknown(borrower_id) from None
    region = conn.execute(sa.select(borrowers.c.postal_region).where(borrowers.c.id == key)).scalar_one_or_none()
    if region is None:
        raise BorrowerUnknown(borrower_id)
    return REGION_JURISDICTION.get(region.split("-")[0], "CN")
