# Reports and statistics.

stats-from-date = 起始日期应形如 2026-01-31
stats-to-date = 截止日期应形如 2026-01-31
stats-period-invalid = 统计期间的截止日期不能早于起始日期，且最长不超过十年
stats-dates-out-of-range = 日期超出可统计的范围
