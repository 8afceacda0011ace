"""Cloud Function ``classify``: a message on topic ``documents`` names one document of a job."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime
from zapdoc.services.events import on_document, run

zlog.setup()
preload("classify")


@functions_framework.cloud_event
def classify(cloud_event: CloudEvent) -> None:
    run(
        "classify", lambda: on_document(runtime(), "classify", cloud_event.get_attributes(), cloud_event.data)
    )
