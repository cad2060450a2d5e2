"""The activities of an activity class, found by their `@activity.defn`, so the worker keeps no
hand-written list that a new activity could be missing from."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from casebridge.connections import Connections


def activity_methods(activity_class: Any, connections: Connections) -> list[Callable[..., Any]]:
    """Every activity of `activity_class`, bound to one instance made with `connections`."""
    instance = activity_class(connections)
    return [
        method
        for _, method in inspect.getmembers(instance, inspect.ismethod)
        if hasattr(method, "__temporal_activity_definition")
    ]
