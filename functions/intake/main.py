"""Cloud Function ``intake``: a Cloud Storage object was finalized in the uploads bucket."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime
from zapdoc.services.events import on_upload, run

zlog.setup()
preload("intake")


@functions_framework.cloud_event
def intake(cloud_event: CloudEvent) -> None:
    run("intake", lambda: on_upload(runtime(), cloud_event.get_attributes(), cloud_event.data))
