"""The pytest fixture for tests that need the real WordPress site (mark them ``wordpress``).

Import it into a conftest.py or a test module:
``from tests.wordpress.fixture import wordpress_site  # noqa: F401``
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.wordpress import site as wp


def skip_or_fail(reason: str) -> None:
    """Skip where the site can't run — but fail when CI demands the real site."""
    if os.environ.get("WPARCHIVE_REQUIRE_WORDPRESS") == "1":
        pytest.fail(f"WPARCHIVE_REQUIRE_WORDPRESS=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def wordpress_site() -> Iterator[wp.Site]:
    """The WordPress test site, started once per test run and stopped at its end.

    A site that was already up before the run (started by hand with wp-up) is used as it is and
    left running.
    """
    ok, reason = wp.can_run()
    if not ok:
        skip_or_fail(reason)
    was_up = wp.is_up()
    try:
        site = wp.start_site()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    yield site
    if not was_up:
        wp.stop_site()
