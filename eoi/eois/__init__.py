"""Expressions of interest: a consortium's bid to a round, drafted together, section by section."""
