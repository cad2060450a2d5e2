"""The sandbox's world kept across restarts of the local stack (`make down` / `make up`).

Temporal keeps its cases in `.stack/temporal.db`; without this, a restarted sandbox would have
forgotten the orders they act on and the OpenText tasks they wait for. With a state file
(`python -m sandbox --state-file .stack/sandbox-state.pickle`, which devstack passes), the
simulators' domain state is written there every few seconds when it changed and on shutdown, and
loaded at start. Tests pass no file and keep everything in memory.

What is kept: every shop, BigCommerce and Adobe Commerce store, the OpenText Workflow Service's
process instances, tasks and deployed models, the Content Server's nodes, and the side-effect ledger.
What is not: fault rules, rate-limit windows, tokens (clients fetch new ones), webhooks still queued
for delivery, and Exstream jobs (a letter is sent at once). Each run's configuration (secrets,
plans) stays this run's: only data is restored.

The file is a pickle: the state is plain Python objects (dataclasses, dicts, pydantic models) that
need no JSON mapping of their own, and it is only ever read by the process that wrote it, on the
developer's own machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import itertools
import logging
import os
import pickle
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 2.0
# Attributes that belong to this run, not to the world: kept as this run built them.
_RUN_ATTRIBUTES = frozenset({"config"})
_FORMAT_KEY = "__sandbox_code__"


def code_version() -> str:
    """A digest of the simulators' source: a world saved by other code (whose classes may lack
    fields this code reads) is not loaded."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


class _Pickler(pickle.Pickler):
    """Pickles `itertools.count` (id sequences) by its next value: Python 3.14 dropped its own pickling."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is itertools.count:
            # repr is `count(N)` (ids count by one); reading it does not advance the sequence.
            return itertools.count, (int(repr(obj)[len("count(") : -1]),)
        return NotImplemented


def holders(app: Any) -> dict[str, Any]:
    """The objects whose attributes are the world's data, by a name stable across runs."""
    state = app.state
    found: dict[str, Any] = {"effects": state.world.effects}
    for domain, runtime in state.shopify._shops.items():
        found[f"shopify/{domain}"] = runtime.state
    for store_hash, runtime in state.bigcommerce.stores.items():
        found[f"bigcommerce/{store_hash}"] = runtime.state
    for code, store in state.adobe_commerce.stores.items():
        found[f"adobe-commerce/{code}"] = store.state
    found["opentext/workflow"] = state.workflow_service.engine
    found["opentext/exstream/deliveries"] = state.exstream.delivery_book
    for tenant, repository in state.content_server.repositories.items():
        found[f"opentext/content-server/{tenant}"] = repository
    return found


def _data(holder: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = vars(holder)
    if type(holder).__name__ == "WorkflowEngine":
        # Its callback sender and effect ledger are the running app's; instances, tasks and models are data.
        return {name: attributes[name] for name in ("_tenants", "_models")}
    return {name: value for name, value in attributes.items() if name not in _RUN_ATTRIBUTES}


def snapshot(app: Any) -> bytes:
    buffer = io.BytesIO()
    world: dict[str, Any] = {name: _data(h) for name, h in holders(app).items()}
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump({_FORMAT_KEY: code_version(), **world})
    return buffer.getvalue()


def restore(app: Any, saved: bytes) -> None:
    """Put the saved data into this app's holders, in place (the simulators keep references to them).
    A holder this run does not have (a store removed from the configuration) is left out."""
    world: dict[str, Any] = pickle.loads(saved)  # only ever the file this sandbox wrote
    if world.get(_FORMAT_KEY) != code_version():
        raise ValueError("the world was saved by another version of the sandbox")
    for name, holder in holders(app).items():
        if name in world:
            vars(holder).update(world[name])


def save(app: Any, path: Path, previous: bytes | None = None) -> bytes:
    """Write the world to `path` (atomically: a crash mid-write keeps the last file) when it changed."""
    data = snapshot(app)
    if data != previous:
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    return data


def load(app: Any, path: Path) -> None:
    if not path.is_file():
        return
    try:
        restore(app, path.read_bytes())
    except ValueError as err:
        log.warning("sandbox state in %s not loaded (%s); starting with an empty world", path, err)
        return
    except Exception:
        # A file from an older sandbox whose classes changed: start empty rather than not at all.
        log.exception("could not load the sandbox state from %s; starting with an empty world", path)
        return
    log.info("sandbox world loaded from %s", path)


@contextlib.asynccontextmanager
async def persisted(app: Any, path: Path | None) -> AsyncIterator[None]:
    """Load the world at start, save it while serving and at shutdown (nothing without a path)."""
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    load(app, path)
    last = snapshot(app)

    async def keep_saving() -> None:
        nonlocal last
        while True:
            await asyncio.sleep(SAVE_EVERY_SECONDS)
            try:
                last = save(app, path, last)
            except Exception:
                log.exception("could not save the sandbox state to %s", path)

    saver = asyncio.create_task(keep_saving())
    try:
        yield
    finally:
        saver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await saver
        save(app, path, None)
        log.info("sandbox world saved to %s", path)
