"""Fields and validators shared by forms in several areas."""

import re
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)

# New in WTForms 3.3; types-WTForms still describes 3.2, which has no SelectChoice.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from eoi.money import parse_pounds

# What a form that arrives without its version (or with nonsense in it) is taken to have
# seen: no record has it, so the save is refused as a conflict, never made blind.
UNKNOWN_VERSION = 0


class VersionField(HiddenField):
    """Carries the record's version from the page that showed it to the save,
    so a save against a record someone else changed meanwhile is caught."""

    data: int | None  # type: ignore[assignment]  # a number, where HiddenField holds text

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        text = self.data if isinstance(self.data, str) else ""
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else (
            UNKNOWN_VERSION)


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value):
    value = stripped(value)
    return value or None


def _length(label: str, max_length: int):
    return Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")


def text_field(label: str, missing: str, *, max_length: int, hint: str | None = None):
    return StringField(
        label,
        description=hint or "",
        filters=[stripped],
        validators=[DataRequired(message=missing), _length(label, max_length)],
        widget=GovTextInput(),
    )


def optional_text_field(label: str, *, max_length: int, hint: str | None = None, validators=()):
    return StringField(
        label,
        description=hint or "",
        filters=[none_if_blank],
        validators=[Optional(), _length(label, max_length), *validators],
        widget=GovTextInput(),
    )


# A long answer: about 800 words, more than any reason, comment or description needs.
TEXT_AREA_MAX = 5000


def text_area(label: str, *, hint: str | None = None, missing: str | None = None,
              max_length: int = TEXT_AREA_MAX, what: str | None = None):
    """`what` names the field in messages, when the label says more ("… (optional)")."""
    return TextAreaField(
        label,
        description=hint or "",
        filters=[stripped],
        validators=[DataRequired(message=missing) if missing else Optional(),
                    _length(what or label.removesuffix(" (optional)"), max_length)],
        widget=GovTextArea(),
    )


class WholeNumberField(IntegerField):
    """A whole number with GOV.UK wording, not WTForms' 'Not a valid integer value'."""

    def __init__(self, label, *, missing: str, minimum: int, maximum: int, short_label: str,
                 **kwargs):
        super().__init__(label, widget=GovTextInput(), validators=[
            InputRequired(message=missing),
            WholeNumberRange(short_label, minimum, maximum),
        ], **kwargs)
        self.short_label = short_label

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        try:
            self.data = int(self.raw) if self.raw else None
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if getattr(self, "raw", "") and self.data is None:
            raise StopValidation(f"{self.short_label} must be a whole number, like 10")


def position_field():
    return WholeNumberField(
        "Position in lists",
        description="Lower numbers are listed first",
        default=0,
        missing="Enter a position, like 10",
        minimum=0,
        maximum=10_000,
        short_label="Position",
    )


def archived_field(what: str):
    return BooleanField(
        f"Archive this {what}",
        description=f"An archived {what} stays on past records but is not offered for new ones",
        widget=GovCheckboxInput(),
    )


class OptionalDateField(DateField):
    """Day, month and year boxes that may all be left blank.

    govuk-frontend-wtf's date widget expects exactly three values and fails on a crafted
    POST with fewer; this field always keeps three, and says what is wrong in words.
    With `required`, leaving all three blank is an error too."""

    def pre_validate(self, form):
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(f"Enter the {self.what.lower()}")

    def __init__(self, label, *, what: str, required: bool = False, **kwargs):
        super().__init__(label, widget=GovDateInput(), **kwargs)
        self.what, self.required = what, required

    def process_formdata(self, valuelist):
        parts = [str(v).strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            if self.required:
                raise ValueError(f"Enter the {self.what.lower()}")
            return
        day, month, year = parts
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.what} must be a real date, like 31 3 2027") from None
        if not 2000 <= self.data.year <= 2100:
            self.data = None
            raise ValueError(f"{self.what} must be a year between 2000 and 2100")



class PoundsField(StringField):
    """An amount in pounds, typed as people write it ('£12,500'), held as pence."""

    data: int | None  # type: ignore[assignment]  # pence, where StringField holds text

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        try:
            self.data = parse_pounds(self.raw) if self.raw.strip() else None
        except ValueError:
            self.data = None

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return "" if self.data is None else f"{self.data / 100:,.2f}".removesuffix(".00")


def pounds_check(what: str, maximum_pounds: int):
    def check(form, field):
        if not getattr(field, "raw", "").strip() and field.data is None:
            raise ValidationError(f"Enter the {what}")
        if field.data is None:
            raise ValidationError(f"{what.capitalize()} must be a number of pounds, like "
                                  "12,500 or 12500.50")
        if field.data <= 0:
            raise ValidationError(f"{what.capitalize()} must be more than £0")
        if field.data > maximum_pounds * 100:
            raise ValidationError(f"{what.capitalize()} must be £{maximum_pounds:,} or less")

    return check


class ChoiceField(SelectField):
    """A select whose first option asks for a choice, with GOV.UK error messages:
    `missing` when nothing is chosen, and no 500 or 'Not a valid choice' for a
    crafted value."""

    choices: list[SelectChoice] | None  # what choices() makes, set by the view

    def __init__(self, label, missing: str, placeholder: str | None, **kwargs):
        super().__init__(label, widget=GovSelect(), **kwargs)
        self.missing, self.placeholder = missing, placeholder

    def iter_choices(self):
        if self.placeholder:
            yield ("", self.placeholder, self.data in (None, ""), {})
        yield from super().iter_choices()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data is None or self.data == "":
            raise StopValidation(self.missing)
        if self.data not in {self.coerce(choice.value) for choice in self.choices or ()}:
            raise StopValidation(self.missing)


def choice_field(label: str, missing: str, *, hint: str | None = None, coerce=str,
                 placeholder: str | None = None):
    return ChoiceField(label, missing, placeholder, description=hint, coerce=coerce)


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


class WholeNumberRange:
    def __init__(self, label: str, minimum: int, maximum: int):
        self.label, self.minimum, self.maximum = label, minimum, maximum

    def __call__(self, form, field):
        if field.data is not None and not self.minimum <= field.data <= self.maximum:
            raise ValidationError(
                f"{self.label} must be between {self.minimum} and {self.maximum}"
            )


ORG_ID_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,}-[A-Za-z0-9][A-Za-z0-9.\-/]*$")


def org_id_format(form, field):
    if field.data and not ORG_ID_PATTERN.match(field.data):
        raise ValidationError(
            "Enter an organisation identifier in the org-id format, like GB-CHC-1234567"
        )


def work_email_field(description: str):
    """A member of staff's work email address, which they will sign in with."""
    from wtforms import EmailField
    from wtforms.validators import Email

    return EmailField(
        "Email address",
        description=description,
        filters=[stripped],
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like "
                  "name@example.org.uk", check_deliverability=False),
        ],
        widget=GovTextInput(),
    )
