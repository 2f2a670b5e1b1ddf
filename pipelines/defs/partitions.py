"""Partitions: landing data is partitioned by arrival day (the batch), not by event day."""

import dagster as dg

# The earliest arrival day the pipeline can load; later days appear as the calendar moves on.
FIRST_ARRIVAL_DAY = "2020-01-01"

arrival_days = dg.DailyPartitionsDefinition(start_date=FIRST_ARRIVAL_DAY, end_offset=1, timezone="UTC")
