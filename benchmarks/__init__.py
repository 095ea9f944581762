"""Speed and memory figures, printed by `make bench`. Never run by the test suite."""
