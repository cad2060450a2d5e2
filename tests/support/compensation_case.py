"""A test-only case that compensates the way a case does when the store cancels its order: it
holds a Shopify order through the store adapter (registering the release as the undo), parks, and
when the store's cancellation (the `order_cancelled` signal every case takes) interrupts the
parking, it runs its saga and ends CANCELLED. `interrupted()` is already true while it compensates,
so a failed undo must park for an operator all the same instead of being cut short."""

from __future__ import annotations

from temporalio import workflow

from workflows.case import CaseInterrupted, CaseWorkflow
from workflows.messages import CaseInput, CaseStatus
from workflows.store.base import HoldReason


class CompensationCaseInput(CaseInput):
    order_id: str
    order_gid: str
    currency: str | None = None


@workflow.defn(name="TestCompensationCase")
class CompensationCase(CaseWorkflow[CompensationCaseInput], case_type="compensation-test"):
    @workflow.init
    def __init__(self, input: CompensationCaseInput) -> None:
        self.init_case(input)
        self.use_store(input, input)

    @workflow.run
    async def run(self, input: CompensationCaseInput) -> str:
        await self.store.hold(HoldReason.OTHER, "compensation test", purpose="test")
        try:
            await self.park("wait for the store", "the test cancels the order in the store")
        except CaseInterrupted:
            compensated = await self.saga.compensate()
            self.set_status(CaseStatus.CANCELLED, f"Cancelled in the store; {compensated.describe()}")
        return self.case_detail
