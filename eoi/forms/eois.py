"""Forms for EOIs. Section forms are built at run time from the section's questions, the
round's priorities and indicators, as Indico builds its review forms from its questions."""

from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from eoi.eois.models import CostCategory, Eoi
from eoi.eois.sections import SECTIONS_BY_KEY
from eoi.eois.uploads import ALLOWED_LIST
from eoi.forms.base import Form
from eoi.forms.fields import (
    PoundsField,
    VersionField,
    choice_field,
    choices,
    pounds_check,
    stripped,
    text_area,
)
from eoi.inputs import whole_number
from eoi.money import financial_year_label

# Baselines and targets count young people or sessions in a year: ten million is past any
# borough's.
MAX_TARGET = 10_000_000


class OptionalCount(StringField):
    """A count that may be left blank in a draft: a whole number of 0 or more."""

    def __init__(self, label, **kwargs):
        super().__init__(label, widget=GovTextInput(), filters=[stripped], **kwargs)

    def pre_validate(self, form):
        if self.data and self.number() is None:
            raise ValidationError(f"{self.label.text} must be a whole number from 0 to "
                                  f"{MAX_TARGET:,}, like 40")

    def number(self) -> int | None:
        return whole_number(self.data, maximum=MAX_TARGET)


class SectionFormBase(Form):
    version = VersionField()
    complete = RadioField(
        "Have you completed this section?",
        choices=choices([("yes", "Yes, I've completed this section"),
                         ("no", "No, I'll come back to it later")]),
        validators=[InputRequired(message="Select whether you have completed this section")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def content(self) -> dict:
        raise NotImplementedError

    def fill(self, content: dict) -> None:
        raise NotImplementedError


def section_form(eoi: Eoi, key: str, formdata=None) -> SectionFormBase:
    builder = {"priorities": _priorities_form, "outcomes": _outcomes_form,
               "budget": _budget_form}.get(key, _questions_form)
    form_class = builder(eoi, key)
    return form_class() if formdata is None else form_class(formdata=formdata)


def _questions_form(eoi: Eoi, key: str):
    section = SECTIONS_BY_KEY[key]
    attrs: dict[str, Any] = {}
    for q in section.questions:
        length = Length(max=q.max_length,
                        message=f"{q.label} must be {q.max_length} characters or fewer")
        if q.long:
            attrs[q.name] = TextAreaField(q.label, description=q.hint or "", filters=[stripped],
                                          validators=[length], widget=GovCharacterCount())
        else:
            attrs[q.name] = StringField(q.label, description=q.hint or "", filters=[stripped],
                                        validators=[length], widget=GovTextInput())

    def content(self):
        return {q.name: getattr(self, q.name).data or "" for q in section.questions}

    def fill(self, content):
        for q in section.questions:
            getattr(self, q.name).data = content.get(q.name, "")

    attrs |= {"content": content, "fill": fill, "question_names": [q.name for q in
                                                                   section.questions]}
    return type("QuestionsForm", (SectionFormBase,), attrs)


def _priorities_form(eoi: Eoi, key: str):
    attrs: dict[str, Any] = {
        "priority_ids": SelectMultipleField(
            "Which priorities does the proposal address?", coerce=int,
            description="Select all that apply. At least one must be a strategic priority.",
            choices=choices((p.id, f"{p.title} ({p.kind.title.lower()})")
                            for p in eoi.funding_round.priorities),
            widget=GovCheckboxesInput()),
        "how": text_area("How the proposal addresses them"),
    }

    def content(self):
        return {"priority_ids": self.priority_ids.data or [], "how": self.how.data or ""}

    def fill(self, content):
        self.priority_ids.data = content.get("priority_ids", [])
        self.how.data = content.get("how", "")

    attrs |= {"content": content, "fill": fill, "question_names": ["priority_ids", "how"]}
    return type("PrioritiesForm", (SectionFormBase,), attrs)


def _outcomes_form(eoi: Eoi, key: str):
    years = list(range(eoi.funding_round.first_financial_year,
                       eoi.funding_round.last_financial_year + 1))
    indicators = eoi.funding_round.indicators
    attrs: dict[str, Any] = {
        "indicator_ids": SelectMultipleField(
            "Which indicators will you report?", coerce=int,
            description="Select all that apply, then give a baseline and a yearly target "
            "for each below",
            choices=choices((i.id, f"{i.name} ({i.unit})") for i in indicators),
            widget=GovCheckboxesInput()),
    }
    for indicator in indicators:
        attrs[f"baseline_{indicator.id}"] = OptionalCount(
            f"Baseline: {indicator.name}",
            description=f"In {indicator.unit}, now or in the last full year")
        for year in years:
            attrs[f"target_{indicator.id}_{year}"] = OptionalCount(
                f"Target for {financial_year_label(year)}: {indicator.name}")

    def content(self):
        chosen = {}
        for indicator_id in self.indicator_ids.data or []:
            chosen[str(indicator_id)] = {
                "baseline": getattr(self, f"baseline_{indicator_id}").number(),
                "targets": {str(y): getattr(self, f"target_{indicator_id}_{y}").number()
                            for y in years},
            }
        return {"indicators": chosen}

    def fill(self, content):
        chosen = content.get("indicators") or {}
        self.indicator_ids.data = [int(i) for i in chosen]
        for indicator_id, figures in chosen.items():
            if f"baseline_{indicator_id}" not in self._fields:
                continue
            baseline = figures.get("baseline")
            getattr(self, f"baseline_{indicator_id}").data = (
                "" if baseline is None else str(baseline))
            for year in years:
                value = (figures.get("targets") or {}).get(str(year))
                getattr(self, f"target_{indicator_id}_{year}").data = (
                    "" if value is None else str(value))

    attrs |= {"content": content, "fill": fill, "years": years, "indicators": indicators}
    return type("OutcomesForm", (SectionFormBase,), attrs)


def _budget_form(eoi: Eoi, key: str):
    attrs = {"notes": text_area("Notes on the budget (optional)",
                                hint="Anything the panel should know: in-kind contributions, "
                                "how costs were worked out")}

    def content(self):
        return {"notes": self.notes.data or ""}

    def fill(self, content):
        self.notes.data = content.get("notes", "")

    attrs |= {"content": content, "fill": fill, "question_names": ["notes"]}
    return type("BudgetForm", (SectionFormBase,), attrs)


class BudgetLineForm(Form):
    financial_year = choice_field("Financial year", "Select the financial year", coerce=int,
                                  placeholder="Select a year")
    category = choice_field("Cost category", "Select the cost category",
                            placeholder="Select a category")
    funder_id = choice_field("Paid for by", "Select who pays for this line", coerce=int,
                             placeholder="Select a funder")
    amount = PoundsField("Amount in pounds", widget=GovTextInput(),
                         validators=[pounds_check("amount", 100_000_000)])
    submit = SubmitField("Add to the budget", widget=GovSubmitInput())

    def setup(self, eoi: Eoi, funders) -> None:
        years = range(eoi.funding_round.first_financial_year,
                      eoi.funding_round.last_financial_year + 1)
        self.financial_year.choices = choices((y, financial_year_label(y)) for y in years)
        self.category.choices = choices(CostCategory.choices())
        self.funder_id.choices = choices((f.id, f.name) for f in funders)


class AttachmentForm(Form):
    file = FileField("Upload a file", widget=GovFileInput(),
                     description=f"{ALLOWED_LIST}, smaller than 10MB. Never include anything "
                     "that could identify a young person.")
    submit = SubmitField("Upload", widget=GovSubmitInput())

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise ValidationError("Select a file")


class ReasonForm(Form):
    reason = text_area("Reason", missing="Enter the reason")
    submit = SubmitField("Reopen the EOI", widget=GovSubmitInput())


class EditorForm(Form):
    user_id = choice_field("Who should help draft?", "Select a person", coerce=int,
                           placeholder="Select a person")
    submit = SubmitField("Invite", widget=GovSubmitInput())


class ConflictForm(Form):
    choice = RadioField("Which version do you want to keep?",
                        choices=choices([("mine", "Keep my version"),
                                         ("theirs", "Keep their version")]),
                        validators=[InputRequired(message="Select which version to keep")],
                        widget=GovRadioInput())
    submit = SubmitField("Continue", widget=GovSubmitInput())
