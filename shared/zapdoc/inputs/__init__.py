"""Untrusted input: type sniffing, safe zip unpacking, bounded PDF parsing.

``collect`` (CLI paths) and ``expand`` (one upload) turn files into ``Source``/``Rejected``;
``inspect_pdf`` reads a source; ``BoundedPool``/``inspect_bounded`` bound its time and memory.
"""

from zapdoc.inputs.archive import Limits, expand
from zapdoc.inputs.collect import collect
from zapdoc.inputs.pdf import count_pages, inspect_pdf
from zapdoc.inputs.sandbox import BoundedPool, TaskFailed, failure_as_input_error, inspect_bounded
from zapdoc.inputs.sniff import sniff

__all__ = [
    "BoundedPool",
    "Limits",
    "TaskFailed",
    "collect",
    "count_pages",
    "expand",
    "failure_as_input_error",
    "inspect_bounded",
    "inspect_pdf",
    "sniff",
]
