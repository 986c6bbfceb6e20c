"""Remove plugin and theme artifacts from WordPress content, in any language.

The rules are data (``rules/*.toml``, one file per plugin or theme family) and
so are the localized strings (``locales/*.toml``); this package is the engine::

    from wparchive.clean import Cleaner, extract_page, list_rules

    cleaner = Cleaner("hu_HU")                      # once per run
    result = cleaner.clean_html(post.content.raw, kind="content")
    result.html, result.removed                     # cleaned HTML, [Removal(rule, family, text)]
    cleaner.clean_post(post)                        # sets content/excerpt .html + provenance
    page = extract_page(open("page.html").read())   # title, date, body, comments
    run_archive(..., transforms=[CleanTransform()])  # the pipeline's clean step
"""

from __future__ import annotations

from .engine import Cleaner, CleanResult, Removal, ledger
from .page import Page, extract_page
from .rules import Rule, family_names, list_rules
from .transform import CleanTransform

__all__ = [
    "CleanResult",
    "CleanTransform",
    "Cleaner",
    "Page",
    "Removal",
    "Rule",
    "extract_page",
    "family_names",
    "ledger",
    "list_rules",
]
