"""Consortia of boroughs, their lead commissioners, partners and pooled funding."""
