"""Forms for consortia, pledges and the lead commissioner register."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from eoi.consortia.models import PartnerRole, PledgeKind, Seniority
from eoi.forms.base import Form
from eoi.forms.fields import (
    PoundsField,
    VersionField,
    WholeNumberField,
    choice_field,
    choices,
    pounds_check,
    text_area,
    text_field,
    work_email_field,
)


class ConsortiumForm(Form):
    name = text_field("Consortium name", "Enter a name for the consortium", max_length=200,
                      hint="For example, South East London CSE Partnership")
    purpose = text_area("Purpose", hint="What the boroughs want to achieve together",
                        missing="Enter the consortium's purpose")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class InviteForm(Form):
    boroughs = SelectMultipleField(
        "Boroughs to invite",
        description="A commissioner of each borough will be asked to accept",
        coerce=int,
        validators=[DataRequired(message="Select at least one borough to invite")],
        widget=GovCheckboxesInput(),
    )
    submit = SubmitField("Send invitations", widget=GovSubmitInput())


class LeadForm(Form):
    lead_id = RadioField(
        "Who will lead the consortium?", coerce=int,
        validators=[InputRequired(message="Select the new lead commissioner")],
        widget=GovRadioInput(),
    )
    reason = text_area("Reason for the change", missing="Enter the reason for the change")
    version = VersionField()
    submit = SubmitField("Change lead", widget=GovSubmitInput())


# Declared first, so the email address comes first on the page and in its error summary.
_partner_email = work_email_field("Their work email address. They sign in with it.")


class PartnerForm(Form):
    organisation_id = choice_field("Organisation", "Select the partner organisation",
                                   coerce=int, placeholder="Select an organisation")
    role = RadioField(
        "Role in the consortium", choices=choices(PartnerRole.choices()),
        validators=[InputRequired(message="Select the partner's role")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Add partner", widget=GovSubmitInput())


class PartnerInvitationForm(Form):
    """A lead commissioner invites someone from one of the consortium's partners."""

    email = _partner_email
    full_name = text_field("Full name", "Enter the person's full name", max_length=200)
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class PledgeForm(Form):
    funder_id = choice_field("Funder", "Select who is pledging", coerce=int,
                             placeholder="Select a funder")
    financial_year = choice_field(
        "Financial year", "Select the financial year", coerce=int,
        hint="Financial years run from 1 April to 31 March",
        placeholder="Select a financial year",
    )
    amount = PoundsField("Amount in pounds",
                         validators=[pounds_check("amount pledged", 100_000_000)],
                         widget=GovTextInput())
    kind = RadioField(
        "Cash or in kind", choices=choices(PledgeKind.choices()),
        validators=[InputRequired(message="Select whether the pledge is cash or in kind")],
        widget=GovRadioInput(),
    )
    version = VersionField()
    submit = SubmitField("Save pledge", widget=GovSubmitInput())


class PledgeStatusForm(Form):
    status = RadioField("What has happened to this pledge?", validators=[
        InputRequired(message="Select what has happened to the pledge")],
        widget=GovRadioInput())
    reason = text_area("Reason", hint="Needed if the pledge is withdrawn")
    version = VersionField()
    submit = SubmitField("Update pledge", widget=GovSubmitInput())


class PledgeSignOffForm(Form):
    version = VersionField()
    outcome = RadioField("Your sign-off", choices=choices([
        ("approve", "Sign it off: the pledge is final"),
        ("decline", "Decline: it goes back to being proposed")]),
        validators=[InputRequired(message="Select whether to sign it off or decline it")],
        widget=GovRadioInput())
    reason = text_area("Why you cannot sign it off", hint="Needed when declining. The lead "
                       "commissioner reads it.", max_length=2000)
    submit = SubmitField("Save sign-off", widget=GovSubmitInput())


class LeadInterestForm(Form):
    priority_id = choice_field("Strategic priority", "Select a strategic priority", coerce=int,
                               placeholder="Select a priority")
    capacity_days_per_month = WholeNumberField(
        "Capacity, in days a month",
        description="How many days a month you could give to leading this work",
        missing="Enter your capacity in days a month, like 4",
        minimum=1, maximum=22, short_label="Capacity",
    )
    seniority = RadioField(
        "Seniority", choices=choices(Seniority.choices()),
        validators=[InputRequired(message="Select your seniority")], widget=GovRadioInput(),
    )
    has_political_sign_off = BooleanField(
        "Political sign-off is in hand",
        description="Your borough's lead member supports you leading this work",
        widget=GovCheckboxInput(),
    )
    notes = text_area("Notes (optional)", hint="For example, work you already lead")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

