"""People who use the service: accounts, roles, sign-in and lockout."""
