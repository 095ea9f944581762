"""Reminders about returns and milestones falling due, sent once each by a daily job."""
