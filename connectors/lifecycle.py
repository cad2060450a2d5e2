"""`async with client: ...` for every connector: the block's end closes the client's connections."""

from __future__ import annotations

from typing import Self


class Closing:
    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
