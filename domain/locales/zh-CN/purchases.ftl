# Purchases on readers' behalf: proposals, the purchase rules, orders, receiving, the budget,
# the bookstore counter.

## Proposals.

proposal-title-required = 请填写题名
proposal-title-too-long = 题名不能超过 { $max } 个字
proposal-author-too-long = 作者不能超过 { $max } 个字
proposal-publisher-too-long = 出版社不能超过 { $max } 个字
proposal-class-too-long = 分类号不能超过 { $max } 个字符
proposal-note-too-long = 留言不能超过 { $max } 个字
proposal-reason-too-long = 原因不能超过 { $max } 个字
proposal-price-range = 定价应在 0.01 元至 10000 元之间
proposal-year-implausible = 出版年不合理，请核对
proposal-reject-reason-required = 不通过荐购时请说明原因
proposal-cancel-reason-required = 取消荐购时请说明原因
ALREADY_PROPOSED = 您已荐购过这本书，正在处理中，请勿重复荐购

## What the purchase rules say of a proposal (stored with it, in Chinese).

rule-isbn-valid = ISBN-13 有效
rule-price-over-cap = 定价 { $price } 超过单册上限 { $cap }
rule-price-review = 定价 { $price } 较高，需馆员审核
rule-price-within-cap = 定价 { $price } 在上限之内
rule-year-missing = 未提供出版年，需馆员核实
rule-year-too-old = { $year } 年出版，只采购近 { $years } 年出版的图书
rule-year-ok = { $year } 年出版
rule-class-excluded = { $class } 类（教材教辅、考试用书等）不在荐购范围
rule-class-ok = { $class } 类可荐购
rule-class-missing = 分类号不明，需馆员审核
rule-holdings-enough = 馆藏已有 { $copies } 册，请直接预约借阅
rule-holdings-few = 馆藏 { $copies } 册
rule-monthly-count-over = 本月已荐购 { $count } 册，每月最多 { $max } 册
rule-monthly-amount-over = 本月荐购金额将达 { $amount }，每月上限 { $max }
rule-monthly-ok = 本月第 { $count } 册
rule-budget-enough = 本年度购书预算充足
rule-budget-exhausted = 本年度荐购预算已用完
rule-budget-none = 本年度尚未安排荐购预算
rule-duplicate-joined = 已有读者推荐同一本书，采购到馆后按推荐顺序借阅

## The rules' settings (admins, or the rules file).

rules-limit-not-positive = 采购规则中的 { $key } 应为正数
rules-excluded-class-length = 不予荐购的分类号前缀每个应为 1 到 20 个字符
rules-file-invalid = 采购规则文件有误：{ $detail }

## Orders, vendors, statements.

vendor-name-length = 供应商名称应为 1 到 100 个字
order-line-count = 一张订单应包含 1 到 { $max } 条荐购
NOTHING_TO_ORDER = 没有待下单的已通过荐购
NOT_AWAITING_ORDER = 所选荐购中有不在待下单状态的，本次未下单
statement-month-format = 月份格式应为 YYYY-MM，如 2026-01
NOTHING_TO_PAY = 该对账单上已没有待付款的项目

## Receiving and the bookstore counter.

purchase-barcode-length = 条码应为 1 到 40 个字符
purchase-receive-at-bookstore = 荐购图书应在图书馆分馆验收，不能在书店验收
NOT_BOOKSTORE_CLERK = 您不是某一家合作书店的店员，不能办理书店荐购
NO_PARTNER_BRANCH = 这家书店还没有指定合作的图书馆分馆

## The budget.

budget-allocation-invalid = 年度应在 2000 到 2100 之间，金额不能为负数
budget-below-committed = 预算总额不能少于已占用和已支出的金额
fiscal-year-range = 年度应在 2000 到 2100 之间

# vendors' feeds and trusted data
rule-price-unverified = 定价 { $price } 未经书商或馆藏数据核实，需馆员审核
rule-class-unverified = 分类号 { $class } 未经书商或馆藏数据核实，需馆员审核
rule-holdings-other-editions = 馆藏已有此书（含其他版本）{ $copies } 册，请直接预约借阅
offer-feed-too-large = 书目文件不能超过 8 MiB
offer-feed-header-unreadable = 表头读不出：{ $error }
offer-feed-header-columns = 表头须有 isbn、title 和 price 三列
offer-feed-too-many-rows = 一次最多 { $max } 行
offer-row-unreadable = 读不出这一行：{ $error }
offer-record-unreadable = 读不出这条记录：{ $error }
offer-feed-format = 请用 --format csv 或 --format marc 说明书目文件的格式（或使用 .csv、.mrc、.iso 扩展名）
offer-feed-not-utf8 = CSV 书目文件须为 UTF-8 编码
offer-feed-rejected = 第 { $line } 行（条）：{ $reason }
offer-feed-summary = 书目已更新 { $stored } 条，未导入 { $rejected } 条
offer-row-isbn = ISBN「{ $isbn }」无效
offer-row-title = 缺少书名
offer-row-price = 定价「{ $price }」无效，应为 0.01 至 10000 元，如 59.00
offer-row-year = 出版年「{ $year }」无效
offer-row-stock = 库存「{ $stock }」无效，应为不小于 0 的整数
offer-row-too-long = 书名、作者或出版社超过 200 字，或分类号超过 40 个字符
