"""The pipeline's clean step: a transform that cleans each record as it streams past."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from ..model import NOT_HTML_TYPES, Comment, Post, Site
from .engine import Cleaner

R = TypeVar("R")


class CleanTransform:
    """Clean every `Post` (content and excerpt) and `Comment`; pass other records through.

    The locale is `locale`, else the language of the first `Site` record seen (the
    WXR ``<language>``, the REST index's), else every table. The `Cleaner` is built
    on the first record that needs it, once.
    """

    def __init__(
        self,
        locale: str | None = None,
        *,
        keep: Iterable[str] = (),
        only: Iterable[str] = (),
        l10n_dirs: Iterable[Path | str] = (),
    ) -> None:
        self.locale = locale
        self.keep, self.only = frozenset(keep), frozenset(only)
        self.l10n_dirs = tuple(Path(d) for d in l10n_dirs)
        self._cleaner: Cleaner | None = None

    @property
    def cleaner(self) -> Cleaner:
        if self._cleaner is None:
            self._cleaner = Cleaner(
                self.locale, keep=self.keep, only=self.only, l10n_dirs=self.l10n_dirs
            )
        return self._cleaner

    def __call__(self, record: R) -> R:
        if isinstance(record, Site):
            if self.locale is None and record.language:
                self.locale, self._cleaner = record.language, None
        elif isinstance(record, Post):
            if record.post_type not in NOT_HTML_TYPES:
                self.cleaner.clean_post(record)
        elif isinstance(record, Comment):
            self.cleaner.clean_comment(record)
        return record
