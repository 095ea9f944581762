"""Telling people: the catalogue of events (catalogue.py), the outbox a change writes its
messages to in its own transaction (outbox.py), and their delivery by the scheduler."""
