"""Calendar feeds: each person's deadlines as an iCalendar feed behind a secret link."""
