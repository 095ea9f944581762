"""Forms for the panel: members, assignments, declarations, scores, moderation, decisions."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from eoi.assessment.models import DecisionOutcome
from eoi.forms.base import Form
from eoi.forms.fields import (
    PoundsField,
    VersionField,
    choice_field,
    choices,
    stripped,
    text_area,
)
from eoi.rounds.models import Criterion


class PanelMemberForm(Form):
    user_id = choice_field("Who should join the panel?", "Select a panel member", coerce=int,
                           placeholder="Select a person")
    submit = SubmitField("Add to the panel", widget=GovSubmitInput())


class AssignForm(Form):
    user_id = choice_field("Add an assessor", "Select an assessor", coerce=int,
                           placeholder="Select an assessor")
    submit = SubmitField("Assign", widget=GovSubmitInput())


class DeclarationForm(Form):
    has_interest = RadioField(
        "Do you have an interest in this expression of interest?",
        description="For example: you, your organisation or someone close to you works for, "
        "funds or advises one of the consortium's boroughs or partners.",
        choices=choices([("no", "No, I have no interest to declare"),
                         ("yes", "Yes, I have an interest")]),
        validators=[InputRequired(message="Select whether you have an interest")],
        widget=GovRadioInput())
    details = text_area("Describe the interest", hint="Needed if you have an interest. You "
                        "will not assess this bid.")
    submit = SubmitField("Save declaration", widget=GovSubmitInput())


def scale_choices(criterion: Criterion):
    return choices((n, f"{n}: {text}") for n, text in enumerate(criterion.descriptors))


def scores_form(criteria: list[Criterion], formdata=None):
    """One score (0 to 4, with what each means) and one comment per criterion."""
    attrs: dict[str, Any] = {"version": VersionField(),
                             "save": SubmitField("Save as draft", widget=GovSubmitInput()),
                             "submit": SubmitField("Submit scores", widget=GovSubmitInput())}
    for criterion in criteria:
        attrs[f"score_{criterion.id}"] = RadioField(
            f"Score for {criterion.title}", choices=scale_choices(criterion),
            validators=[Optional()], widget=GovRadioInput())
        attrs[f"comment_{criterion.id}"] = TextAreaField(
            f"Comment on {criterion.title}", filters=[stripped],
            description="Needed for scores of 0, 1 and 4. The consortium reads comments in "
            "its feedback, without your name.",
            validators=[Length(max=3000, message="Comments must be 3000 characters or "
                               "fewer")], widget=GovTextArea())

    def entries(self) -> dict[int, tuple[int | None, str]]:
        result = {}
        for criterion in criteria:
            raw = getattr(self, f"score_{criterion.id}").data
            score = int(raw) if raw not in (None, "", "None") else None
            result[criterion.id] = (score, getattr(self, f"comment_{criterion.id}").data or "")
        return result

    def fill(self, assessment) -> None:
        for score in assessment.scores:
            if f"score_{score.criterion_id}" in self._fields:
                getattr(self, f"score_{score.criterion_id}").data = (
                    None if score.score is None else str(score.score))
                getattr(self, f"comment_{score.criterion_id}").data = score.comment

    attrs |= {"entries": entries, "fill": fill, "criteria": criteria}
    form_class = type("ScoresForm", (Form,), attrs)
    return form_class() if formdata is None else form_class(formdata=formdata)


class ModerationForm(Form):
    criterion_id = choice_field("Criterion", "Select the criterion", coerce=int,
                                placeholder="Select a criterion")
    score = RadioField("Moderated score", choices=choices((n, str(n)) for n in range(5)),
                       validators=[InputRequired(message="Select the moderated score")],
                       widget=GovRadioInput())
    rationale = text_area("Rationale", missing="Enter the reason for the moderated score",
                          hint="Recorded in the audit trail and shown beside the score")
    submit = SubmitField("Record moderated score", widget=GovSubmitInput())


class DecisionForm(Form):
    outcome = RadioField(
        "Decision", choices=choices(DecisionOutcome.choices()),
        validators=[InputRequired(message="Select the decision")], widget=GovRadioInput())
    amount = PoundsField("Amount awarded, in pounds", description="Leave blank unless funded",
                         widget=GovTextInput())
    conditions = text_area("Conditions", hint="Needed when funding with conditions")
    feedback = text_area("Feedback for the consortium (optional)",
                         hint="Shown in the decision letter above the panel's comments")
    version = VersionField()
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def validate_amount(self, field):
        if getattr(field, "raw", "").strip() and field.data is None:
            raise ValidationError("Amount awarded must be a number of pounds, like 120,000")

    def values(self) -> dict:
        return {"outcome": DecisionOutcome(self.outcome.data),
                "amount_pence": self.amount.data or 0,
                "conditions": self.conditions.data or "", "feedback": self.feedback.data or ""}
