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

    @property
    def errors(self) -> dict[str, str]:
        """Each field's message: {field: message}."""
        return {self.field: self.message}


class PersonalDataRefused(FieldRefusal):
    """The privacy guard (eoi.guard) found what looks like personal data about a young
    person in one or more fields: each message goes beside its field."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(field, message)
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)


class DuplicateName(Refusal):
    """Another record already has this value in a field that must be unique.
    The argument names the field, so the form can put the message beside it."""


class StaleEdit(RuntimeError):
    """Someone else saved this record after the form showing it was opened."""
