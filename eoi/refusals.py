"""Why a change was not made, in the person's words. Operations raise these; the one write
path (eoi.writes) rolls back and shows them on the page. Pure: no Flask, no database."""


class Refusal(ValueError):
    """A rule refused the change; nothing of it is saved."""


class TransitionRefused(Refusal):
    """A change the rules do not allow; the message says why, for the whole page."""


class FieldRefusal(Refusal):
    """A business rule refused a value; the message goes beside the named form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class DuplicateName(Refusal):
    """Another record already has this value in a field that must be unique.
    The argument names the field, so the form can put the message beside it."""


class StaleEdit(RuntimeError):
    """Someone else saved this record after the form showing it was opened."""
