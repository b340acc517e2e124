# Reports and statistics.

stats-from-date = from must be a date like 2026-01-31
stats-to-date = to must be a date like 2026-01-31
stats-period-invalid = the period must end on or after its first day and span at most ten years
stats-dates-out-of-range = dates out of range
