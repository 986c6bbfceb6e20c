"""The link index stays small whatever the site's size, and answers as a plain dict would."""

from __future__ import annotations

import random
import sys

from wparchive.links import SiteIndex, Target
from wparchive.model import Post, Site
from wparchive.urls import segment_key

SITE = "https://example.org"


def _post(post_id: int, slug: str, day: int, *, post_type: str = "post") -> Post:
    link = f"{SITE}/2024/06/{day:02d}/{slug}/" if slug else f"{SITE}/?p={post_id}"
    return Post(id=post_id, post_type=post_type, slug=slug, link=link, date="2024-06-18T10:00:00")


def test_the_index_answers_as_dicts_would_with_posts_added_in_any_order_and_again():
    """Out-of-order ids, the same post added again with another slug, shared slugs and
    permalinks, lookups between additions: the compact index gives the answers of the
    plain maps it replaced (a path keeps its first post; a slug names a post only if one
    post ever had it)."""
    rng = random.Random(7)
    index = SiteIndex()
    index.add(Site(url=SITE, base_blog_url=SITE, base_site_url=SITE))
    posts: dict[int, Post] = {}
    paths: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for step in range(6000):
        post_id = rng.randrange(1, 3000)
        slug = rng.choice(["", "same", f"post-{rng.randrange(4000)}", f"Post-{post_id}"])
        post = _post(post_id, slug, rng.randrange(1, 4), post_type=rng.choice(["post", "page"]))
        index.add(post)
        posts[post_id] = post
        if slug:
            paths.setdefault(post.link.removeprefix(SITE + "/").strip("/").lower(), post_id)
            key = segment_key(slug)
            slugs[key] = -1 if slugs.get(key, post_id) != post_id else post_id
        if step % 500 == 0 or step == 5999:
            for pid, expected in posts.items():
                entry = index.post(pid)
                assert entry is not None
                assert (entry.slug, entry.link, entry.post_type) == (
                    expected.slug,
                    expected.link,
                    expected.post_type,
                )
            for path, owner in paths.items():
                assert index._path_owner(path) == owner, path
            for key, owner in slugs.items():
                assert index._slug_owner(key) == (owner if owner >= 0 else None), key
    assert len(index) == len(posts)
    assert index.post(999_999) is None


def test_ids_beyond_64_bits_are_kept_too():
    """A hostile export's ids are any integer: the index takes them as a dict would."""
    huge = 2**70
    index = SiteIndex.from_records(
        [Site(url=SITE, base_blog_url=SITE), _post(huge, "nagy", 1), _post(-(2**64), "", 2)]
    )
    assert index.post(huge).slug == "nagy"
    assert index.resolve(f"{SITE}/2024/06/01/nagy/").target == Target("post", huge)
    assert index.post(-(2**64)) is not None


def test_a_post_is_found_by_its_permalink_and_its_slug():
    index = SiteIndex.from_records(
        [
            Site(url=SITE, base_blog_url=SITE, base_site_url=SITE),
            *(_post(i, f"bejegyzes-{i}", 1 + i % 28) for i in range(5000, 0, -1)),
        ]
    )
    for i in (1, 2500, 5000):
        link = f"{SITE}/2024/06/{1 + i % 28:02d}/bejegyzes-{i}/"
        assert index.resolve(link).target == Target("post", i)
        assert index.resolve(f"{SITE}/bejegyzes-{i}/").target == Target("post", i)
        assert index.archive_path(Target("post", i)) == f"posts/bejegyzes-{i}/index.html"


def test_the_index_costs_a_few_hundred_bytes_a_post():
    n = 20_000
    index = SiteIndex.from_records(
        [
            Site(url=SITE, base_blog_url=SITE, base_site_url=SITE),
            *(_post(i, f"bejegyzes-{i}", 1 + i % 28) for i in range(1, n + 1)),
        ]
    )
    rows = sys.getsizeof(index._rows) + sum(sys.getsizeof(r) for r in index._rows)
    arrays = sum(
        k._keys.buffer_info()[1] * 16 + sys.getsizeof(k._new)
        for k in (index._ids, index._paths, index._slugs)
    )
    per_post = (rows + arrays) / n
    assert per_post < 250, f"{per_post:.0f} bytes a post"
    assert not index._layout_names()  # names equal to their slugs are not stored
