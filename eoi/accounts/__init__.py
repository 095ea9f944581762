"""People who use the service: accounts, roles, sign-in, its limits and sessions."""
