"""Cloud Function ``extract``: a message on topic ``documents`` names one document of a job."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime
from zapdoc.services.events import on_document, run

zlog.setup()
preload("extract")


@functions_framework.cloud_event
def extract(cloud_event: CloudEvent) -> None:
    run("extract", lambda: on_document(runtime(), "extract", cloud_event.get_attributes(), cloud_event.data))
