"""What a web process does once it has started, before it serves anyone."""

from __future__ import annotations

import gc
from importlib import import_module

from django.conf import settings


def settle() -> None:
    """Import every view now rather than on the first request, then move everything start-up made
    into the garbage collector's permanent generation (`gc.freeze`).

    A list's prefetched rows hold their querysets and the querysets their rows, so each request
    leaves a few thousand objects in reference cycles for the collector; about every tenth request
    a full collection frees them, and it walked the 185,000 objects of the start-up as well: a
    pause of 120–140 ms in that request, 36–56 ms once they are frozen (bench/README.md, 18). With
    gunicorn's `--preload` the frozen objects' pages also stay shared between the workers."""
    import_module(settings.ROOT_URLCONF)
    gc.collect()
    gc.freeze()
