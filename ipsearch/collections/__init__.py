"""Topic collections (专题库): a saved query plus manual additions and removals, tags (标引),
notes, statistics and export; re-run on every ``corpus-updated`` event with the new matches
notified.

``models`` holds the tables, ``access`` who sees and changes a collection, ``items`` its
documents, ``visits`` when each reader opened it (what is new to them), ``schemas`` the boundary
models and ``service`` the operations the API and the workers call.
"""

from __future__ import annotations

from ipsearch.collections.models import (
    MAX_QUERY_MATCHES,
    Collection,
    CollectionItem,
    CollectionNote,
    CollectionTag,
    ItemSource,
    Visibility,
)

__all__ = ["MAX_QUERY_MATCHES", "Collection", "CollectionItem", "CollectionNote", "CollectionTag", "ItemSource",
           "Visibility"]
