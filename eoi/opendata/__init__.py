"""Open data: awarded grants published in the 360Giving Data Standard."""
