"""Errors a user can cause. The CLI prints their message as one line, never a traceback."""


class UserError(Exception):
    """A problem the user can fix; the message names the problem and the fix."""
