"""Quarterly outcome returns from delivery partners: aggregates only, never a young
person's details."""
