"""Cloud Function ``assemble``: a message on topic ``document-results`` says a document of a job finished."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime
from zapdoc.services.events import on_result, run

zlog.setup()
preload("assemble")


@functions_framework.cloud_event
def assemble(cloud_event: CloudEvent) -> None:
    run("assemble", lambda: on_result(runtime(), cloud_event.get_attributes(), cloud_event.data))
