"""Forms for funding rounds and their criteria."""

import re
from datetime import datetime, time, timedelta

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from eoi.formatting import LONDON
from eoi.forms.base import Form
from eoi.forms.fields import (
    OptionalDateField,
    PoundsField,
    VersionField,
    WholeNumberField,
    choice_field,
    pounds_check,
    text_area,
    text_field,
)

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def time_field(label: str, what: str):
    def check(form, field):
        if not _TIME.match(field.data or ""):
            raise ValidationError(f"Enter the {what} as hours and minutes, like 17:00")

    return StringField(label, description="Use the 24-hour clock, like 09:00 or 23:59",
                       filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[Length(max=5, message=f"Enter the {what} as hours and "
                                          "minutes, like 17:00"), check],
                       widget=GovTextInput())


def london_instant(day, hours_minutes: str) -> datetime:
    """A date and 'HH:MM' in London (summer time or not) as an aware datetime."""
    hours, minutes = (int(part) for part in hours_minutes.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=LONDON)


class RoundForm(Form):
    title = text_field("Title", "Enter the round's title", max_length=200,
                       hint="For example, Co-commissioning fund 2027: round one")
    envelope = PoundsField("Fund envelope in pounds", widget=GovTextInput(),
                           validators=[pounds_check("fund envelope", 1_000_000_000)])
    first_financial_year = choice_field("First financial year", "Select the first year",
                                        coerce=int, placeholder="Select a year")
    last_financial_year = choice_field("Last financial year", "Select the last year",
                                       coerce=int, placeholder="Select a year")
    opens_on = OptionalDateField("Opening date", what="Opening date", required=True)
    opens_time = time_field("Opening time", "opening time")
    closes_on = OptionalDateField("Closing date", what="Closing date", required=True)
    closes_time = time_field("Closing time",
                             "closing time")
    min_member_boroughs = WholeNumberField(
        "Minimum number of member boroughs", missing="Enter the minimum number of boroughs",
        minimum=1, maximum=33, short_label="Minimum number of member boroughs",
        description="A consortium needs at least this many boroughs that have accepted")
    min_match_percent = WholeNumberField(
        "Minimum match funding, as a percentage of the total",
        missing="Enter the minimum match funding percentage", minimum=0, maximum=99,
        short_label="Minimum match funding",
        description="Money from everyone but MOPAC, as a share of the whole budget")
    priorities = SelectMultipleField(
        "Eligible priorities", coerce=int, widget=GovCheckboxesInput(),
        validators=[DataRequired(message="Select at least one priority")])
    indicators = SelectMultipleField(
        "Indicators applicants may choose", coerce=int, widget=GovCheckboxesInput(),
        validators=[DataRequired(message="Select at least one indicator")])
    guidance = text_area("Guidance for applicants (optional)", max_length=20_000)
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_last_financial_year(self, field):
        if field.data and self.first_financial_year.data and (
                field.data < self.first_financial_year.data):
            raise ValidationError("The last financial year must not be before the first")

    def validate_closes_time(self, field):
        opens, closes = self.opens_at(), self.closes_at()
        if opens and closes and closes <= opens:
            raise ValidationError("The round must close after it opens")

    def opens_at(self) -> datetime | None:
        if self.opens_on.data and _TIME.match(self.opens_time.data or ""):
            return london_instant(self.opens_on.data, self.opens_time.data)
        return None

    def closes_at(self) -> datetime | None:
        """The round takes submissions through the whole closing minute: closing at 23:59
        accepts 23:59:59 and refuses 00:00:00."""
        if self.closes_on.data and _TIME.match(self.closes_time.data or ""):
            return london_instant(self.closes_on.data, self.closes_time.data) + timedelta(
                minutes=1)
        return None

    def fill_from(self, funding_round) -> None:
        opens = funding_round.opens_at.astimezone(LONDON)
        closes = (funding_round.closes_at - timedelta(minutes=1)).astimezone(LONDON)
        self.envelope.data = funding_round.envelope_pence
        self.opens_on.data, self.opens_time.data = opens.date(), f"{opens:%H:%M}"
        self.closes_on.data, self.closes_time.data = closes.date(), f"{closes:%H:%M}"
        self.priorities.data = [p.id for p in funding_round.priorities]
        self.indicators.data = [i.id for i in funding_round.indicators]

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "envelope_pence": self.envelope.data,
            "first_financial_year": self.first_financial_year.data,
            "last_financial_year": self.last_financial_year.data,
            "opens_at": self.opens_at(),
            "closes_at": self.closes_at(),
            "guidance": self.guidance.data or "",
            "min_member_boroughs": self.min_member_boroughs.data,
            "min_match_percent": self.min_match_percent.data,
        }


class CriterionForm(Form):
    title = text_field("Criterion", "Enter the criterion", max_length=200)
    description = text_area("What is assessed", missing="Enter what is assessed")
    weight = WholeNumberField("Weight", missing="Enter a weight, like 15", minimum=1,
                              maximum=100, short_label="Weight",
                              description="The weights of all the round's criteria must add "
                              "up to 100 before the round opens")
    position = WholeNumberField("Position in lists", missing="Enter a position, like 10",
                                minimum=0, maximum=10_000, short_label="Position",
                                description="Lower numbers are listed first")
    descriptor_0 = text_area("Score 0 means", missing="Enter what a score of 0 means")
    descriptor_1 = text_area("Score 1 means", missing="Enter what a score of 1 means")
    descriptor_2 = text_area("Score 2 means", missing="Enter what a score of 2 means")
    descriptor_3 = text_area("Score 3 means", missing="Enter what a score of 3 means")
    descriptor_4 = text_area("Score 4 means", missing="Enter what a score of 4 means")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "title", "description", "weight", "position",
            *(f"descriptor_{score}" for score in range(5)))}
