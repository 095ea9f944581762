"""The quarterly return's web form, built from the same categories as the spreadsheet
(eoi.returns.figures), and the fund manager's review."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from eoi.eois.models import CostCategory
from eoi.forms.base import Form
from eoi.forms.fields import VersionField, choices, stripped, text_area
from eoi.grants.models import MAX_NOTES
from eoi.inputs import whole_number
from eoi.money import parse_pounds
from eoi.returns.figures import (
    BOROUGHS_FIELD,
    BREAKDOWNS,
    COHORTS,
    MAX_NARRATIVE,
    NARRATIVES,
    OUTSIDE_LONDON,
    OUTSIDE_LONDON_NAME,
    Cohorts,
    ReturnFigures,
    breakdown_field,
    forecast_field,
    indicator_field,
    spend_field,
    supported_field,
)

# Blank borough rows offered beyond those already filled: enough for most quarters; the
# spreadsheet takes any number.
SPARE_BOROUGH_ROWS = 6


class CountField(StringField):
    """A whole number of young people; blank means 0 (or 'not entered' for indicators)."""

    def __init__(self, label, *, what: str, **kwargs):
        super().__init__(label, widget=GovTextInput(), filters=[stripped], **kwargs)
        self.what = what

    def pre_validate(self, form):
        if self.data and self.number is None:
            raise ValidationError(f"{self.what}: enter a whole number, like 12")

    @property
    def number(self) -> int | None:
        # The return's own rules say how large a count may be; this only reads it.
        return whole_number((self.data or "").replace(",", ""), maximum=10**15)


class MoneyField(StringField):
    def __init__(self, label, *, what: str, **kwargs):
        super().__init__(label, widget=GovTextInput(), filters=[stripped], **kwargs)
        self.what = what

    def pre_validate(self, form):
        if self.data:
            try:
                parse_pounds(self.data)
            except ValueError:
                raise ValidationError(f"{self.what}: enter an amount in pounds, like 12,500 "
                                      "or 12500.50") from None

    @property
    def pence(self) -> int:
        return parse_pounds(self.data) if self.data else 0


def borough_row_fields(index: int) -> tuple[str, str, str, str]:
    row = f"borough-{index}"
    return f"{row}-residence", f"{row}-service", f"{row}-new", f"{row}-continuing"


def return_form(*, indicators: dict[str, str], boroughs: dict[str, str], borough_rows: int,
                formdata=None):
    """A form with a field per figure, named as eoi.returns.figures names them, so the
    rules' messages land beside the right box."""
    attrs: dict = {"version": VersionField(),
                   "save": SubmitField("Save as draft", widget=GovSubmitInput())}
    for cohort, title in COHORTS:
        attrs[supported_field(cohort)] = CountField(f"{title} young people",
                                                    what=f"{title} young people")
    for key, breakdown_title, categories in BREAKDOWNS:
        for category, category_title in categories:
            for cohort, cohort_title in COHORTS:
                attrs[breakdown_field(key, category, cohort)] = CountField(
                    f"{category_title}: {cohort_title.lower()}",
                    what=f"{breakdown_title}, {category_title}, {cohort_title.lower()}")
    residence_choices = choices([("", "Select a borough"), *boroughs.items(),
                                 (OUTSIDE_LONDON, OUTSIDE_LONDON_NAME)])
    service_choices = choices([("", "Select a borough"), *boroughs.items()])
    for index in range(borough_rows):
        residence, service, new, continuing = borough_row_fields(index)
        row = f"Row {index + 1}"
        attrs[residence] = SelectField(f"{row}: lives in", choices=residence_choices,
                                       widget=GovSelect(), validate_choice=False)
        attrs[service] = SelectField(f"{row}: supported in", choices=service_choices,
                                     widget=GovSelect(), validate_choice=False)
        attrs[new] = CountField(f"{row}: new", what=f"Borough row {index + 1}, new")
        attrs[continuing] = CountField(f"{row}: continuing",
                                       what=f"Borough row {index + 1}, continuing")
    for key, name in indicators.items():
        attrs[indicator_field(key)] = CountField(name, what=name)
    for cost in CostCategory:
        attrs[spend_field(cost.value)] = MoneyField(cost.title, what=f"Spend on {cost.title}")
        attrs[forecast_field(cost.value)] = MoneyField(
            cost.title, what=f"Forecast spend on {cost.title}")
    for key, title, hint in NARRATIVES:
        attrs[key] = TextAreaField(title, description=hint, filters=[stripped],
                                   validators=[Length(max=MAX_NARRATIVE, message=(
                                       f"{title} must be {MAX_NARRATIVE:,} characters or "
                                       "fewer"))], widget=GovTextArea())

    def figures(self) -> ReturnFigures:
        result = ReturnFigures(supported=Cohorts(
            *(self[supported_field(c)].number or 0 for c, _ in COHORTS)))
        for key, _, categories in BREAKDOWNS:
            result.breakdowns[key] = {
                category: Cohorts(*(self[breakdown_field(key, category, c)].number or 0
                                    for c, _ in COHORTS))
                for category, _ in categories}
        for index in range(borough_rows):
            residence, service, new, continuing = (self[name] for name in
                                                   borough_row_fields(index))
            counts = Cohorts(new.number or 0, continuing.number or 0)
            if residence.data or service.data or counts.total:
                pair = (residence.data or "", service.data or "")
                result.boroughs[pair] = result.boroughs.get(pair, Cohorts()) + counts
        result.indicators = {key: self[indicator_field(key)].number for key in indicators}
        result.spend = {c.value: self[spend_field(c.value)].pence for c in CostCategory}
        result.forecast = {c.value: self[forecast_field(c.value)].pence for c in CostCategory}
        result.narrative = {key: self[key].data or "" for key, _, _ in NARRATIVES}
        return result

    def fill(self, figures: ReturnFigures) -> None:
        for cohort, _ in COHORTS:
            self[supported_field(cohort)].data = str(getattr(figures.supported, cohort))
        for key, _, categories in BREAKDOWNS:
            for category, _ in categories:
                counts = figures.breakdowns.get(key, {}).get(category, Cohorts())
                for cohort, _ in COHORTS:
                    self[breakdown_field(key, category, cohort)].data = str(
                        getattr(counts, cohort))
        for index, ((home, served), counts) in enumerate(sorted(figures.boroughs.items())):
            residence, service, new, continuing = (self[name] for name in
                                                   borough_row_fields(index))
            residence.data, service.data = home, served
            new.data, continuing.data = str(counts.new), str(counts.continuing)
        for key in indicators:
            value = figures.indicators.get(key)
            self[indicator_field(key)].data = "" if value is None else str(value)
        for cost in CostCategory:
            for box, figure in ((spend_field, figures.spend), (forecast_field, figures.forecast)):
                pence = figure.get(cost.value, 0)
                self[box(cost.value)].data = (
                    f"{pence / 100:,.2f}".removesuffix(".00") if pence else "")
        for key, _, _ in NARRATIVES:
            self[key].data = figures.narrative.get(key, "")

    def add_problem(self, field: str, message: str) -> None:
        if field == BOROUGHS_FIELD:
            field = borough_row_fields(0)[0]
        self[field].errors = [*self[field].errors, message]

    attrs.update(figures=figures, fill=fill, add_problem=add_problem)
    form_class = type("ReturnForm", (Form,), attrs)
    return form_class(formdata=formdata)


class SubmitReturnForm(Form):
    """Submitting a return; the checkbox is shown when the narrative mentions a few people
    by number ("one girl"), and then must be ticked."""

    version = VersionField()
    small_numbers_checked = BooleanField(
        "I have checked: nobody could recognise these young people from what the "
        "narrative says about them", widget=GovCheckboxInput())


class ReturnUploadForm(Form):
    file = FileField("Upload the filled-in spreadsheet", widget=GovFileInput(),
                     description="The .xlsx file downloaded from this page. Its figures "
                     "replace what is saved in the return, as a draft.")
    upload = SubmitField("Upload spreadsheet", widget=GovSubmitInput())

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise ValidationError("Select the spreadsheet to upload")


class ReviewForm(Form):
    version = VersionField()
    outcome = RadioField(
        "Your decision", choices=choices([("accept", "Accept"),
                                          ("return", "Return for changes")]),
        validators=[InputRequired(message="Select whether to accept or return it")],
        widget=GovRadioInput())
    comments = text_area("Comments", hint="Needed when returning it: say what to change. "
                         "The partner and the lead commissioner read these.",
                         max_length=MAX_NOTES)
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class DeclineSignOffForm(Form):
    version = VersionField()
    reason = text_area("Why you cannot sign it off", missing="Say why you cannot sign it off",
                       max_length=MAX_NOTES, hint="The partner and the lead commissioner read "
                       "this, and change the return")
    submit = SubmitField("Decline to sign it off", widget=GovSubmitInput())
