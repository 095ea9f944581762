"""Funded grants: agreements, milestones, payments, quarterly returns and their status."""
