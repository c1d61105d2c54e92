"""The ``asOf`` query parameter: the books as they stood at an instant (see :mod:`kontobok.store.as_of`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from kontobok.core.instants import parse_instant

AS_OF_DESCRIPTION = (
    "An ISO 8601 instant with its offset (e.g. 2025-02-01T12:00:00Z): answer as the books stood then, "
    "leaving out everything recorded after it, back-dated vouchers and reversals included."
)


def as_of_parameter(
    as_of: Annotated[str | None, Query(alias="asOf", max_length=64, description=AS_OF_DESCRIPTION)] = None,
) -> datetime | None:
    return None if as_of is None else parse_instant(as_of)


AsOf = Annotated[datetime | None, Depends(as_of_parameter)]
