"""`casebridge stores check`: is every store and OpenText tenant of the registry reachable with the
configured credentials? The worker and the shim run the same check before they start, so a missing
secret or a refused token stops the process with the reason instead of parking the first case.

Per store: its secrets resolve, its policy file loads, and one cheap authenticated read answers
(Shopify: the app's webhook subscriptions; BigCommerce: `GET /v3/hooks`; Adobe Commerce: the
built-in "NOT LOGGED IN" customer group). Per OpenText tenant: its secrets resolve and the
Workflow Service answers a process lookup (which fetches a token first). Per event source: its
signing secret resolves. Secrets are named in the messages, never shown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel

from casebridge.connections import Connections
from casebridge.secrets import MissingSecretError
from casebridge.settings import Settings
from casebridge.stores import EventSource, OpenTextTenant, Platform, Store, load_registry
from connectors.errors import AuthenticationError, ConnectorError
from routing.policy import PolicyError, load_policy
from shim.topics import case_types

log = logging.getLogger(__name__)

CALL_TIMEOUT_SECONDS = 15.0
# Magento's guest group: present in every Adobe Commerce instance, so reading it reads nothing real.
ADOBE_GUEST_GROUP_ID = 0
# A business key no case uses: the lookup proves the token and the API, and finds nothing.
OPENTEXT_CHECK_BUSINESS_KEY = "casebridge-connection-check"

T = TypeVar("T")

Kind = Literal["registry", "store", "tenant", "event source"]


class Check(BaseModel):
    kind: Kind
    name: str
    ok: bool
    detail: str

    @property
    def subject(self) -> str:
        return f"{self.kind} {self.name}"

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.subject:<48} {self.detail}"


class CheckReport(BaseModel):
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def summary(self) -> str:
        """One sentence naming what is missing or failing."""
        if self.ok:
            return f"{len(self.checks)} checks passed"
        return "; ".join(f"{check.subject}: {check.detail}" for check in self.failures)


class StoresNotReady(RuntimeError):
    """The start-up check failed; the message names every store or tenant that did."""


async def check_stores(config_dir: Path, *, timeout: float = CALL_TIMEOUT_SECONDS) -> CheckReport:
    try:
        registry = load_registry(config_dir)
    except (OSError, ValueError, yaml.YAMLError) as err:  # no file, bad YAML, an unset ${VAR}, invalid entries
        failed = Check(kind="registry", name=str(config_dir / "stores.yaml"), ok=False, detail=str(err))
        return CheckReport(checks=[failed])
    connections = Connections(registry)
    try:
        checks = await asyncio.gather(
            *(_check_store(store, config_dir, connections, timeout) for store in registry.stores),
            *(_check_tenant(tenant, connections, timeout) for tenant in registry.opentext_tenants),
        )
    finally:
        await connections.aclose()
    return CheckReport(checks=[*checks, *(_check_event_source(source) for source in registry.event_sources)])


async def require_stores_ready(settings: Settings) -> None:
    """What the worker and the shim run before they start: `StoresNotReady` when a check fails."""
    if not settings.stores_check_at_startup:
        log.warning("stores check skipped (STORES_CHECK_AT_STARTUP=false)")
        return
    report = await check_stores(settings.config_dir)
    for check in report.checks:
        (log.info if check.ok else log.error)("stores check: %s", check.line())
    if not report.ok:
        raise StoresNotReady(report.summary())


async def _check_store(store: Store, config_dir: Path, connections: Connections, timeout: float) -> Check:
    def result(ok: bool, detail: str) -> Check:
        return Check(kind="store", name=f"{store.platform.value} {store.id}", ok=ok, detail=detail)

    try:
        _resolve_store_secrets(store)
        routes = "no policy_file: no case starts from its events"
        if store.policy_file is not None:
            enabled = case_types(load_policy(config_dir / store.policy_file))
            routes = f"routes {', '.join(enabled) or 'no case type'} ({store.policy_file})"
        answered = await _call(_read_store(store, connections), timeout)
    except (MissingSecretError, PolicyError, CheckFailed) as err:
        return result(False, str(err))
    except OSError as err:  # a NAME_FILE that cannot be read
        return result(False, f"cannot read a secret file: {err}")
    return result(True, f"{answered}; {routes}")


async def _read_store(store: Store, connections: Connections) -> str:
    if store.platform is Platform.SHOPIFY:
        await connections.shopify(store.id).webhook_subscriptions()
        return "Admin API answered"
    if store.platform is Platform.BIGCOMMERCE:
        await connections.bigcommerce(store.id).list_hooks()
        return "REST API answered"
    await connections.adobe_commerce(store.id).customers.get_group(ADOBE_GUEST_GROUP_ID)
    return "REST API answered"


def _resolve_store_secrets(store: Store) -> None:
    if store.adobe_auth is not None:
        store.adobe_auth.credentials()
    if store.access_token_env is not None:
        store.access_token()
    if store.webhook_secret_env is not None:
        store.webhook_secret()


async def _check_tenant(tenant: OpenTextTenant, connections: Connections, timeout: float) -> Check:
    def result(ok: bool, detail: str) -> Check:
        return Check(kind="tenant", name=f"opentext {tenant.name}", ok=ok, detail=detail)

    try:
        tenant.client_id()
        tenant.client_secret()
        tenant.callback_secret()
        if tenant.content_server is not None:
            tenant.content_server.credentials()
        workflow = connections.opentext_workflow(tenant.name)
        await _call(workflow.find_processes(OPENTEXT_CHECK_BUSINESS_KEY), timeout)
    except (MissingSecretError, CheckFailed) as err:
        return result(False, str(err))
    except OSError as err:  # a NAME_FILE that cannot be read
        return result(False, f"cannot read a secret file: {err}")
    return result(True, f"Workflow Service answered (tenant id {tenant.tenant_id})")


def _check_event_source(source: EventSource) -> Check:
    try:
        source.secret()
    except MissingSecretError as err:
        return Check(kind="event source", name=source.name, ok=False, detail=str(err))
    except OSError as err:  # a NAME_FILE that cannot be read
        return Check(kind="event source", name=source.name, ok=False, detail=f"cannot read a secret file: {err}")
    return Check(kind="event source", name=source.name, ok=True, detail="signing secret set")


class CheckFailed(Exception):
    """A call failed; the message says how, without credentials."""


async def _call(call: Awaitable[T], timeout: float) -> T:
    try:
        return await asyncio.wait_for(call, timeout)
    except AuthenticationError as err:
        raise CheckFailed(f"credentials refused: {err}") from err
    except ConnectorError as err:
        raise CheckFailed(str(err)) from err
    except TimeoutError as err:
        raise CheckFailed(f"no answer within {timeout:.0f} s") from err
