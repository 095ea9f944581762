from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from eoi.accounts.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    TOO_COMMON,
    is_too_common,
)
from eoi.forms.base import Form
from eoi.forms.fields import stripped, work_email_field


class SignInForm(Form):
    email = EmailField(
        "Email address",
        filters=[stripped],
        validators=[DataRequired(message="Enter your email address")],
        widget=GovTextInput(),
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password")],
        widget=GovPasswordInput(),
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def not_too_common(form, field) -> None:
    if field.data and is_too_common(field.data):
        raise ValidationError(TOO_COMMON)


def new_password_field(label: str = "New password", missing: str = "Enter a new password"):
    return PasswordField(
        label,
        description=f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words is a "
        "good password.",
        validators=[
            DataRequired(message=missing),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=MAX_PASSWORD_LENGTH,
                message=f"Password must be between {MIN_PASSWORD_LENGTH} and "
                f"{MAX_PASSWORD_LENGTH} characters",
            ),
            not_too_common,
        ],
        widget=GovPasswordInput(),
    )


def confirm_password_field(label: str, missing: str):
    """The new password typed again, to catch a slip the person cannot see."""
    return PasswordField(
        label,
        validators=[DataRequired(message=missing),
                    EqualTo("new_password", message="The passwords do not match")],
        widget=GovPasswordInput(),
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password")],
        widget=GovPasswordInput(),
    )
    new_password = new_password_field()
    confirm_password = confirm_password_field("Confirm new password",
                                              "Enter the new password again")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgottenPasswordForm(Form):
    email = EmailField(
        "Email address",
        description="The email address you sign in with",
        filters=[stripped],
        validators=[DataRequired(message="Enter your email address"),
                    Length(max=254, message="Email address must be 254 characters or fewer")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class ChoosePasswordForm(Form):
    """A new password through a link sent by email: to reset one, or to join."""

    new_password = new_password_field("Password", "Enter a password")
    confirm_password = confirm_password_field("Confirm password", "Enter the password again")
    submit = SubmitField("Set password", widget=GovSubmitInput())


class CodeForm(Form):
    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes",
        filters=[stripped],
        validators=[DataRequired(message="Enter the code from your authenticator app"),
                    Length(max=20, message="Code must be 20 characters or fewer")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class NameCertifierForm(Form):
    email = work_email_field("The email address they sign in with. They must already have an "
                             "account at your organisation.")
    submit = SubmitField("Name them a certifier", widget=GovSubmitInput())
