"""Forms fund managers use to run accounts, organisations and reference data."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from eoi.accounts.models import Role
from eoi.forms.auth import new_password_field
from eoi.forms.base import Form, filled
from eoi.forms.fields import (
    VersionField,
    archived_field,
    choice_field,
    choices,
    optional_text_field,
    org_id_format,
    position_field,
    text_area,
    text_field,
    work_email_field,
)
from eoi.reference.models import OrganisationType, PriorityKind

# Declared before UserForm because WTForms orders fields by when they were made, and
# the email address comes first on the "Add a user" page and in its error summary.
_new_user_email = work_email_field("The person's work email address. They sign in with it.")


class UserForm(Form):
    full_name = text_field("Full name", "Enter the person's full name", max_length=200)
    organisation_id = choice_field(
        "Organisation", "Select the person's organisation", coerce=int,
        placeholder="Select an organisation",
    )
    roles = SelectMultipleField(
        "Roles",
        description="Select all that apply",
        choices=choices(Role.choices()),
        validators=[DataRequired(message="Select at least one role")],
        widget=GovCheckboxesInput(),
    )
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def role_set(self) -> set[Role]:
        return {Role(value) for value in filled(self.roles.data)}


class NewUserForm(UserForm):
    email = _new_user_email
    password = new_password_field("Initial password", "Enter an initial password")


class InvitationForm(UserForm):
    email = _new_user_email
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ResetPasswordForm(Form):
    password = new_password_field()
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ConfirmForm(Form):
    """A bare POST with a CSRF token, for buttons such as Deactivate."""

    version = VersionField()


class OrganisationForm(Form):
    name = text_field("Name", "Enter the organisation's name", max_length=200)
    type = RadioField(
        "Type of organisation",
        choices=choices(OrganisationType.choices()),
        validators=[InputRequired(message="Select the type of organisation")],
        widget=GovRadioInput(),
    )
    org_id = optional_text_field(
        "Organisation identifier (optional)",
        max_length=60,
        hint="From org-id.guide, like GB-CHC-1234567 for a charity or GB-COH-01234567 "
        "for a company",
        validators=[org_id_format],
    )
    charity_number = optional_text_field("Charity number (optional)", max_length=20)
    company_number = optional_text_field("Company number (optional)", max_length=20)
    is_archived = archived_field("organisation")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class BcuForm(Form):
    name = text_field(
        "Name",
        "Enter the Basic Command Unit's name",
        max_length=100,
        hint="Without 'BCU', like South East",
    )
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class LocalAuthorityForm(Form):
    bcu_id = choice_field(
        "Basic Command Unit",
        "Select a Basic Command Unit, or none",
        coerce=int,
        hint="The Metropolitan Police BCU that covers this local authority",
    )
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class PriorityForm(Form):
    kind = RadioField(
        "Kind",
        choices=choices(PriorityKind.choices()),
        validators=[InputRequired(message="Select whether this is a priority or a theme")],
        widget=GovRadioInput(),
    )
    title = text_field("Title", "Enter a title", max_length=200)
    description = text_area("Description", missing="Enter a description")
    position = position_field()
    is_archived = archived_field("priority")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class OutcomeForm(Form):
    title = text_field("Title", "Enter a title", max_length=200)
    description = text_area("Description", missing="Enter a description")
    position = position_field()
    is_archived = archived_field("outcome")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())


class IndicatorForm(Form):
    name = text_field("Name", "Enter the indicator's name", max_length=200)
    unit = text_field(
        "Unit",
        "Enter the unit, like young people or per cent",
        max_length=50,
        hint="What one is counted in, like young people, sessions or per cent",
    )
    definition = text_area(
        "Definition",
        hint="Exactly what is counted, and when, so every borough counts it the same way",
        missing="Enter a definition",
    )
    position = position_field()
    is_archived = archived_field("indicator")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())
