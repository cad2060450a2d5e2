"""Bounds for the values platforms and other senders put in webhook and event bodies.

A signed body can still carry absurd values (a price of `1E+400`, a 5,000-digit id, a quantity of
10^30, a 100,000-character SKU). The body models use these types so such input is refused at the
boundary with a validation error naming the field, instead of overflowing later (Temporal refuses
an infinite `CaseAmount`, `int()` refuses 5,000 digits). The limits are far beyond any real order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

MAX_ID = 2**63 - 1  # the platforms' ids are 64-bit integers
MAX_AMOUNT = Decimal(10) ** 12  # a trillion in any currency: beyond it a value is a bug or an attack
MAX_QUANTITY = 1_000_000
MAX_SKU_LENGTH = 255  # Shopify's, BigCommerce's and Adobe Commerce's SKU limits are all at most this

EntityId = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SKU_LENGTH)]


def _fits_an_id(value: str) -> str:
    if int(value) > MAX_ID:
        raise ValueError(f"must be at most {MAX_ID}")
    return value


# An id sent as text (`"1042"`): digits only, no leading zero, within a 64-bit integer.
NumericId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,18}$"), AfterValidator(_fits_an_id)]


def gid_number(gid: str) -> str:
    """`gid://shopify/Return/123` -> `"123"`."""
    return gid.rsplit("/", 1)[-1]
