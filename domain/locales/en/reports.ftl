# Reports and statistics.

stats-from-date = from must be a date like 2026-01-31
stats-to-date = to must be a date like 2026-01-31
stats-period-invalid = the period must end on or after its first day and span at most ten years
stats-dates-out-of-range = dates out of range
figures-month-invalid = invalid month "{ $month }": write it as 2026-03
figures-value-invalid = invalid { $kind } "{ $value }": a whole number from 0 to a trillion
figures-none-given = give at least one figure
figures-network-loans = network loans
figures-visits = visits
figures-year-invalid = the year must be from 2000 to 2100
figures-csv-too-large = the file must not exceed 256 KiB
figures-csv-header = unreadable header: { $error }
figures-csv-columns = the header must name a month column and network_loans or visits
figures-csv-too-many-rows = at most { $max } rows at once
figures-csv-row-unreadable = unreadable row: { $error }
figures-csv-branch = unknown branch code "{ $code }"
stats-period-name = invalid period "{ $period }": write a year 2026, a half 2026-H1, a quarter 2026-Q3 or a month 2026-03
stats-period-either = give either from and to, or a period
