"""POST /v1/ingest: upload masters (multipart) with an admin's or an artist account's token."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from tonearm.accounts import Caller, account
from tonearm.errors import (
    BadRequest,
    Forbidden,
    InvalidUpload,
    PayloadTooLarge,
    TonearmError,
)
from tonearm.ingest.schemas import Hints, IngestResult
from tonearm.ingest.tasks import IngestContext, ingest_master
from tonearm.kit.access import require
from tonearm.kit.db import unit_of_work

__all__ = ["context_for", "router"]

router = APIRouter(prefix="/v1", tags=["ingest"])

_UNSAFE_NAME = re.compile(r"[/\\\x00]|^\.\.?$|^\s*$")


def context_for(request: Request, caller: Caller) -> IngestContext:
    """The ingest job's context for this uploader: an admin publishes for anyone, an artist
    account for its own artists, a listener not at all."""
    ctx: IngestContext = request.app.state.runtime.ingest_context()
    if caller.role == "admin":
        return ctx
    if caller.role != "artist" or caller.user_id is None:
        raise Forbidden("only artist and admin accounts may upload masters")
    with unit_of_work(request.app.state.session_factory) as session:
        artists = frozenset(account.artist_ids(session, caller.user_id))
    return replace(ctx, for_artists=artists)


def safe_file_name(name: str | None) -> str:
    if not name or _UNSAFE_NAME.search(name) or ".." in name or len(name) > 255:
        raise InvalidUpload(f"file name '{(name or '')[:80]}' must be a plain name without paths")
    return name


def _int(form: dict[str, str], key: str) -> int | None:
    value = form.get(key)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise BadRequest(f"{key} must be a whole number, got '{value[:20]}'")
    return int(value)


def _split(value: str | None, sep: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(sep) if part.strip())


def hints_from_form(form: dict[str, str]) -> Hints:
    explicit = form.get("explicit")
    if explicit not in (None, "", "true", "false"):
        raise BadRequest(f"explicit must be true or false, got '{explicit[:10]}'")
    return Hints(
        name=form.get("name") or None,
        artists=_split(form.get("artists"), ";"),
        album=form.get("album") or None,
        album_type=form.get("album_type") or None,
        release_date=form.get("release_date") or None,
        isrc=form.get("isrc") or None,
        disc_number=_int(form, "disc_number"),
        track_number=_int(form, "track_number"),
        explicit=None if explicit in (None, "") else explicit == "true",
        territories=_split(form.get("territories"), ",") or ("WW",),
    )


def _check_length(request: Request) -> None:
    limit = request.app.state.settings.max_upload_bytes
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise TonearmError("send a Content-Length with the upload", 411)
    if int(length) > limit:
        raise PayloadTooLarge(f"upload of {length} bytes is over the limit of {limit} bytes")


def _uploads(form: FormData) -> tuple[list[UploadFile], dict[str, str]]:
    files = [value for value in form.getlist("file") if isinstance(value, UploadFile)]
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    if not files:
        raise BadRequest("attach one or more masters as multipart form field 'file'")
    return files, fields


def _ingest_upload(ctx: IngestContext, upload: UploadFile, hints: Hints) -> IngestResult:
    name = safe_file_name(upload.filename)
    with tempfile.TemporaryDirectory(prefix="tonearm-upload-") as folder:
        # The saved copy gets a fixed name: the client's name is only a label.
        saved = Path(folder) / f"master{Path(name).suffix.lower()[:8]}"
        with saved.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
        return ingest_master(ctx, saved, file_name=name, hints=hints)


@router.post("/ingest", status_code=201, response_model=dict[str, list[IngestResult]])
async def ingest(
    request: Request, caller: Annotated[Caller, Depends(require(user=True))]
) -> dict[str, list[IngestResult]]:
    """Upload masters (WAV, FLAC, AIFF, MP3, Ogg) as multipart 'file' fields, with optional
    name, artists (';'-separated), album, album_type, release_date, track_number, disc_number,
    explicit, isrc and territories (','-separated ISO codes or WW). Needs an admin's token, or
    an artist account's for its own artists."""
    ctx = context_for(request, caller)
    _check_length(request)
    async with request.form(max_files=100, max_fields=100) as form:
        files, fields = _uploads(form)
        hints = hints_from_form(fields)
        results = []
        for upload in files:
            results.append(await run_in_threadpool(_ingest_upload, ctx, upload, hints))
    return {"tracks": results}
