"""The event contract: one schema per stream, shared by the simulator and the ingester."""

from pipelines.contract.streams import (
    ACCOUNT_ATTRIBUTES,
    ENVELOPE_FIELDS,
    PROVENANCE_FIELDS,
    STREAMS,
    FieldSpec,
    StreamSchema,
    stream,
)

__all__ = [
    "ACCOUNT_ATTRIBUTES",
    "ENVELOPE_FIELDS",
    "PROVENANCE_FIELDS",
    "STREAMS",
    "FieldSpec",
    "StreamSchema",
    "stream",
]
