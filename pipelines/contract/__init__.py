"""The event contract: one schema per stream, shared by the simulator and the ingester."""

from pipelines.contract.streams import (
    ENVELOPE_FIELDS,
    PROVENANCE_FIELDS,
    STREAMS,
    FieldSpec,
    StreamSchema,
    stream,
)

__all__ = ["ENVELOPE_FIELDS", "PROVENANCE_FIELDS", "STREAMS", "FieldSpec", "StreamSchema", "stream"]
