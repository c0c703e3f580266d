"""The root of every expected error.

An error derived from `FairdueError` is bad input or a refused operation: its
message is written for the person who caused it, and the CLI prints it as one
line with a non-zero exit. Anything else is a bug and keeps its traceback.
"""


class FairdueError(Exception):
    """An expected, explainable failure; `str(err)` is the user-facing line."""

    exit_code = 1
