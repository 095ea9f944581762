"""Forms for grants: making one, its offer and conditions, its state, milestones, evidence
and payments."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from eoi.eois.models import CostCategory
from eoi.eois.uploads import ALLOWED_LIST
from eoi.forms.base import Form
from eoi.forms.fields import (
    OptionalDateField,
    PoundsField,
    VersionField,
    WholeNumberField,
    choice_field,
    choices,
    pounds_check,
    text_area,
    text_field,
)
from eoi.grants.models import MAX_CONDITION, MAX_NOTES, GrantState


class GrantForm(Form):
    starts_on = OptionalDateField("Start date", what="Start date", required=True,
                                  description="When delivery starts. Returns are due for "
                                  "every quarter from this one.")
    return_days = WholeNumberField(
        "Days after each quarter's end that its return is due", default=30,
        missing="Enter the number of days, like 30", minimum=0, maximum=90,
        short_label="Days", description="30 unless the grant agreement says otherwise")
    submit = SubmitField("Make the grant", widget=GovSubmitInput())


class GrantStateForm(Form):
    state = choice_field("New state", "Select the new state", placeholder="Select a state")
    reason = text_area("Reason", missing="Enter the reason",
                       hint="Recorded in the grant's history")
    submit = SubmitField("Change state", widget=GovSubmitInput())

    def __init__(self, *args, allowed: list[GrantState], **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = choices((s.value, s.title) for s in allowed)


class AcceptOfferForm(Form):
    version = VersionField()
    name = text_field("Your full name", "Enter your full name", max_length=200)
    role = text_field("Your role", "Enter your role", max_length=200,
                      hint="For example, Head of Community Safety, London Borough of Bexley")
    submit = SubmitField("Accept the offer for the consortium", widget=GovSubmitInput())


class OfferQuestionForm(Form):
    question = text_area("Your question", missing="Enter your question", max_length=MAX_NOTES,
                         hint="MOPAC's fund managers are told, and answer you here. "
                         "The offer stays open.")
    ask = SubmitField("Send the question to MOPAC", widget=GovSubmitInput())


class OfferAnswerForm(Form):
    version = VersionField()
    answer = text_area("Your answer", missing="Enter your answer", max_length=MAX_NOTES,
                       hint="The lead commissioner is told, and it is kept with the offer.")
    submit = SubmitField("Send the answer", widget=GovSubmitInput())


class ConditionForm(Form):
    condition = text_area("Condition", missing="Enter the condition", max_length=MAX_CONDITION,
                          hint="What the consortium must do")
    evidence_required = text_area("Evidence that meets it (optional)",
                                  max_length=MAX_CONDITION,
                                  hint="What the lead or a partner sends to show it is done")
    blocks_payments = RadioField(
        "Does it hold back payments until it is met?",
        choices=choices([("yes", "Yes: no payment is approved until MOPAC accepts it as met"),
                         ("no", "No")]),
        validators=[InputRequired(message="Select whether it holds back payments")],
        widget=GovRadioInput())
    submit = SubmitField("Add condition", widget=GovSubmitInput())


class ConditionEvidenceForm(Form):
    notes = text_area("The evidence", missing="Describe the evidence that the condition is met",
                      max_length=MAX_NOTES,
                      hint="What was done and where MOPAC can see it, such as the date a "
                      "protocol was signed. Never include anything that could identify a "
                      "young person.")
    send = SubmitField("Send evidence to MOPAC", widget=GovSubmitInput())


class MilestoneForm(Form):
    title = text_field("Milestone", "Enter the milestone", max_length=200)
    evidence_required = text_area("Evidence required", missing="Enter the evidence required",
                                  hint="What the partner sends to show it is done")
    due_on = OptionalDateField("Due date", what="Due date", required=True)
    submit = SubmitField("Add milestone", widget=GovSubmitInput())


class EvidenceFileForm(Form):
    file = FileField("Upload evidence", widget=GovFileInput(),
                     description=f"{ALLOWED_LIST}, smaller than 10MB. Never include anything "
                     "that could identify a young person: files are checked.")
    upload = SubmitField("Upload", widget=GovSubmitInput())

    def validate_file(self, field):
        if not getattr(field.data, "filename", ""):
            raise ValidationError("Select a file")


class SendEvidenceForm(Form):
    notes = text_area("Notes on the evidence", hint="What the files show, or the evidence "
                      "itself if it needs no file", max_length=MAX_NOTES)
    send = SubmitField("Send evidence to MOPAC", widget=GovSubmitInput())


class PaymentForm(Form):
    description = text_field("Description", "Enter a description", max_length=200,
                             hint="For example, Quarter 1 in advance")
    amount = PoundsField("Amount", widget=GovTextInput(),
                         validators=[pounds_check("amount", 10_000_000)])
    scheduled_on = OptionalDateField("Scheduled date", what="Scheduled date", required=True)
    milestone_id = choice_field("Paid on acceptance of", "Select a milestone or none",
                                hint="A payment tied to a milestone can be approved only once "
                                "its evidence is accepted")
    submit = SubmitField("Schedule payment", widget=GovSubmitInput())


class PaymentActionForm(Form):
    version = VersionField()


def _spend_check(what: str):
    def check(form, field):
        if not getattr(field, "raw", "").strip():
            field.data = 0
            return
        if field.data is None:
            raise ValidationError(f"{what} must be a number of pounds, like 12,500 or "
                                  "12500.50")
        if field.data < 0:
            raise ValidationError(f"{what} cannot be less than £0")
        if field.data > 10_000_000 * 100:
            raise ValidationError(f"{what} must be £10,000,000 or less")

    return check


class _ClaimFormBase(Form):
    version = VersionField()
    claiming = RadioField("What are you claiming?", choices=[],
                          validators=[InputRequired(message="Select what you are claiming")],
                          widget=GovRadioInput())
    amount = PoundsField("Amount claimed, for expenditure to date", widget=GovTextInput(),
                         description="Leave blank when claiming a scheduled payment: it is "
                         "claimed as scheduled",
                         validators=[_spend_check("The amount claimed")])
    spend_to = OptionalDateField("Spend counted to", what="Date spend is counted to",
                                 required=True, description="For example, 30 6 2026: the "
                                 "last day the spend below covers")
    notes = text_area("The evidence", missing="Describe the evidence for the claim",
                      max_length=MAX_NOTES,
                      hint="What the spend was on and where MOPAC can see the invoices or "
                      "ledger. Never include anything that could identify a young person.")
    submit = SubmitField("Send the claim to MOPAC", widget=GovSubmitInput())

    def __init__(self, *args, payments: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        payments = payments or []
        self.claiming.choices = choices(
            [*((str(pid), label) for pid, label in payments),
             ("expenditure", "Expenditure to date")])

    def spend(self) -> dict[CostCategory, int]:
        return {category: getattr(self, f"spend_{category.value}").data or 0
                for category in CostCategory}


# One box of spend to date for each cost category, as the EOI's budget has them.
ClaimForm = type("ClaimForm", (_ClaimFormBase,), {
    f"spend_{category.value}": PoundsField(category.title, widget=GovTextInput(),
                                           validators=[_spend_check(category.title)])
    for category in CostCategory})


class ClaimCommentsForm(Form):
    version = VersionField()
    comments = text_area("What needs to change", missing="Say what needs to change",
                         max_length=MAX_NOTES,
                         hint="The lead commissioner and the partners read this")
    send_back = SubmitField("Send the claim back", widget=GovSubmitInput())


# The fields every kind of change asks for, made afresh for each form so each keeps its
# place in its own form's order.
def _amount_to_move():
    return PoundsField("Amount to move", widget=GovTextInput(),
                       validators=[pounds_check("amount to move", 10_000_000)])


def _change_reason():
    return text_area("Why the change is needed", missing="Say why the change is needed",
                     max_length=MAX_NOTES, hint="MOPAC reads this when deciding. Never "
                     "include anything that could identify a young person.")


def _ask_for_the_change():
    return SubmitField("Ask MOPAC for the change", widget=GovSubmitInput())


class VariationForm(Form):
    funder_id = choice_field("Whose money", "Select the funder whose money moves")
    from_year = choice_field("Move it from", "Select the year to move money from")
    to_year = choice_field("Move it to", "Select the year to move it to")
    amount = _amount_to_move()
    reason = _change_reason()
    submit = _ask_for_the_change()

    def __init__(self, *args, funders: list[tuple[int, str]] | None = None,
                 years: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.funder_id.choices = choices(funders or [])
        self.from_year.choices = choices(years or [])
        self.to_year.choices = choices(years or [])


class CategoryMoveForm(Form):
    from_year = choice_field("Financial year", "Select the year the money moves within")
    from_category = choice_field("Move it from", "Select the cost category to move money from")
    to_category = choice_field("Move it to", "Select the cost category to move it to")
    amount = _amount_to_move()
    reason = _change_reason()
    submit = _ask_for_the_change()

    def __init__(self, *args, years: list[tuple[int, str]] | None = None,
                 categories: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.from_year.choices = choices(years or [])
        self.from_category.choices = choices(categories or [])
        self.to_category.choices = choices(categories or [])


class DecideVariationForm(Form):
    version = VersionField()
    outcome = RadioField(
        "Your decision", choices=choices([("approve", "Approve the change"),
                                          ("refuse", "Refuse it")]),
        validators=[InputRequired(message="Select whether to approve or refuse the change")],
        widget=GovRadioInput())
    comments = text_area("Comments", hint="Needed when refusing: say why. The lead "
                         "commissioner and the partners read these.", max_length=MAX_NOTES)
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class FinalReportForm(Form):
    version = VersionField()
    achieved = text_area("What the grant achieved", missing="Enter what the grant achieved",
                         max_length=MAX_NOTES, hint="Against its outcomes and targets, in "
                         "aggregate. Never include anything that could identify a young "
                         "person.")
    continues = text_area("What continues after it", missing="Enter what continues after it",
                          max_length=MAX_NOTES,
                          hint="The services, partnerships or funding that carry on")
    learning = text_area("What was learnt", missing="Enter what was learnt",
                         max_length=MAX_NOTES, hint="For the fund and for other boroughs")
    submit = SubmitField("Send the final report to MOPAC", widget=GovSubmitInput())


class ExtensionForm(Form):
    new_ends_on = OptionalDateField("New end date", what="New end date", required=True,
                                    description="The last day of a quarter, for example "
                                    "31 3 2028. Returns are asked for its new quarters.")
    reason = _change_reason()
    submit = _ask_for_the_change()


class PartnerChangeForm(Form):
    change = RadioField("Add or remove", choices=choices([("add", "Add a delivery partner"),
                                                          ("remove", "Remove one")]),
                        validators=[InputRequired(message="Select whether to add or remove "
                                                          "a partner")],
                        widget=GovRadioInput())
    partner_id = choice_field("Organisation", "Choose the organisation",
                              placeholder="Choose an organisation")
    reason = _change_reason()
    submit = _ask_for_the_change()

    def __init__(self, *args, organisations: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_id.choices = choices(organisations or [])


class TargetChangeForm(Form):
    grant_indicator_id = choice_field("Indicator", "Choose the indicator",
                                      placeholder="Choose an indicator")
    target_year = choice_field("Financial year", "Choose the year")
    new_target = WholeNumberField("New target", missing="Enter the new target", minimum=0,
                                  maximum=100_000, short_label="The new target")
    reason = _change_reason()
    submit = _ask_for_the_change()

    def __init__(self, *args, indicators: list[tuple[int, str]] | None = None,
                 years: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grant_indicator_id.choices = choices(indicators or [])
        self.target_year.choices = choices(years or [])
