"""The chaos runs' ledger check: every effect once, except customer letters, which are at least once
(Exstream has no idempotency key, README): a second letter is counted apart, a missing one is lost."""

from __future__ import annotations

from sandbox.effects import EffectKind, EffectLedger
from tests.support.chaos import CaseRun, check_ledger
from tests.support.world import SHOP, TENANT_ID


def _run() -> CaseRun:
    run = CaseRun("exception", "fulfillment-exception/shopify/s/1", "shopify", SHOP, "1", {EffectKind.HOLD_PLACED: 1})
    run.letters_about = "#1001"
    return run


def _ledger(holds: int, letters: int) -> EffectLedger:
    ledger = EffectLedger()
    for n in range(holds):
        ledger.record("shopify", SHOP, "1", EffectKind.HOLD_PLACED, f"hold-{n}")
    ledger.record(
        "opentext-workflow", TENANT_ID, "fulfillment-exception/shopify/s/1/warehouse", EffectKind.PROCESS_STARTED
    )
    for _ in range(letters):
        ledger.record("opentext-exstream", TENANT_ID, "#1001", EffectKind.LETTER_SENT, "notice")
    return ledger


def test_a_second_letter_is_counted_not_failed() -> None:
    check = check_ledger(_ledger(holds=1, letters=2), [_run()])
    assert (check.lost, check.duplicated, len(check.duplicate_letters)) == ([], [], 1)


def test_a_missing_letter_is_lost_and_a_second_hold_duplicated() -> None:
    check = check_ledger(_ledger(holds=2, letters=0), [_run()])
    assert len(check.lost) == 1 and "no letter" in check.lost[0]
    assert len(check.duplicated) == 1 and "hold_placed" in check.duplicated[0]
    assert check.duplicate_letters == []
