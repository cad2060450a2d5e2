"""`casebridge webhooks sync`: subscribe the shim to the topics each store's policy routes.

Idempotent: what is already subscribed is left alone, so a second run creates nothing. The topics
come from `shim.topics` (what the shim routes for the case types the store's policy enables):

- Shopify: one `webhookSubscriptionCreate` per missing (topic, shim URL);
- BigCommerce: one `POST /v3/hooks` per missing scope; a hook of ours that BigCommerce switched off
  after failed deliveries is switched back on instead of duplicated;
- Adobe Commerce: one I/O Events registration of the shim's URL with the needed event codes (the
  registrations API answers the challenge through the shim first). A registration of ours that
  lacks codes is replaced: the new one is made before the old one is removed, so no event falls in
  between (a delivery both receive is deduplicated by the shim on its event id).

Nothing is unsubscribed: a topic the policy no longer needs stays until someone removes it.
"""

from __future__ import annotations

from enum import StrEnum

import httpx
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from casebridge.connections import Connections
from casebridge.secrets import MissingSecretError
from casebridge.settings import Settings
from casebridge.stores import Platform, RegistryLookupError, Store, StoreRegistry
from connectors.errors import ConnectorError
from routing.policy import PolicyError
from routing.store_policies import PolicyBook
from shim import topics
from shim.topics import CaseType


class SyncError(RuntimeError):
    """A subscription could not be made; the message says what answered what."""


class Change(StrEnum):
    CREATED = "created"
    PRESENT = "present"
    REACTIVATED = "reactivated"


class TopicState(BaseModel):
    topic: str  # as the platform names it (`ORDERS_CREATE`, `store/order/created`, an event code)
    change: Change


class StoreSync(BaseModel):
    """What the sync did for one store; `problem` or `manual` set means the store is not (fully) subscribed."""

    platform: Platform
    store: str
    url: str  # the shim endpoint the store delivers to
    case_types: list[CaseType] = Field(default_factory=list)
    topics: list[TopicState] = Field(default_factory=list)
    skipped: str | None = None  # nothing to subscribe, and why
    problem: str | None = None  # the sync failed
    manual: str | None = None  # a step someone has to take by hand

    @property
    def ok(self) -> bool:
        return self.problem is None and self.manual is None

    @property
    def changed(self) -> list[TopicState]:
        return [t for t in self.topics if t.change is not Change.PRESENT]


class IoEventsRegistration(BaseModel):
    id: str
    url: str
    event_codes: list[str] | None = None  # full event types; None: every event of the provider


_REGISTRATIONS = TypeAdapter(list[IoEventsRegistration])


class IoEventsRegistrations:
    """The registrations of one Adobe Commerce event provider, as the sandbox models the Developer
    Console: `GET` lists them, `POST {url, event_codes}` challenges the URL and registers it,
    `DELETE /{id}` removes one."""

    def __init__(self, http: httpx.AsyncClient, url: str) -> None:
        self._http, self._url = http, url.rstrip("/")

    async def registered(self) -> list[IoEventsRegistration]:
        response = await self._send("GET", self._url)
        try:
            return _REGISTRATIONS.validate_json(response.content)
        except ValidationError as err:
            raise SyncError(f"unexpected answer from the I/O Events registrations API {self._url}: {err}") from err

    async def register(self, url: str, event_codes: list[str]) -> None:
        await self._send("POST", self._url, json={"url": url, "event_codes": event_codes})

    async def remove(self, registration_id: str) -> None:
        await self._send("DELETE", f"{self._url}/{registration_id}")

    async def _send(self, method: str, url: str, json: object = None) -> httpx.Response:
        try:
            response = await self._http.request(method, url, json=json)
        except httpx.HTTPError as err:
            raise SyncError(f"cannot reach the I/O Events registrations API {self._url}: {err!r}") from err
        if response.is_error:
            answer = f"HTTP {response.status_code}: {response.text[:300]}"
            raise SyncError(f"the I/O Events registrations API refused {method} ({answer})")
        return response


class WebhookSync:
    def __init__(
        self, settings: Settings, registry: StoreRegistry, connections: Connections, http: httpx.AsyncClient
    ) -> None:
        self.settings, self.registry, self.connections, self.http = settings, registry, connections, http
        self.policies = PolicyBook(settings.config_dir)

    def endpoint(self, platform: Platform) -> str:
        return self.settings.shim_public_url.rstrip("/") + topics.WEBHOOK_PATHS[platform]

    def stores(self, store_id: str | None = None) -> list[Store]:
        """Every store of the registry, or the ones with this id (`RegistryLookupError` when none)."""
        if store_id is None:
            return list(self.registry.stores)
        chosen = [s for s in self.registry.stores if s.id == store_id]
        if not chosen:
            known = ", ".join(s.id for s in self.registry.stores) or "none"
            registry = self.settings.config_dir / "stores.yaml"
            raise RegistryLookupError(f"no store {store_id!r} in {registry} (stores: {known})")
        return chosen

    async def sync_all(self, store_id: str | None = None) -> list[StoreSync]:
        return [await self.sync(store) for store in self.stores(store_id)]

    async def sync(self, store: Store) -> StoreSync:
        result = StoreSync(platform=store.platform, store=store.id, url=self.endpoint(store.platform))
        if store.policy_file is None:
            result.skipped = "no policy_file: the shim routes nothing for it"
            return result
        try:
            policy = self.policies.get(store.policy_file)
            result.case_types = topics.case_types(policy)
            needed = topics.topics_for(store.platform, policy)
            if not needed:
                result.skipped = "its policy enables no case type that platform events start"
            elif store.platform is Platform.SHOPIFY:
                result.topics = await self._shopify(store, needed, result.url)
            elif store.platform is Platform.BIGCOMMERCE:
                result.topics = await self._bigcommerce(store, needed, result.url)
            else:
                result.topics, result.manual = await self._adobe(store, needed, result.url)
        except (OSError, PolicyError) as err:
            result.problem = f"cannot read its policy: {err}"
        except (ConnectorError, MissingSecretError, RegistryLookupError, SyncError) as err:
            result.problem = str(err)
        return result

    async def _shopify(self, store: Store, needed: list[str], url: str) -> list[TopicState]:
        shop = self.connections.shopify(store.id)
        existing = set(await shop.webhook_subscriptions())
        states = []
        for topic in needed:
            enum_value = topics.shopify_subscription_topic(topic)
            if (enum_value, url) in existing:
                states.append(TopicState(topic=enum_value, change=Change.PRESENT))
            else:
                await shop.subscribe_webhook(enum_value, url)
                states.append(TopicState(topic=enum_value, change=Change.CREATED))
        return states

    async def _bigcommerce(self, store: Store, needed: list[str], url: str) -> list[TopicState]:
        client = self.connections.bigcommerce(store.id)
        ours = [hook for hook in await client.list_hooks() if hook.destination == url]
        states = []
        for scope in needed:
            hooks = [hook for hook in ours if hook.scope == scope]
            if any(hook.is_active for hook in hooks):
                states.append(TopicState(topic=scope, change=Change.PRESENT))
            elif hooks:
                await client.set_hook_active(hooks[0].id)
                states.append(TopicState(topic=scope, change=Change.REACTIVATED))
            else:
                await client.create_hook(scope, url)
                states.append(TopicState(topic=scope, change=Change.CREATED))
        return states

    async def _adobe(self, store: Store, needed: list[str], url: str) -> tuple[list[TopicState], str | None]:
        if self.registry.adobe_io_events is None:
            raise SyncError("stores.yaml has no adobe_io_events block: the shim could not verify the deliveries")
        if store.io_events_provider_id is None:
            raise SyncError("no io_events_provider_id: the shim could not tell which store an event is from")
        if store.io_events_registrations_url is None:
            manual = (
                f"register {url} in the Adobe Developer Console (project client id "
                f"{self.registry.adobe_io_events.client_id}) for events {', '.join(needed)} of provider "
                f"{store.io_events_provider_id}; or set io_events_registrations_url"
            )
            return [], manual
        registrations = IoEventsRegistrations(self.http, store.io_events_registrations_url)
        ours = [r for r in await registrations.registered() if r.url == url]
        have: set[str] = set()
        for registration in ours:
            if registration.event_codes is None:  # every event of the provider
                return [TopicState(topic=code, change=Change.PRESENT) for code in needed], None
            have |= set(registration.event_codes)
        missing = [code for code in needed if topics.adobe_event_type(code) not in have]
        if missing:
            # One registration with everything ours had and what is missing, then the old ones go.
            keep = sorted(have | {topics.adobe_event_type(code) for code in needed})
            await registrations.register(url, keep)
            for registration in ours:
                await registrations.remove(registration.id)
        return [
            TopicState(topic=code, change=Change.CREATED if code in missing else Change.PRESENT) for code in needed
        ], None


async def sync_webhooks(
    settings: Settings, registry: StoreRegistry, connections: Connections, store_id: str | None = None
) -> list[StoreSync]:
    """Sync every store (or the one named); `RegistryLookupError` when `store_id` names none."""
    async with httpx.AsyncClient(timeout=30.0) as http:
        return await WebhookSync(settings, registry, connections, http).sync_all(store_id)
