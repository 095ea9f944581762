"""Panel assessment: panels, conflicts of interest, blind scoring, moderation, decisions."""
