"""The real WordPress test site: wp-up / wp-down, fixture content, and the pytest fixture."""
