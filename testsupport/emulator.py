"""A local Snowflake emulator for tests: fakesnow's server, driven by the real
connector, with one correction.

fakesnow (0.12.1, and 0.11.x with DuckDB 1.5 alike) encodes TIMESTAMP columns as Snowflake's
{epoch, fraction} Arrow struct without a validity bitmap: the NULLs stay on the child arrays, the
struct itself says "not null", and the connector reads epoch 0 — a NULL end_ts arrives as
1970-01-01. The DuckDB version is not the cause (the Arrow data DuckDB returns has the NULLs); the
struct building is. `fix_null_timestamps()` rebuilds the struct with the column's null mask, and
leaves fakesnow alone once it does that itself.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import fakesnow
import pyarrow as pa
import pyarrow.compute as pc

# fakesnow.server() runs `import fakesnow.server`, after which the name is the submodule: keep the
# function so a second emulator in the same process can still start.
_start_server = fakesnow.server


def fix_null_timestamps() -> None:
    from fakesnow import arrow

    original = arrow.timestamp_to_sf_struct
    if getattr(original, "keeps_nulls", False):
        return

    def timestamp_to_sf_struct(ts: pa.Array | pa.ChunkedArray) -> pa.Array:
        struct = original(ts)
        if isinstance(ts, pa.ChunkedArray):
            ts = ts.combine_chunks()
        if ts.null_count == 0 or struct.null_count == ts.null_count:
            return struct
        children = [pc.fill_null(struct.field(i), 0) for i in range(struct.type.num_fields)]
        return pa.StructArray.from_arrays(children, fields=list(struct.type), mask=ts.is_null())

    timestamp_to_sf_struct.keeps_nulls = True
    arrow.timestamp_to_sf_struct = timestamp_to_sf_struct


@contextmanager
def serve() -> Iterator[dict]:
    """Start fakesnow's server in this process; yields connect() kwargs (host, port, protocol,
    user, password...)."""
    fix_null_timestamps()
    with _start_server() as kwargs:
        yield kwargs
