"""`python -m bench.sandbox_server --port N --plan unlimited|standard`: the test world's sandbox
in a process of its own, so the bench can tell its CPU from the worker's and the shim's.

`standard` keeps the documented limits (Shopify's cost bucket on the Standard plan, BigCommerce's
request quota); `unlimited` lifts them, so a run measures Casebridge and Temporal, not the platform.
"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from casebridge.logs import configure_logging
from sandbox.app import create_app
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.config import SandboxConfig, ShopConfig
from tests.support.world import sandbox_config

UNLIMITED = 1_000_000


def bench_world(plan: str, generation: int = 0) -> SandboxConfig:
    """`generation`: a restarted sandbox's ids follow the last run's (Temporal remembers the cases)."""
    world = sandbox_config()
    for shop in world.shops:
        shop.generation = generation
    for bigcommerce in world.bigcommerce_stores:
        bigcommerce.generation = generation
    for adobe in world.adobe_stores:
        adobe.generation = generation
    for shop in world.shops:
        if plan == "unlimited":
            shop.bucket_size, shop.restore_rate = float(UNLIMITED), float(UNLIMITED)
        else:  # the Standard plan's bucket, as the simulator's defaults document it
            shop.bucket_size = ShopConfig.model_fields["bucket_size"].default
            shop.restore_rate = ShopConfig.model_fields["restore_rate"].default
    for store in world.bigcommerce_stores:
        documented = BigCommerceStoreConfig.model_fields["rate_limit_quota"].default
        store.rate_limit_quota = UNLIMITED if plan == "unlimited" else documented
    return world


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plan", choices=["unlimited", "standard"], default="unlimited")
    parser.add_argument("--generation", type=int, default=0)
    args = parser.parse_args()
    configure_logging(logging.WARNING)
    uvicorn.run(
        create_app(bench_world(args.plan, args.generation)), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
