"""Copyright registry endpoints published so far: the key set and the log's checkpoints/proofs."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Query, Request

from api.deps import SessionDep
from copyright import log
from copyright.keys import KeySet, key_set
from core.errors import InvalidInput, NotFound

router = APIRouter(tags=["copyright"])


@router.get("/.well-known/ipcommons-keys.json", response_model=KeySet)
def published_keys(request: Request, session: SessionDep) -> KeySet:
    return key_set(session, request.app.state.settings.copyright_log_origin)


@router.get("/api/v1/copyright/checkpoint")
def latest_checkpoint(session: SessionDep) -> dict[str, object]:
    cp = log.latest_checkpoint(session)
    if cp is None:
        raise NotFound("the log has no signed checkpoint yet")
    return {"size": cp.size, "checkpoint": cp.note}


@router.get("/api/v1/copyright/consistency")
def consistency_proof(session: SessionDep, first: int = Query(ge=1), second: int = Query(ge=1)) -> dict[str, object]:
    if first > second or second > log.size(session):
        raise InvalidInput("need 1 <= first <= second <= log size")
    return {"first": first, "second": second,
            "proof": [base64.b64encode(h).decode() for h in log.consistency(session, first, second)]}
