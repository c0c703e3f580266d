"""The root of every expected error.

An error derived from `FairdueError` is bad input or a refused operation: its
message is written for the person who caused it, and the CLI prints it as one
line with a non-zero exit. Anything else is a bug and keeps its traceback.
"""


class FairdueError(Exception):
    """An expected, explainable failure; `str(err)` is the user-facing line."""

    exit_code = 1


# Semantic bases: what kind of refusal an error is. A service error inherits one of
# these beside its context base; fairdue/web/problems.py maps each to an HTTP status once.
class Invalid(FairdueError):
    """The request cannot be carried out as asked: bad input, a rule it breaks (a limit, a required field, a
    line that is not active, a payment already reversed), or a record it names that does not exist (an unknown
    account or product in a command: the command is wrong, not the address it was sent to)."""


class NotFound(FairdueError):
    """The thing the request addresses does not exist, or is not the caller's to see (a complaint, a data
    request, a borrower's own line by its id)."""


class Conflict(FairdueError):
    """The request collides with a decision already taken on the thing it addresses (a request already
    answered, debt already restructured by a plan, a call task no longer open): asking again will not help."""


class Forbidden(FairdueError):
    """The caller is known but not allowed to do this."""


class Unauthenticated(FairdueError):
    """The caller could not be identified: wrong password or one-time code."""


class RateLimited(FairdueError):
    """A named limit on attempts per time window was hit (login codes, wrong passwords)."""


SEMANTIC_BASES: tuple[type[FairdueError], ...] = (Invalid, NotFound, Conflict, Forbidden, Unauthenticated, RateLimited)
