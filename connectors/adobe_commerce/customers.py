"""Adobe Commerce customer groups: what a store calls its VIP, wholesale or retail customers."""

from __future__ import annotations

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.models import CustomerGroup


class AdobeCustomers:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client
        self._groups: dict[int, CustomerGroup] = {}

    async def get_group(self, group_id: int) -> CustomerGroup:
        """The group, cached per client: groups are renamed rarely and every order names one."""
        group = self._groups.get(group_id)
        if group is None:
            group = await self.client.call_as(
                CustomerGroup, "get_customer_group", "GET", f"/V1/customerGroups/{int(group_id)}"
            )
            self._groups[group_id] = group
        return group
