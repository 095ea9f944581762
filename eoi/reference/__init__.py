"""London reference data: local authorities, BCUs, organisations, priorities and outcomes."""
