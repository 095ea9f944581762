"""The map of existing services: who provides what, where, for whom, until when."""
