"""Issue 9: an arrived upload cannot be replaced. Signed URLs carry ``x-goog-if-generation-match: 0``
and the local upload front enforces it as Cloud Storage does (412 when the object exists)."""

from __future__ import annotations

import pytest

from tests.integration.test_api_emulators import Stack, pdf_job, put, stack  # noqa: F401 (fixture)
from tests.pdfs import make_pdf
from zapdoc.services import jobs

pytestmark = pytest.mark.emulators


def test_a_second_put_to_the_same_signed_url_is_refused_and_the_first_bytes_stay(
    stack: Stack,  # noqa: F811
) -> None:
    # GIVEN a job whose file has been uploaded through its signed URL
    _, token = stack.auth.sign_up()
    first = make_pdf(["Invoice number: FIRST-1\nTotal: 10.00"])
    job = pdf_job(stack, token, first)
    upload = job["files"][0]["upload"]
    assert upload["headers"]["x-goog-if-generation-match"] == "0"
    assert put(upload["url"], upload["headers"], first).status_code == 200
    # WHEN the same URL is used again with other bytes of the same size
    other = first.replace(b"FIRST-1", b"OTHER-2")
    assert len(other) == len(first)
    resp = put(upload["url"], upload["headers"], other)
    # THEN it is refused with 412 and the stored object is still the first upload
    assert resp.status_code == 412
    assert resp.json()["error"]["code"] == "PreconditionFailed"
    name = jobs.get_job(stack.rt, job["id"]).data["files"]["f000"]["object"]  # type: ignore[union-attr]
    assert stack.blobs.read(stack.rt.settings.uploads_bucket, name) == first
