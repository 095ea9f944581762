"""How a person chooses to be told of each kind of message (eoi.notifications)."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField

from eoi.forms.base import Form
from eoi.notifications.catalogue import EVENTS
from eoi.notifications.models import Told

# The kinds a person may choose about: every event but the service messages, in the
# catalogue's order.
CHOSEN_EVENTS = [event for event in EVENTS.values() if not event.service]


def preferences_form(current: dict[str, Told], formdata=None) -> Form:
    """A radio question per kind of message, set to what the person chose."""

    class PreferencesForm(Form):
        submit = SubmitField("Save", widget=GovSubmitInput())

    for event in CHOSEN_EVENTS:
        setattr(PreferencesForm, event.name, RadioField(
            event.title, choices=[(told.value, told.title) for told in Told],
            default=current.get(event.name, Told.immediately).value, widget=GovRadioInput()))
    return PreferencesForm(formdata=formdata) if formdata is not None else PreferencesForm()
