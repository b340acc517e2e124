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
import-csv-no-column = CSV 文件的表头没有「{ $column }」列

## Import rejections: why a record of the file was not imported (the import summary).

import-rejected = 第 { $position } 条记录未导入：{ $reason }
import-rejected-at = 第 { $position } 条记录（文件第 { $offset } 字节处）未导入：{ $reason }
import-rejected-more = ……另有 { $count } 条记录未导入，未逐条列出
import-sync-branch-absent = 文件中没有分馆「{ $branch }」的馆藏，未剔除任何馆藏（请确认文件与 --branch 是否对应）
import-sync-unreadable = 文件中有 { $count } 条记录无法读取，其中的馆藏不明，未剔除任何馆藏
import-sync-summary = 分馆「{ $branch }」：文件中没有的馆藏 { $missing } 册，剔除 { $withdrawn } 册（其中 { $rerouted } 册的借阅申请已另行分配），流通中暂不剔除 { $kept } 册
import-dry-run = 试运行：以下为将会进行的变更，数据库未作任何改动
import-sync-copy = 条码 { $barcode }《{ $title }》：{ $status } → { $outcome }
import-sync-withdrawn = 剔除
import-sync-rerouted = 剔除并为借阅申请另找一册
import-sync-kept = 流通中，暂不剔除
import-sync-more = …… 另有 { $count } 册未列出
import-summary = 读取 { $read } 条记录，新建题名 { $titles_created } 种，更新题名 { $titles_updated } 种，新增馆藏 { $items_created } 册，更新馆藏 { $items_updated } 册，未导入 { $rejected } 条
import-progress = 已读取 { $read } 条记录，未导入 { $rejected } 条
import-progress-eta = 预计剩余
import-no-title = 没有题名
import-isbn-invalid = ISBN「{ $isbn }」有误（{ $why }）
import-copy-unknown-branch = 条码为「{ $barcode }」的馆藏所属分馆代码「{ $code }」不存在
import-copy-incomplete = 每册馆藏都须有条码和索书号
import-barcode-repeated = 条码「{ $barcode }」与本文件第 { $record } 条记录重复
import-write-failed = 写入数据库时出错：{ $detail }
import-too-long = { $what }超过 { $max } 个字
import-too-many-names = 责任者超过 { $max } 个
import-too-many-subjects = 主题词超过 { $max } 个
import-too-many-copies = 馆藏超过 { $max } 册
import-field-title = 题名
import-field-subtitle = 副题名
import-field-publisher = 出版者
import-field-class = 分类号
import-field-summary = 内容提要
import-field-isbn = ISBN 号
import-field-name = 其中一个责任者
import-field-subject = 其中一个主题词
import-field-barcode = 其中一册的条码
import-field-call-number = 其中一册的索书号
import-field-branch-code = 其中一册的分馆代码
import-csv-line = 第 { $line } 行，{ $reason }
import-csv-bad-year = pub_year 列的「{ $value }」不是有效的出版年，应为四位数年份
import-csv-bad-price = price 列的「{ $value }」不是有效的价格，应以元为单位，如 23.00
import-csv-bad-net-lending = net_lending 列的「{ $value }」无法识别，请填「是」或「否」
import-csv-incomplete-copy = 填了条码（barcode）的行须同时填写分馆代码（branch）和索书号（call_number）
import-csv-row-too-long = 这一行超过 { $kib } KiB，文件其余部分不再读取
import-csv-not-utf8 = 这一行含有非 UTF-8 编码的文字，请将文件另存为 UTF-8 编码后再导入
import-csv-unreadable = 这一行无法读取：{ $detail }
import-marc-truncated = 记录不完整：文件只剩 { $bytes } 字节，不足头标区的 24 字节
import-marc-length-not-number = 头标区中的记录长度不是数字
import-marc-length-too-short = 头标区中的记录长度 { $length } 过短
import-marc-length-past-end = 头标区中的记录长度 { $length } 超出了文件的剩余部分（只剩 { $bytes } 字节）
import-marc-no-record-end = 记录没有在头标区所示的长度处结束
import-marc-base-not-number = 头标区中的数据基地址不是数字
import-marc-base-address = 数据基地址 { $base } 没有指向目次区之后
import-marc-directory-length = 目次区长度 { $length } 不是 12 的倍数
import-marc-bad-tag = 目次区中有无效的字段标识符「{ $tag }」
import-marc-field-position = { $tag } 字段在目次区中的长度或起始位置不是数字
import-marc-field-past-end = { $tag } 字段超出了记录末尾
import-marc-field-no-end = { $tag } 字段缺少字段结束符
import-marc-bad-indicators = { $tag } 字段的指示符无效
import-marc-no-title-either = 没有题名（245$a 或 200$a）
import-marc-no-title = 没有题名（{ $field }）
import-marc-invalid-utf8 = 记录标明为 UTF-8 编码，但 { $tag } 字段含有无效的 UTF-8 字节

## Catalogue export (`hongyan export`): the summary and what a file could not carry.

export-progress = 已导出 { $titles } 种题名、{ $copies } 册馆藏
export-summary = 导出题名 { $titles } 种、馆藏 { $copies } 册，共写出 { $records } 条记录，提示 { $warned } 条
export-warning = 第 { $position } 种题名「{ $title }」：{ $reason }
export-warnings-more = ……另有 { $count } 条提示，未逐条列出
export-cannot-write = 无法写入「{ $file }」：{ $detail }
export-year-left-out = 出版年 { $year } 不在导入接受的 { $from }—{ $to } 之间，未导出
export-price-left-out = 价格 { $price } 元是负数，导入不接受，未导出
export-will-be-rejected = { $why }，再次导入时这条记录会被拒绝
export-field-title = 题名或副题名
export-field-control = 控制字段
export-field-copy = 条码为「{ $barcode }」的馆藏
export-marc-field-cut = { $what }超过 MARC 字段 { $max } 字节的上限，已截短
export-marc-field-left-out = { $what }放不进一条 MARC 记录（上限 { $max } 字节），未导出
export-marc-text-changed = { $what }含有 MARC 无法原样保存的换行、控制字符或结尾标点，再次导入时会有出入
export-marc-repeated-names = 责任者有重复，MARC 再次导入时只保留一个
export-marc-repeated-subjects = 主题词有重复，MARC 再次导入时只保留一个

## Net-lending stock.

net-lending-barcode-count = 请给出 1 到 { $max } 个条码
net-lending-class-prefix = 分类号前缀应为 1 到 { $max } 个字母、数字或点，如 I247
