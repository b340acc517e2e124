# Reports and statistics.

stats-from-date = 起始日期应形如 2026-01-31
stats-to-date = 截止日期应形如 2026-01-31
stats-period-invalid = 统计期间的截止日期不能早于起始日期，且最长不超过十年
stats-dates-out-of-range = 日期超出可统计的范围
figures-month-invalid = 月份「{ $month }」无效，应形如 2026-03
figures-value-invalid = { $kind }「{ $value }」无效，应为 0 至 1 万亿之间的整数
figures-none-given = 请至少填写一项数字
figures-network-loans = 全网借阅量
figures-visits = 到馆人次
figures-year-invalid = 年份应在 2000 至 2100 之间
figures-csv-too-large = 文件不能超过 256 KiB
figures-csv-header = 表头读不出：{ $error }
figures-csv-columns = 表头须有 month（月份）列，以及 network_loans（全网借阅）或 visits（到馆人次）中的至少一列
figures-csv-too-many-rows = 一次最多 { $max } 行
figures-csv-row-unreadable = 读不出这一行：{ $error }
figures-csv-branch = 分馆代码「{ $code }」不存在
stats-period-name = 期间「{ $period }」无效，应形如 2026（全年）、2026-H1（半年）、2026-Q3（季度）或 2026-03（月份）
stats-period-either = 请给出起止日期（from 和 to），或给出一个期间（period），二者选一
