"""Forms for the service map."""

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSubmitInput,
)
from wtforms import SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, ValidationError

from eoi.forms.base import Form
from eoi.forms.fields import (
    OptionalDateField,
    VersionField,
    archived_field,
    choice_field,
    choices,
    text_area,
    text_field,
)
from eoi.service_map.models import MAX_DESCRIPTION, Cohort, ServiceType


def _checkboxes(label: str, missing: str, enum_class=None, hint: str | None = None, coerce=str):
    return SelectMultipleField(
        label, description=hint or "", coerce=coerce,
        choices=choices(enum_class.choices()) if enum_class else None,
        validators=[DataRequired(message=missing)], widget=GovCheckboxesInput(),
    )


class ServiceForm(Form):
    provider_id = choice_field("Provider", "Select the organisation that runs the service",
                               coerce=int, placeholder="Select an organisation")
    name = text_field("Service name", "Enter the service's name", max_length=200)
    description = text_area("Description (optional)",
                            hint="What the service does. Nothing about individual young people.",
                            max_length=MAX_DESCRIPTION, what="The description")
    boroughs = _checkboxes("Boroughs served", "Select at least one borough served", coerce=int,
                           hint="Where the young people it supports live or are supported")
    types = _checkboxes("Types of service", "Select at least one type of service", ServiceType,
                        hint="Select all that apply")
    cohorts = _checkboxes("Who it is for", "Select at least one group of young people", Cohort,
                          hint="Select all that apply")
    funding_end_date = OptionalDateField(
        "Funding end date (optional)", what="Funding end date",
        description="For example, 31 3 2027. Leave blank if the funding has no end date.")
    is_archived = archived_field("service")
    version = VersionField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def values(self, boroughs_by_id: dict) -> dict:
        return {
            "name": self.name.data,
            "description": self.description.data or "",
            "boroughs": [boroughs_by_id[i] for i in self.boroughs.data],
            "types": {ServiceType(v) for v in self.types.data},
            "cohorts": {Cohort(v) for v in self.cohorts.data},
            "funding_end_date": self.funding_end_date.data,
        }


def _csv_file(form, field):
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        raise ValidationError("Select a CSV file")
    if not upload.filename.lower().endswith(".csv"):
        raise ValidationError("The selected file must be a CSV")


class ImportForm(Form):
    file = FileField("Upload a CSV file", validators=[_csv_file], widget=GovFileInput())
    submit = SubmitField("Import", widget=GovSubmitInput())
