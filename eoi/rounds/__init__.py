"""Funding rounds: envelope, dates, priorities, criteria and eligibility rules."""
