"""What a designer publishes in DAS, as configuration models: communications with their output queues,
and for customer communications the brands, languages and document layout the design knows.

A communication stands for the communication resource (its id is the `communicationId`), its
communication set, the set's driver data source (`prodDsn`, the `driverDataSource` header) and output
queues, the driver fields the design needs, and the text its documents print.

A *customer communication* (one with a `CustomerDesign`) is driven by the common envelope (document,
brand, language, currency, channel, recipient, store; see `sandbox.opentext_exstream.envelope`):
the brand and language select the design's texts, the channel selects which delivery queue runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

# Mime types the simulator can render, and the DAS queue `driver` that produces each.
RENDERABLE_MIME_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "text/html": "HTML",
    "text/plain": "TEXT",
}

# ASSUMPTION: the queue `use` values of a customer communication set. ARCHIVE always runs (the copy
# for filing); of the delivery queues only the one the driver's `channel` names runs.
ARCHIVE_USE = "ARCHIVE"
CHANNEL_QUEUE_USES: dict[str, str] = {"email": "EMAIL", "print": "PRINT", "web": "WEB"}


class OutputQueueConfig(BaseModel):
    name: str
    mime_type: Literal["application/pdf", "text/html", "text/plain"]
    use: str = ARCHIVE_USE  # the manifest's `use` (e.g. ARCHIVE, EMAIL, PRINT, WEB)

    @property
    def driver(self) -> str:
        return RENDERABLE_MIME_TYPES[self.mime_type]


class RepeatBlock(BaseModel):
    """Lines printed once per item of the driver list at `each` (looked up in the current item
    first, then outward to the driver's root); blocks nest."""

    each: str
    lines: list[BodyLine]


class WhenBlock(BaseModel):
    """Lines printed when the driver value at `field` is present (not null, not an empty string or
    list), else the `otherwise` lines: how a design words a fact the driver may not know yet (a
    nullable field). ASSUMPTION: a design's conditional section on one field, as its rules allow."""

    field: str
    lines: list[BodyLine]
    otherwise: list[BodyLine] = Field(default_factory=list)


# A line of a document's body: text with `{path}` placeholders, or a block of lines.
BodyLine = str | RepeatBlock | WhenBlock
RepeatBlock.model_rebuild()
WhenBlock.model_rebuild()


class CustomerDesign(BaseModel):
    """The layout of a customer communication. `sample_driver` is the sample file registered in DAS:
    a driver must have its every key with a value of the same JSON type (a decimal string such as
    "49.90" marks an amount: a number or a decimal string); paths in `nullable` may also be null, and
    list items follow the sample's first item."""

    sample_driver: dict[str, object]
    nullable: list[str] = Field(default_factory=list)
    body: list[BodyLine] = Field(default_factory=list)
    # Batch only: records sharing the value at this path become one document (e.g. `company.id`),
    # their lines grouped by `group_by` (each a path of the record) into `sections`.
    consolidate_by: str | None = None
    group_by: list[str] = Field(default_factory=list)
    line_field: str | None = None  # the record field that becomes one line of its section
    amount_field: str | None = None  # the line's amount, summed into `subtotal` and `total`


class LanguageTexts(BaseModel):
    """The texts a brand's design holds for one language; `{path}` takes driver values."""

    greeting: str
    closing: str
    legal_footer: str


class BrandConfig(BaseModel):
    id: str  # the driver's `brand`
    display_name: str
    languages: dict[str, LanguageTexts] = Field(min_length=1)  # BCP 47 tags the design has texts for


class CommunicationConfig(BaseModel):
    id: str  # the DAS resource id = `communicationId`
    name: str
    version: int = 1
    state: Literal["DRAFT", "REVIEW", "APPROVED", "REJECTED"] = "APPROVED"
    description: str = ""
    communication_set_id: str
    communication_set_name: str
    prod_dsn: str  # the driver data source's production name: the `driverDataSource` to send
    driver_sample_id: str  # the sample driver file the data source is built from
    required_fields: list[str] = Field(default_factory=list)  # dotted paths into the driver JSON
    queues: list[OutputQueueConfig] = Field(min_length=1)
    title: str | None = None  # the document heading; defaults to the name
    # Lines of the document; `{field.path}` is replaced by the driver value (in a `RepeatBlock`, the
    # current item's first). Without lines, every scalar driver value is printed as `path: value`.
    body_lines: list[BodyLine] = Field(default_factory=list)
    customer_design: CustomerDesign | None = None

    @model_validator(mode="after")
    def _distinct_queue_names(self) -> CommunicationConfig:
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError(f"communication {self.name!r} has duplicate queue names")
        if self.customer_design is not None:
            uses = {q.use for q in self.queues}
            lacking = {ARCHIVE_USE, *CHANNEL_QUEUE_USES.values()} - uses
            if lacking:
                raise ValueError(f"customer communication {self.name!r} lacks queues for {sorted(lacking)}")
        return self

    def queue_for_use(self, use: str) -> OutputQueueConfig:
        return next(q for q in self.queues if q.use == use)

    @property
    def archive_only(self) -> bool:
        """A document for filing: every queue of its set is an archive queue, so a generation
        delivers nothing to anyone. ASSUMPTION: delivery is the design's output queues' doing."""
        return all(q.use == ARCHIVE_USE for q in self.queues)
