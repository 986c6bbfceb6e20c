"""Fixtures shared by the test suite."""

# The real WordPress test site (tests/wordpress): a session fixture, `wordpress_site`.
pytest_plugins = ["tests.wordpress.fixture"]
