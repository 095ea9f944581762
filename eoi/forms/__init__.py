"""WTForms forms, one module per domain area, rendered with govuk-frontend-wtf."""
