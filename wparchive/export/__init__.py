"""Exports from a finished archive — no WordPress needed.

- `export_markdown`: Markdown files with front matter, for Hugo or Jekyll;
- `export_html`: a static, browsable site of plain HTML and CSS;
- `export_wxr`: a WXR 1.2 file for WordPress's importer.

Each reads a run folder (``OUT/<site-slug>/``, or its ``archive.jsonl``) through
`wparchive.export.run.RunArchive` and streams it, post by post.
"""

from __future__ import annotations

from .html import export_html
from .markdown import export_markdown
from .wxr import export_wxr

__all__ = ["export_html", "export_markdown", "export_wxr"]
