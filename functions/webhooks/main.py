"""Cloud Function ``webhooks``: a message on topic ``zapdoc-webhooks`` names one job event to POST to the
user's endpoint. A failed attempt raises, so Pub/Sub redelivers with backoff (terraform/pubsub.tf)."""

from __future__ import annotations

import functions_framework
from cloudevents.http import CloudEvent

from zapdoc import logging as zlog
from zapdoc.bootstrap import preload, runtime, webhook_sender
from zapdoc.services.events import on_webhook, run

zlog.setup()
preload("webhooks")


@functions_framework.cloud_event
def webhooks(cloud_event: CloudEvent) -> None:
    run(
        "webhooks",
        lambda: on_webhook(runtime(), webhook_sender(), cloud_event.get_attributes(), cloud_event.data),
    )
