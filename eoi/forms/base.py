"""The base of every form."""

from typing import TypeVar

from flask_wtf import FlaskForm

from eoi.inputs import clean_text


def _clean(value):
    return clean_text(value) if isinstance(value, str) else value


class Form(FlaskForm):
    """A form whose every text has its control characters taken out (eoi.inputs.clean_text)
    before any validator, operation or database sees it."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            field.filters = (_clean, *field.filters)  # first, before the field's own
            return field


T = TypeVar("T")


def filled(data: T | None) -> T:
    """The data of a field its form requires, once the form has validated: never None then,
    though the field's type (None before the form is processed) cannot say so."""
    if data is None:
        raise ValueError("a required field is empty in a validated form")
    return data
