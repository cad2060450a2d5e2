"""A test-only case that compensates the way a case does when the store cancels its order: it
holds a Shopify order (registering the release as the undo), parks, and when the `cancel_in_store`
signal interrupts the parking (as `orders/cancelled` does for an order review), it runs its saga
and ends CANCELLED. `interrupted()` is already true while it compensates, so a failed undo must
park for an operator all the same instead of being cut short."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

from workflows.case import CaseInterrupted, CaseWorkflow
from workflows.messages import CaseStatus
from workflows.store_side import RELEASE_HOLDS, ShopifyOrder


class CompensationCaseInput(BaseModel):
    case_id: str
    store: str
    order_gid: str
    handle: str  # `casebridge-...`: the shim ignores the hold as one of Casebridge's own


@workflow.defn(name="TestCompensationCase")
class CompensationCase(CaseWorkflow):
    case_type = "compensation-test"

    @workflow.init
    def __init__(self, input: CompensationCaseInput) -> None:
        self.init_case(input.case_id)
        self.order = ShopifyOrder(input.store, input.order_gid, input.handle)
        self.cancelled = False

    @workflow.signal
    def cancel_in_store(self) -> None:
        self.cancelled = True
        self.record("order cancelled in store", "by the test", "store")

    def interrupted(self) -> bool:
        return self.cancelled

    @workflow.run
    async def run(self, input: CompensationCaseInput) -> str:
        await self.run_step("hold", lambda: self.order.hold("OTHER", "compensation test"), on_skip=None)
        self.saga.add(RELEASE_HOLDS, self.order.release_holds)
        try:
            await self.park("wait for the store", "the test cancels the order in the store")
        except CaseInterrupted:
            compensated = await self.saga.compensate()
            self.set_status(CaseStatus.CANCELLED, f"Cancelled in the store; {compensated.describe()}")
        return self.case_detail
