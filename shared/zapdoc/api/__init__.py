"""The public HTTP API (``/v1``) and the Stripe webhook."""
