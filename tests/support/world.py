"""The simulated world the tests run against: shops, an OpenText tenant, and their secrets."""

from __future__ import annotations

import os
import re
import secrets
import textwrap
from pathlib import Path

import yaml
from pydantic import SecretStr

from casebridge.payload_codec import new_key_entry
from casebridge.stores import load_registry
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.config import SandboxConfig, ShopConfig, TenantConfig
from sandbox.opentext_ecm.config import ContentServerConfig
from sandbox.opentext_exstream.config import ExstreamTenantConfig

PROJECT_CONFIG = Path(__file__).resolve().parents[2] / "config"
SHOP = "casebridge-test.myshopify.com"
# Same policy but reconciles every second: the lost-callback test uses it.
RECONCILE_SHOP = "reconcile-test.myshopify.com"
# No webhook subscriptions: the SLA tests start their cases themselves, on the time-skipping server.
SLA_SHOP = "sla-test.myshopify.com"
# Keeps every order's documents (the order-documents case): its own shop, so the other flow tests'
# orders open no such case.
DOCS_SHOP = "documents-test.myshopify.com"
TENANT_ID = "casebridge-test"
BC_STORE = "cbtest"
BC_QUOTA, BC_WINDOW_MS = 4, 2000
BC_ACTIVITIES_PER_SECOND = 1.0
# The flows on BigCommerce: a Pro plan's request quota and a store queue below it, so the
# flow tests stay fast while their activities still go through a rate-limited store queue.
BC_FLOW_STORE = "cbflow"
BC_FLOW_QUOTA = 450  # requests per 30 s
BC_FLOW_ACTIVITIES_PER_SECOND = 12.0
ADOBE_STORE = "default"
# Keep every order's documents, like DOCS_SHOP: stores of their own, so that the flow stores'
# orders open no order-documents case.
BC_DOCS_STORE = "cbdocs"
ADOBE_DOCS_STORE = "docs"  # a second Commerce instance, with an event provider of its own
# The main Shopify shop and the Adobe Commerce store have quotas too: every platform's flows run
# their store activities through a rate-limited store queue (high enough to keep the tests fast).
SHOP_ACTIVITIES_PER_SECOND = 50.0


def ecm_system(platform: str, store: str) -> str:
    """The external system a test store is known as in the simulated ECM (one per store: stores
    number their orders each on their own)."""
    return f"{platform}-{store}"


ECM_SYSTEMS = [
    ecm_system("shopify", SHOP),
    ecm_system("shopify", RECONCILE_SHOP),
    ecm_system("shopify", SLA_SHOP),
    ecm_system("shopify", DOCS_SHOP),
    ecm_system("bigcommerce", BC_STORE),
    ecm_system("bigcommerce", BC_FLOW_STORE),
    ecm_system("bigcommerce", BC_DOCS_STORE),
    ecm_system("adobe-commerce", ADOBE_STORE),
    ecm_system("adobe-commerce", ADOBE_DOCS_STORE),
]
ADOBE_ACTIVITIES_PER_SECOND = 50.0
WAREHOUSE_SOURCE = "leeds-wms"  # an event source: the warehouse system posting fulfillment exceptions
# Another event source: the storefront's return form posting BigCommerce return requests, with a
# secret of its own (a storefront app should not be able to sign warehouse reports).
RETURNS_SOURCE = "storefront-returns"
ADOBE_IO_CLIENT = "casebridge-io"  # the Developer Console project's client id events are sent to
ADOBE_IO_PROVIDER = "4d5e6f70-test-provider"
ADOBE_DOCS_IO_PROVIDER = "5e6f7081-docs-provider"
ECM_USER = "casebridge"
ECM_NAME = "casebridge-ecm"  # the simulated Content Server (`ContentServerConfig.demo`)
# Where collateral is published: the simulated ECM's admin serves each version's content.
COLLATERAL_PATH = "nodes/{node_id}/versions/{version}/content"
TENANT = "test"

SECRETS = {
    "SHOPIFY_ACCESS_TOKEN": "shpat_test_token",
    "SHOPIFY_WEBHOOK_SECRET": "shpss_test_app_secret",
    "OPENTEXT_CLIENT_ID": "casebridge-test-client",
    "OPENTEXT_CLIENT_SECRET": "ot_test_client_secret",
    "OPENTEXT_CALLBACK_SECRET": "ot_test_callback_secret",
    "BIGCOMMERCE_ACCESS_TOKEN": "bc_test_access_token",
    "BIGCOMMERCE_CLIENT_SECRET": "bc_test_client_secret",
    "OPENTEXT_ECM_PASSWORD": "ecm_test_password",
    "ADOBE_ADMIN_PASSWORD": "adobe_test_admin_password",
    "ADOBE_CONSUMER_KEY": "adobe_test_consumer_key",
    "ADOBE_CONSUMER_SECRET": "adobe_test_consumer_secret",
    "ADOBE_ACCESS_TOKEN": "adobe_test_access_token",
    "ADOBE_ACCESS_TOKEN_SECRET": "adobe_test_access_token_secret",
    "ADOBE_IMS_CLIENT_SECRET": "adobe_test_ims_secret",
    "CASEBRIDGE_WAREHOUSE_SECRET": "wms_test_signing_secret",
    "CASEBRIDGE_RETURNS_FORM_SECRET": "returns_form_test_signing_secret",
    # The whole suite runs with encrypted payloads, fresh keys each session: a current key and an
    # older one, as after a rotation (tests/test_payload_codec.py, tests/test_encrypted_history.py).
    "CASEBRIDGE_PAYLOAD_KEYS": f"{new_key_entry('suite-current')},{new_key_entry('suite-previous')}",
    "CODEC_SERVER_TOKEN": f"codec-test-token-{secrets.token_urlsafe(16)}",
}

# The test world's customers, as regular expressions: none of it may reach a log
# (tests/support/log_scan.py). Every email address in this world is a person's.
PERSONAL_DATA = [
    r"[A-Za-z0-9._%+-]+@example\.(?:test|com)\b",
    *(
        re.escape(street)
        for street in ("1 Test Way", "1 Demo Street", "1 Market Street", "7 Elm Row", "9 Harbour Road")
    ),
    *(
        re.escape(name)
        for name in ("Bea Buyer", "Ada Byron", "Ada Buyer", "Fuzz Buyer", "Jane Doe", "Rita Returner", "Sam Shopper")
    ),
    # tests/test_monthly_statements.py's buyers and the companies' main contact.
    *(re.escape(name) for name in ("Mona Ledger", "Otto Orderly", "Pia Purchaser", "Rolf Reorder")),
    # tests/test_encrypted_history.py's customer.
    *(re.escape(detail) for detail in ("Quartermaine", "Wisteria Lane", "4155550187")),
]


def export_secrets() -> None:
    """The app side reads secrets from the environment, as in a deployment."""
    os.environ.update(SECRETS)


def sandbox_config() -> SandboxConfig:
    shops = [
        ShopConfig(
            domain=domain,
            access_token=SecretStr(SECRETS["SHOPIFY_ACCESS_TOKEN"]),
            app_client_secret=SecretStr(SECRETS["SHOPIFY_WEBHOOK_SECRET"]),
            cancel_job_seconds=0.3,
            # Shopify Plus limits: the flow tests share one shop, and the SLA tests skip time while
            # a real-time cost bucket would refill too slowly for them. Throttling itself is
            # proven in tests/connectors/test_shopify_throttling.py with a small bucket.
            bucket_size=20_000.0,
            restore_rate=1_000.0,
        )
        for domain in (SHOP, RECONCILE_SHOP, SLA_SHOP, DOCS_SHOP)
    ]
    tenant = TenantConfig(
        tenant_id=TENANT_ID,
        client_id=SECRETS["OPENTEXT_CLIENT_ID"],
        client_secret=SecretStr(SECRETS["OPENTEXT_CLIENT_SECRET"]),
        callback_secret=SecretStr(SECRETS["OPENTEXT_CALLBACK_SECRET"]),
    )
    exstream = ExstreamTenantConfig(
        tenant_id=TENANT_ID,
        client_id=SECRETS["OPENTEXT_CLIENT_ID"],
        client_secret=SecretStr(SECRETS["OPENTEXT_CLIENT_SECRET"]),
    )
    bigcommerce = BigCommerceStoreConfig(
        store_hash=BC_STORE,
        access_token=SecretStr(SECRETS["BIGCOMMERCE_ACCESS_TOKEN"]),
        client_secret=SecretStr(SECRETS["BIGCOMMERCE_CLIENT_SECRET"]),
        # A tiny quota, so that exceeding it is easy to provoke (see test_store_rate_limit).
        rate_limit_quota=BC_QUOTA,
        rate_limit_window_ms=BC_WINDOW_MS,
    )
    bigcommerce_flow = BigCommerceStoreConfig(
        store_hash=BC_FLOW_STORE,
        access_token=SecretStr(SECRETS["BIGCOMMERCE_ACCESS_TOKEN"]),
        client_secret=SecretStr(SECRETS["BIGCOMMERCE_CLIENT_SECRET"]),
        # A Pro plan's quota (450 per 30 s), above what its store queue lets the activities use, so
        # the shim's own reads of the store have room left (as a deployment would set it).
        rate_limit_quota=BC_FLOW_QUOTA,
    )
    bigcommerce_docs = bigcommerce_flow.model_copy(update={"store_hash": BC_DOCS_STORE})
    adobe_stores = [
        AdobeStoreConfig(
            store_code=store_code,
            admin_username="casebridge",
            admin_password=SecretStr(SECRETS["ADOBE_ADMIN_PASSWORD"]),
            consumer_key=SECRETS["ADOBE_CONSUMER_KEY"],
            consumer_secret=SecretStr(SECRETS["ADOBE_CONSUMER_SECRET"]),
            access_token=SECRETS["ADOBE_ACCESS_TOKEN"],
            access_token_secret=SecretStr(SECRETS["ADOBE_ACCESS_TOKEN_SECRET"]),
            ims_client_id="casebridge-ims",
            ims_client_secret=SecretStr(SECRETS["ADOBE_IMS_CLIENT_SECRET"]),
            io_events_client_id=ADOBE_IO_CLIENT,
            io_events_provider_id=provider_id,
        )
        for store_code, provider_id in ((ADOBE_STORE, ADOBE_IO_PROVIDER), (ADOBE_DOCS_STORE, ADOBE_DOCS_IO_PROVIDER))
    ]
    ecm = ContentServerConfig.demo(
        username=ECM_USER, password=SecretStr(SECRETS["OPENTEXT_ECM_PASSWORD"]), external_systems=ECM_SYSTEMS
    )
    return SandboxConfig(
        shops=shops,
        tenants=[tenant],
        exstream_tenants=[exstream],
        content_servers=[ecm],
        bigcommerce_stores=[bigcommerce, bigcommerce_flow, bigcommerce_docs],
        adobe_stores=adobe_stores,
        delivery_retry_seconds=0.2,
    )


POLICY = """\
store: {store}
order_review:
  rules:
    total_at_least: 1000
    discount_pct_at_least: 30
    risk_levels: [HIGH]
    restricted_countries: [KP, IR]
    customer_tags: [vip, wholesale]
  route:
    process_definition_key: casebridge_order_review
    team: order-review
    escalation_team: order-review-leads
  sla:
    reminder_after: PT4H
    escalate_after: PT12H
    timeout_after: PT48H
    reconcile_every: {reconcile}
  on_timeout: {on_timeout}
  reject:
    cancel_reason: DECLINED
    refund: true
    restock: true
fulfillment_exceptions:
  types:
    inventory_shortage:
      teams: [warehouse, customer-service]
      on_timeout: cancel-order
    address_validation:
      teams: [customer-service]
      on_timeout: ship-as-is
    payment_exception:
      teams: [finance, customer-service]
      on_timeout: cancel-order
    carrier_delay:
      teams: [warehouse, customer-service]
      resolutions: [ship-as-is, new-delivery-date]
      on_timeout: new-delivery-date
    backorder:
      teams: [warehouse, customer-service]
      on_timeout: new-delivery-date
  sla:
    reminder_after: PT4H
    escalate_after: PT12H
    timeout_after: PT48H
    reconcile_every: {reconcile}
  finance_above: 5000
returns:
  auto_approve:
    value_at_most: 50
    reasons: [SIZE_TOO_SMALL, SIZE_TOO_LARGE, UNWANTED, STYLE, COLOR]
  route:
    process_definition_key: casebridge_return_review
    team: returns-review
    escalation_team: returns-leads
  sla:
    reminder_after: PT4H
    escalate_after: PT12H
    timeout_after: PT48H
    reconcile_every: {reconcile}
  on_timeout: {on_timeout}
  evidence:
    deadline: P7D
    on_deadline: reject
  decline_reason: OTHER
  customer_notice: Case Decision Letter
  return_window: P30D
  warranty: P1Y
  out_of_warranty: review
  categories:
    electronics:
      review_always: true
      warranty: P2Y
      category_ids: [901]
    garden:
      out_of_warranty: decline
      category_ids: [902]
communications:
  brand: casebridge-outdoor
  languages: [en, de, fr]
  bounce_wait: PT10M
"""


ORDER_DOCUMENTS_POLICY = """\
order_documents:
  letters: [order-confirmation, shipment-notice, partial-shipment, packing-slip, refund]
  follow_for: PT10M
  warranty:
    - sku: WARRANTY-TENT
      months: 24
      terms: Covers seams and poles.
      regions: {EU: "Two years under EU consumer law, seams and poles included."}
  product_documents:
    - sku: STOVE-1
      kind: compliance
      title: Declaration of conformity
      text: Tested to the applicable safety standards.
      regions: {EU: "Conforms to Regulation (EU) 2016/426 on gas appliances.", US: "Listed to ANSI Z21.72."}
product_workspaces: true
abandoned_carts:
  remind_after: PT4H
  cart_url: https://shop.example/cart/{cart_id}
"""


def ecm_layout_yaml() -> str:
    """The project's own ECM layout (config/stores.yaml), which the simulated ECM's demo matches."""
    layout = load_registry(PROJECT_CONFIG).tenant("demo").content_server
    assert layout is not None and layout.layout is not None
    return yaml.safe_dump(layout.layout.model_dump(mode="json"), sort_keys=False)


def write_config(directory: Path, sandbox_url: str) -> Path:
    (directory / "policies").mkdir(parents=True, exist_ok=True)
    stores = [
        (SHOP, "PT1H", "reject"),
        (RECONCILE_SHOP, "PT1S", "reject"),
        (SLA_SHOP, "PT1H", "reject"),
        (DOCS_SHOP, "PT1H", "reject"),
    ]
    for store, reconcile, on_timeout in stores:
        policy = POLICY.format(store=store, reconcile=reconcile, on_timeout=on_timeout)
        if store == DOCS_SHOP:
            policy += ORDER_DOCUMENTS_POLICY
        if store == RECONCILE_SHOP:  # its return windows count from the last shipment
            policy = policy.replace("returns:\n", "returns:\n  window_from: shipment\n")
        (directory / "policies" / f"{store}.yaml").write_text(policy)
    # BigCommerce has no risk analysis; the rest of the policy is the same as the shops'.
    for bc_store in (BC_FLOW_STORE, BC_DOCS_STORE):
        bc_policy = POLICY.format(store=bc_store, reconcile="PT1H", on_timeout="reject").replace(
            "    risk_levels: [HIGH]\n", ""
        )
        if bc_store == BC_DOCS_STORE:
            bc_policy += ORDER_DOCUMENTS_POLICY
        (directory / "policies" / f"bigcommerce-{bc_store}.yaml").write_text(bc_policy)
    for adobe_store in (ADOBE_STORE, ADOBE_DOCS_STORE):
        # Adobe Commerce: no risk analysis either; B2B credit, address and basket-size rules on top.
        adobe_policy = POLICY.format(store=adobe_store, reconcile="PT1H", on_timeout="reject").replace(
            "    risk_levels: [HIGH]\n",
            "    items_at_least: 50\n    address_mismatch: true\n    company_credit_exceeded: true\n",
        )
        # The sandbox's 100%-off cart price rule makes replacement and exchange orders free there.
        adobe_policy = adobe_policy.replace("returns:\n", "returns:\n  replacement_coupon: CASEBRIDGE-REPLACEMENT\n")
        if adobe_store == ADOBE_DOCS_STORE:  # Adobe Commerce invoices: the customer gets those too
            # and no partial shipment letter: a partial shipment gets the shipment notice there.
            adobe_policy += ORDER_DOCUMENTS_POLICY.replace("partial-shipment, ", "").replace(
                "refund]", "invoice, refund]"
            )
        (directory / "policies" / f"adobe-{adobe_store}.yaml").write_text(adobe_policy)
    adobe_entries = "".join(
        textwrap.dedent(f"""\
          - platform: adobe-commerce
            id: {store}
            api_base_url: {sandbox_url}/adobe-commerce/rest/{store}
            adobe_auth:
              mode: oauth1
              consumer_key_env: ADOBE_CONSUMER_KEY
              consumer_secret_env: ADOBE_CONSUMER_SECRET
              access_token_env: ADOBE_ACCESS_TOKEN
              access_token_secret_env: ADOBE_ACCESS_TOKEN_SECRET
            io_events_provider_id: {provider}
            # Where `casebridge webhooks sync` registers the shim for the store's I/O Events.
            io_events_registrations_url: {sandbox_url}/adobe-commerce/_admin/stores/{store}/io-events/registrations
            opentext_tenant: {TENANT}
            ecm_ext_system_id: {ecm_system("adobe-commerce", store)}
            policy_file: policies/adobe-{store}.yaml
        """)
        + (f"  activities_per_second: {ADOBE_ACTIVITIES_PER_SECOND}\n  b2b: true\n" if store == ADOBE_STORE else "")
        for store, provider in ((ADOBE_STORE, ADOBE_IO_PROVIDER), (ADOBE_DOCS_STORE, ADOBE_DOCS_IO_PROVIDER))
    )
    store_entries = "".join(
        textwrap.dedent(f"""\
          - platform: shopify
            id: {store}
            api_base_url: {sandbox_url}/shopify/{store}
            access_token_env: SHOPIFY_ACCESS_TOKEN
            webhook_secret_env: SHOPIFY_WEBHOOK_SECRET
            opentext_tenant: {TENANT}
            ecm_ext_system_id: {ecm_system("shopify", store)}
            policy_file: policies/{store}.yaml
        """)
        + (f"  activities_per_second: {SHOP_ACTIVITIES_PER_SECOND}\n" if store == SHOP else "")
        + ("  b2b: true\n" if store == SLA_SHOP else "")  # sells to companies: monthly statements
        for store, _, _ in stores
    )
    (directory / "stores.yaml").write_text(
        textwrap.dedent(f"""\
        opentext_tenants:
          - name: {TENANT}
            base_url: {sandbox_url}/opentext
            tenant_id: {TENANT_ID}
            client_id_env: OPENTEXT_CLIENT_ID
            client_secret_env: OPENTEXT_CLIENT_SECRET
            callback_secret_env: OPENTEXT_CALLBACK_SECRET
            exstream:
              base_url: {sandbox_url}/opentext/exstream
              domain: casebridge
            content_server:
              base_url: {sandbox_url}/opentext/otcs/cs.exe
              username: {ECM_USER}
              password_env: OPENTEXT_ECM_PASSWORD
              collateral:
                public_url: {sandbox_url}/opentext/otcs/_admin/tenants/{ECM_NAME}/{COLLATERAL_PATH}
                sync_every: PT1H
              layout:
        """)
        + textwrap.indent(ecm_layout_yaml(), " " * 10)
        + "stores:\n"
        + textwrap.indent(store_entries, "  ")
        + textwrap.indent(
            textwrap.dedent(f"""\
            - platform: bigcommerce
              id: {BC_STORE}
              api_base_url: {sandbox_url}/bigcommerce
              access_token_env: BIGCOMMERCE_ACCESS_TOKEN
              webhook_secret_env: BIGCOMMERCE_CLIENT_SECRET
              opentext_tenant: {TENANT}
              ecm_ext_system_id: {ecm_system("bigcommerce", BC_STORE)}
              activities_per_second: {BC_ACTIVITIES_PER_SECOND}
              b2b: true
              b2b_api_base_url: {sandbox_url}/bigcommerce-b2b
            - platform: bigcommerce
              id: {BC_FLOW_STORE}
              api_base_url: {sandbox_url}/bigcommerce
              access_token_env: BIGCOMMERCE_ACCESS_TOKEN
              webhook_secret_env: BIGCOMMERCE_CLIENT_SECRET
              opentext_tenant: {TENANT}
              ecm_ext_system_id: {ecm_system("bigcommerce", BC_FLOW_STORE)}
              policy_file: policies/bigcommerce-{BC_FLOW_STORE}.yaml
              activities_per_second: {BC_FLOW_ACTIVITIES_PER_SECOND}
            - platform: bigcommerce
              id: {BC_DOCS_STORE}
              api_base_url: {sandbox_url}/bigcommerce
              access_token_env: BIGCOMMERCE_ACCESS_TOKEN
              webhook_secret_env: BIGCOMMERCE_CLIENT_SECRET
              opentext_tenant: {TENANT}
              ecm_ext_system_id: {ecm_system("bigcommerce", BC_DOCS_STORE)}
              policy_file: policies/bigcommerce-{BC_DOCS_STORE}.yaml
            """),
            "  ",
        )
        + textwrap.indent(adobe_entries, "  ")
        + textwrap.dedent(f"""        adobe_io_events:
          client_id: {ADOBE_IO_CLIENT}
          public_key_base_url: {sandbox_url}/adobe-io-events
        event_sources:
          - name: {WAREHOUSE_SOURCE}
            secret_env: CASEBRIDGE_WAREHOUSE_SECRET
            stores: [{SHOP}, {BC_FLOW_STORE}, {ADOBE_STORE}]
          - name: {RETURNS_SOURCE}
            secret_env: CASEBRIDGE_RETURNS_FORM_SECRET
            stores: [{BC_FLOW_STORE}, {ADOBE_STORE}]
        """)
    )
    return directory
