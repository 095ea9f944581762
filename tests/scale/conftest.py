"""A page's cost must not grow with the fund: each page's SQL statements are counted on the
demo (the `demo` fixture and `signed_in` of tests/conftest.py), and (tests/scale/test_queries.py)
the count is asserted."""
