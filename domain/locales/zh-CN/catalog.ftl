# The catalogue: ISBNs, call numbers, search, imports, net-lending stock.

isbn13-digits = ISBN-13 只能由数字组成
isbn13-prefix = ISBN-13 应以 978 或 979 开头
isbn-check-digit = ISBN 校验位不正确，请核对
isbn10-digits = ISBN-10 应由数字组成（最后一位可为 X）
isbn-length = ISBN 应为 10 位或 13 位

## Search.

search-empty = 请输入题名、作者或 ISBN 进行检索
search-too-long = 检索词最多 { $max } 个字
search-class-filter = 分类号筛选应形如 I247 或 TP3
search-years-reversed = 起始出版年不能晚于截止出版年
search-page-size = 每页 1 到 { $max } 条结果
search-too-deep = 只能翻看前 { $max } 条结果，请缩小检索范围

## Call numbers.

call-number-invalid = 「{ $text }」不是有效的中图法索书号，索书号应形如 I247.5/123

## Imports (MARC, CSV).

import-unknown-branch = 分馆代码「{ $code }」不存在
import-marc-flavour = 不支持的 MARC 格式「{ $flavour }」，请选择 marc21 或 cnmarc
import-csv-header = 无法读取 CSV 文件的表头：{ $detail }
import-csv-no-title = CSV 文件的表头须有 title 列（题名）

## Net-lending stock.

net-lending-barcode-count = 请给出 1 到 { $max } 个条码
net-lending-class-prefix = 分类号前缀应为 1 到 { $max } 个字母、数字或点，如 I247
