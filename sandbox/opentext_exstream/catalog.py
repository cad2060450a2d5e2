"""What DAS (the design service) holds for one tenant, built from configuration: domains, resource
versions (communications, communication sets, sample driver files), the links between them and the
communication sets' manifests.

Link direction follows the Postman collection: a communication is the *subject* of a link whose
*object* is its communication set ("linkSubjectId = the communication"), and the set links on to the
sample driver file, so a communication reaches its sample at depth 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.opentext_exstream.config import CommunicationConfig, ExstreamDomainConfig, ExstreamTenantConfig

COMMUNICATION_TYPE = "exstrapplication"
COMMUNICATION_SET_TYPE = "exstrcommunicationset"
SAMPLE_FILE_TYPE = "samplefile"

# Design resources are older than any run of the sandbox; a fixed audit date keeps answers stable.
_PUBLISHED = datetime(2024, 8, 1, 9, 0, tzinfo=UTC).isoformat().replace("+00:00", "Z")
_DESIGNER = "designer@casebridge.example"
_EXTENSION = {"application/pdf": "pdf", "text/html": "html", "text/plain": "txt"}


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    type: str
    version: int = 1
    state: str = "APPROVED"
    subtype: str | None = None
    description: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "type": self.type,
            "subtype": self.subtype,
            "state": self.state,
            "description": self.description,
            "locked": False,
            "createdBy": _DESIGNER,
            "created": _PUBLISHED,
            "modifiedBy": _DESIGNER,
            "modified": _PUBLISHED,
        }


@dataclass(frozen=True)
class Link:
    subject: Resource
    target: Resource

    def as_json(self, depth: int) -> dict[str, object]:
        return {
            "linkSubjectId": self.subject.id,
            "linkObjectId": self.target.id,
            "linkType": "reference",
            "subjectType": self.subject.type,
            "objectType": self.target.type,
            "depth": depth,
        }


@dataclass
class DomainCatalog:
    config: ExstreamDomainConfig
    resources: list[Resource] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @classmethod
    def build(cls, config: ExstreamDomainConfig) -> DomainCatalog:
        catalog = cls(config)
        by_id: dict[str, Resource] = {}

        def add(resource: Resource) -> Resource:
            # Several communications may share one set or sample: keep one resource each.
            if resource.id not in by_id:
                by_id[resource.id] = resource
                catalog.resources.append(resource)
            return by_id[resource.id]

        for communication in config.communications:
            app = add(
                Resource(
                    communication.id,
                    communication.name,
                    COMMUNICATION_TYPE,
                    communication.version,
                    communication.state,
                    description=communication.description,
                )
            )
            comm_set = add(
                Resource(
                    communication.communication_set_id, communication.communication_set_name, COMMUNICATION_SET_TYPE
                )
            )
            sample = add(
                Resource(
                    communication.driver_sample_id, f"{communication.prod_dsn}.json", SAMPLE_FILE_TYPE, subtype="driver"
                )
            )
            for link in (Link(app, comm_set), Link(comm_set, sample)):
                if link not in catalog.links:
                    catalog.links.append(link)
        return catalog

    def communication(self, communication_id: str) -> CommunicationConfig | None:
        return next((c for c in self.config.communications if c.id == communication_id), None)

    def resources_matching(self, types: set[str], states: set[str]) -> list[Resource]:
        # One version per resource here, so `latestVersion` changes nothing: each is its latest.
        return [r for r in self.resources if (not types or r.type in types) and (not states or r.state in states)]

    def links_from(self, subject_id: str, max_depth: int) -> list[tuple[Link, int]]:
        """Links reachable from `subject_id` following subject -> object, with their depth."""
        found: list[tuple[Link, int]] = []
        frontier = {subject_id}
        seen: set[str] = set()
        for depth in range(1, max_depth + 1):
            step = [link for link in self.links if link.subject.id in frontier]
            found += [(link, depth) for link in step]
            seen |= frontier
            frontier = {link.target.id for link in step} - seen
            if not frontier:
                break
        return found

    def links_to(self, object_id: str, max_depth: int) -> list[tuple[Link, int]]:
        """Links reaching `object_id` following object -> subject, with their depth."""
        found: list[tuple[Link, int]] = []
        frontier = {object_id}
        seen: set[str] = set()
        for depth in range(1, max_depth + 1):
            step = [link for link in self.links if link.target.id in frontier]
            found += [(link, depth) for link in step]
            seen |= frontier
            frontier = {link.subject.id for link in step} - seen
            if not frontier:
                break
        return found

    def manifest(self, communication_set_id: str) -> dict[str, object] | None:
        members = [c for c in self.config.communications if c.communication_set_id == communication_set_id]
        if not members:
            return None
        dsns: dict[str, dict[str, object]] = {}
        queues: dict[str, dict[str, object]] = {}
        for communication in members:
            dsns.setdefault(
                communication.prod_dsn,
                {
                    "name": communication.prod_dsn,
                    "prodDsn": communication.prod_dsn,
                    "resourceId": communication.driver_sample_id,
                    "type": "DRIVER",
                },
            )
            for queue in communication.queues:
                queues.setdefault(
                    queue.name,
                    {
                        "name": queue.name,
                        "driver": queue.driver,
                        "use": queue.use,
                        "prodFile": f"{queue.name}.{_EXTENSION[queue.mime_type]}",
                    },
                )
        return {
            "id": communication_set_id,
            "name": members[0].communication_set_name,
            "dsnlist": list(dsns.values()),
            "queueList": list(queues.values()),
        }


@dataclass
class TenantCatalog:
    config: ExstreamTenantConfig
    domains: dict[str, DomainCatalog]

    @classmethod
    def build(cls, config: ExstreamTenantConfig) -> TenantCatalog:
        return cls(config, {d.id: DomainCatalog.build(d) for d in config.domains})
