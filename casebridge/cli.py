"""The `casebridge` command: connect stores to a deployment, and play the demo.

  casebridge stores check                 every store and OpenText tenant answers with its credentials
  casebridge webhooks sync [STORE]        subscribe the shim to the topics each store's policy routes
  casebridge search-attributes register   the case search attributes on the namespace (Cloud: tcld)
  casebridge cases summary [--store S]    open cases by type, status, team; overdue; longest parked
  casebridge policy what-if STORE NEW_POLICY.yaml [--since 30d]
                                          the store's past cases replayed through a changed policy
  casebridge feeds start                  each tenant's Exstream delivery outcome feed
  casebridge schedules apply              the periodic jobs' Temporal Schedules, as configured
  casebridge demo                         the demo scenario against the local stack (`make demo`)

Settings come from the environment and `.env`, as for the worker and the shim. Exit code 0 when
everything is in place, 1 naming what is not.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from casebridge.archive_backfill import backfill_input, day_start, progress_line, start_backfill, wait_for
from casebridge.case_summary import summarize
from casebridge.connections import Connections
from casebridge.logs import configure_logging
from casebridge.namespace import (
    SearchAttributeConflict,
    is_temporal_cloud,
    register_search_attributes,
    tcld_command,
)
from casebridge.payload_codec import PayloadKeysError
from casebridge.policy_what_if import (
    WhatIfError,
    find_store,
    load_policies,
    parse_since,
    read_past_cases,
    render,
)
from casebridge.scheduled_jobs import planned_schedules
from casebridge.schedules import apply_schedules, unplanned_schedules
from casebridge.settings import Settings, get_settings
from casebridge.store_check import check_stores
from casebridge.stores import RegistryLookupError, load_registry
from casebridge.temporal import TemporalConfigError, connect, connect_config
from casebridge.webhook_sync import StoreSync, sync_webhooks
from routing.what_if import what_if
from workflows.delivery_outcomes import DeliveryOutcomeFeed, FeedInput, feed_id, feed_search_attributes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebridge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    stores = commands.add_parser("stores", help="the store registry (config/stores.yaml)")
    stores.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "check", help="resolve every secret and call each store and OpenText tenant once"
    )
    webhooks = commands.add_parser("webhooks", help="the stores' webhook subscriptions to the shim")
    sync = webhooks.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "sync", help="subscribe the shim to what each store's policy routes (idempotent)"
    )
    sync.add_argument("store", nargs="?", help="only this store (its id: shop domain, store hash, store code)")
    attributes = commands.add_parser("search-attributes", help="the case search attributes of the namespace")
    attributes.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "register", help="register them (self-hosted) or print the tcld command (Temporal Cloud)"
    )
    cases = commands.add_parser("cases", help="the cases in Temporal, as operators see them")
    summary = cases.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "summary", help="open cases by type, status and team; overdue; the longest parked"
    )
    summary.add_argument("--store", help="only this store's cases")
    summary.add_argument("--limit", type=int, default=10_000, help="open cases read for the team breakdown")
    summary.add_argument("--oldest", type=int, default=5, help="how many parked cases to list")
    policy = commands.add_parser("policy", help="a store's routing policy (config/policies/)")
    whatif = policy.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "what-if",
        help="replay the store's past cases through a changed policy: cases opened, decided, routed per team",
    )
    whatif.add_argument("store", help="the store's id (shop domain, store hash, store code)")
    whatif.add_argument("new_policy", type=Path, help="the changed policy file (YAML, as in config/policies/)")
    whatif.add_argument("--since", default="30d", help="cases started within this period: 30d (default), 12h, 2w, P30D")
    archive = commands.add_parser("archive", help="the transaction archive in Extended ECM")
    backfill = archive.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "backfill",
        help="archive every order a store created in a date range into its ECM workspace (resumable, safe to rerun)",
    )
    backfill.add_argument("store", help="the store's id (shop domain, store hash, store code)")
    backfill.add_argument("--from", dest="created_from", required=True, help="first day (YYYY-MM-DD, UTC) or timestamp")
    backfill.add_argument(
        "--to", dest="created_to", required=True, help="end, exclusive (YYYY-MM-DD, UTC) or timestamp"
    )
    backfill.add_argument("--page-size", type=int, default=50, help="orders read per page (1-250)")
    backfill.add_argument("--wait", action="store_true", help="print progress until the job ends")
    feeds = commands.add_parser("feeds", help="the jobs that carry OpenText's events back to the stores")
    feeds.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "start", help="start each tenant's Exstream delivery outcome feed (idempotent: a running one is kept)"
    )
    schedules = commands.add_parser("schedules", help="the periodic jobs, as Temporal Schedules")
    schedules.add_subparsers(dest="action", required=True, metavar="ACTION").add_parser(
        "apply", help="create or update every planned schedule (an operator's pause is kept; nothing is deleted)"
    )
    commands.add_parser("demo", help="play the demo scenario against the local stack")
    return parser


async def execute(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command; the exit code."""
    args = build_parser().parse_args(argv)
    settings = settings or get_settings()
    if args.command == "stores":
        return await stores_check(settings)
    if args.command == "webhooks":
        return await webhooks_sync(settings, args.store)
    if args.command == "search-attributes":
        return await search_attributes_register(settings)
    if args.command == "cases":
        return await cases_summary(settings, store=args.store, limit=args.limit, oldest=args.oldest)
    if args.command == "policy":
        return await policy_what_if(settings, args.store, args.new_policy, args.since)
    if args.command == "archive":
        return await archive_backfill(settings, args)
    if args.command == "feeds":
        return await feeds_start(settings)
    if args.command == "schedules":
        return await schedules_apply(settings)
    from starter import demo  # the demo's scenarios are only loaded for it

    try:
        await demo(settings)
    except PayloadKeysError as err:
        print(f"demo not started: {err}", file=sys.stderr)
        return 1
    return 0


async def stores_check(settings: Settings) -> int:
    report = await check_stores(settings.config_dir)
    for check in report.checks:
        print(check.line())
    if not report.ok:
        print(f"stores check failed: {report.summary()}", file=sys.stderr)
        return 1
    print(f"stores check: {report.summary()}")
    return 0


async def webhooks_sync(settings: Settings, store_id: str | None) -> int:
    try:
        registry = load_registry(settings.config_dir)
    except (OSError, ValueError, yaml.YAMLError) as err:  # no file, bad YAML, an unset ${VAR}, invalid entries
        print(f"webhooks sync failed: cannot load {settings.config_dir / 'stores.yaml'}: {err}", file=sys.stderr)
        return 1
    connections = Connections(registry)
    try:
        results = await sync_webhooks(settings, registry, connections, store_id)
    except RegistryLookupError as err:
        print(f"webhooks sync failed: {err}", file=sys.stderr)
        return 1
    finally:
        await connections.aclose()
    for result in results:
        print_sync(result)
    failed = [r for r in results if not r.ok]
    created = sum(len(r.changed) for r in results)
    present = sum(len(r.topics) for r in results) - created
    print(f"webhooks sync: {created} subscriptions made, {present} already there")
    if failed:
        reasons = "; ".join(f"{r.platform.value} {r.store}: {r.problem or r.manual}" for r in failed)
        print(f"webhooks sync incomplete: {reasons}", file=sys.stderr)
        return 1
    return 0


def print_sync(result: StoreSync) -> None:
    routes = f" ({', '.join(result.case_types)})" if result.case_types else ""
    print(f"{result.platform.value} {result.store} -> {result.url}{routes}")
    for topic in result.topics:
        print(f"  {topic.change.value:<12}{topic.topic}")
    if result.skipped:
        print(f"  skipped     {result.skipped}")
    if result.problem:
        print(f"  FAILED      {result.problem}")
    if result.manual:
        print(f"  TO DO       {result.manual}")


async def search_attributes_register(settings: Settings) -> int:
    try:
        config = connect_config(settings)
    except TemporalConfigError as err:
        print(f"search-attributes register failed: {err}", file=sys.stderr)
        return 1
    namespace = config["namespace"]
    if is_temporal_cloud(settings):
        print(f"{config['target_host']} is Temporal Cloud: add the search attributes with tcld (once):")
        print(tcld_command(namespace))
        return 0
    try:
        client = await connect(settings)
        registered = await register_search_attributes(client, namespace)
    except SearchAttributeConflict as err:
        print(f"search-attributes register failed: {err}", file=sys.stderr)
        return 1
    except PayloadKeysError as err:
        print(f"search-attributes register failed: {err}", file=sys.stderr)
        return 1
    except (RuntimeError, RPCError) as err:  # connection refused, namespace unknown, no permission
        print(f"search-attributes register failed on {config['target_host']}: {err}", file=sys.stderr)
        return 1
    if registered.added:
        print(f"namespace {namespace}: registered {', '.join(registered.added)}")
    if registered.present:
        print(f"namespace {namespace}: already registered {', '.join(registered.present)}")
    return 0


async def cases_summary(settings: Settings, *, store: str | None, limit: int, oldest: int) -> int:
    try:
        client = await connect(settings)
        summary = await summarize(client, store=store, limit=limit, oldest=oldest)
    except (TemporalConfigError, PayloadKeysError, RuntimeError, RPCError) as err:
        print(f"cases summary failed: {err}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


async def policy_what_if(settings: Settings, store_id: str, new_file: Path, since: str) -> int:
    """Everything is checked (store, both policies, the period) before Temporal is asked."""
    registry_path = settings.config_dir / "stores.yaml"
    try:
        period = parse_since(since)
        registry = load_registry(settings.config_dir)
        store = find_store(registry, store_id, registry_path)
        current, new = load_policies(settings.config_dir, store, new_file)
    # A bad period, the registry (no file, bad YAML, an unset ${VAR}), an unknown store, an invalid policy.
    except (WhatIfError, RegistryLookupError, OSError, ValueError, yaml.YAMLError) as err:
        print(f"policy what-if failed: {err}", file=sys.stderr)
        return 1
    started_after = datetime.now(UTC) - period
    try:
        client = await connect(settings)
        past = await read_past_cases(client, store, started_after)
    except (PayloadKeysError, RuntimeError, RPCError) as err:  # no keys, unreachable, namespace unknown, no permission
        print(f"policy what-if failed: cannot read the cases from Temporal: {err}", file=sys.stderr)
        return 1
    assert store.policy_file is not None  # load_policies refuses a store without one
    report = what_if(past.cases, current, new)
    lines = render(
        store,
        past,
        report,
        since=since,
        started_after=started_after,
        current_file=settings.config_dir / store.policy_file,
        new_file=new_file,
    )
    print("\n".join(lines))
    return 0


async def archive_backfill(settings: Settings, args: argparse.Namespace) -> int:
    registry_path = settings.config_dir / "stores.yaml"
    try:
        registry = load_registry(settings.config_dir)
        store = find_store(registry, args.store, registry_path)
        job = backfill_input(
            registry, settings, store, day_start(args.created_from), day_start(args.created_to), args.page_size
        )
    except (RegistryLookupError, OSError, ValueError, yaml.YAMLError) as err:
        print(f"archive backfill failed: {err}", file=sys.stderr)
        return 1
    try:
        client = await connect(settings)
        started = await start_backfill(client, settings, job)
    except (TemporalConfigError, PayloadKeysError, RuntimeError, RPCError) as err:
        print(f"archive backfill failed: {err}", file=sys.stderr)
        return 1
    workflow_id = started.handle.id
    print(f"{'already running' if started.already_running else 'started'}: {workflow_id}")
    print(f"progress: temporal workflow query --workflow-id '{workflow_id}' --type status")
    if not args.wait:
        return 0
    result = await wait_for(client, workflow_id)
    print(progress_line(result.progress))
    for failed in result.progress.failed:
        print(f"  failed {failed.order_name} ({failed.order_id}): {failed.reason}")
    return 0 if result.complete else 2


async def feeds_start(settings: Settings) -> int:
    try:
        registry = load_registry(settings.config_dir)
        client = await connect(settings)
        for tenant in registry.opentext_tenants:
            if tenant.exstream is None:
                continue
            handle = await client.start_workflow(
                DeliveryOutcomeFeed.run,
                FeedInput(tenant=tenant.name),
                id=feed_id(tenant.name),
                task_queue=settings.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                search_attributes=feed_search_attributes(),
                static_summary=f"Exstream delivery outcomes of tenant {tenant.name} to the stores' customer records",
            )
            print(f"delivery outcome feed of tenant {tenant.name}: {handle.id}")
    except (OSError, ValueError, yaml.YAMLError, TemporalConfigError, PayloadKeysError, RuntimeError, RPCError) as err:
        print(f"feeds start failed: {err}", file=sys.stderr)
        return 1
    return 0


async def schedules_apply(settings: Settings) -> int:
    try:
        jobs = planned_schedules(load_registry(settings.config_dir), settings.config_dir)
        client = await connect(settings)
        for applied in await apply_schedules(client, jobs, settings.task_queue):
            print(f"{applied.change}: {applied.schedule_id}")
        for stale in await unplanned_schedules(client, jobs):
            print(f"no longer planned (delete by hand if meant): temporal schedule delete --schedule-id '{stale}'")
    except (OSError, ValueError, yaml.YAMLError, TemporalConfigError, PayloadKeysError, RuntimeError, RPCError) as err:
        print(f"schedules apply failed: {err}", file=sys.stderr)
        return 1
    print(f"schedules: {len(jobs)} planned")
    return 0


def main() -> None:
    configure_logging(logging.WARNING)  # masks credential headers and known secret values
    exit_now(asyncio.run(execute()))


def exit_now(code: int) -> None:
    """Leave without interpreter finalization: the Temporal client's Rust threads can abort it
    after all work is done (temporalio/sdk-python#300), turning a good run into exit code 134."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
