"""Names made from names: slugs, and the stored codes of programme areas.

One slug for a programme everywhere: the codes of its areas
(``<slug>:<code>``), its address (``/programmes/<slug>/summary``), the name of its
download and the match of ``/programmes/{name}``.

>>> programme_slug("Big Local (wave 1)")
'big-local-wave-1'
>>> programme_code("Big Local", "BL 001")
'big-local:BL-001'
"""

from __future__ import annotations

import re

_slug_re = re.compile(r"[^a-z0-9]+")
_CODE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
#: Programme slugs are cut to this length (codes stay readable).
SLUG_MAX = 40


def slug(s: str) -> str:
    """Lower-case letters and digits, runs of anything else as one ``-``."""
    return _slug_re.sub("-", s.lower()).strip("-")


def programme_slug(programme: str) -> str:
    """The slug of a programme name ('' when it has no letters or digits)."""
    return slug(programme)[:SLUG_MAX].strip("-")


def programme_code(programme: str, code: str) -> str:
    """The stored code of a programme area: ``<programme slug>:<code>``."""
    c = _CODE_CHARS.sub("-", str(code)).strip("-")[:50] or slug(str(code))
    return f"{programme_slug(programme)}:{c}"
