# Dispatch: smart lockers and their controllers, delivery rounds, home delivery by courier, returns, branches, and the request history notes they write.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Lockers

locker-compartments-format = 格口规格应形如 S:12,M:8,L:4，收到的是「{ $spec }」
locker-compartments-count = 一台书柜应有 1 到 500 个格口
locker-code-length = 书柜编号应为 1 到 64 个字符
LOCKER_CODE_TAKEN = 书柜编号 { $code } 已被使用
locker-unknown-token = 无法识别的书柜设备令牌
locker-event-id-length = 事件编号应为 1 到 100 个字符
locker-event-needs-parcel = 这类事件需要注明包裹（图书条码）
locker-too-many-wrong-codes = 取书码或还书码输错次数太多，请稍后再试
LOCKER_FULL = 这台书柜暂时没有空格口，请换一台书柜或到分馆还书

## Home delivery

dispatch-received-by-too-long = 签收人不能超过 { $max } 个字
dispatch-failure-reason-missing = 请填写未能送达的原因
dispatch-failure-reason-too-long = 原因不能超过 { $max } 个字
COURIER_TRACKS = 这件包裹由快递公司承运，送达与否以快递公司的回传为准
NOT_SHIPPED = 运单还在生成，请稍后再试
ALREADY_ENDED = 这件包裹已经结束（已送达或已退回）
courier-webhook-unsigned = 快递公司的回调必须带签名，并在 5 分钟内发出
courier-webhook-malformed = 不是有效的物流跟踪事件：{ $detail }
dispatch-courier-undelivered = 快递未能送达
dispatch-courier-undelivered-long = 快递未能送达（原因过长，见快递公司记录）

## Branches

branch-code-and-name = 分馆需要编号（1 到 32 个字符）和名称
BRANCH_CODE_TAKEN = 分馆编号 { $code } 已被使用
branch-partner-not-bookstore = 只有合作书店需要指定合作分馆
branch-partner-is-bookstore = 合作分馆应是图书馆的分馆

## Request history: what the reader is told with each step of their request (stored as written).

history-on-way-to-locker = 图书正在送往「{ $locker }」
history-in-locker = 图书已放入「{ $locker }」的 { $door } 号格口，请凭取书码取书
history-picked-up-at-locker = 已从书柜取书
history-door-fault = 「{ $locker }」的 { $door } 号格口故障，正在另行安排
history-locker-full-rerouted = 「{ $wanted }」没有空格口，图书改送至「{ $instead }」
history-locker-offline-rerouted = 「{ $wanted }」暂时离线，图书改送至「{ $instead }」
history-locker-full-hold-shelf = 「{ $wanted }」及附近的书柜都没有空格口，图书改放在分馆的预约书架上
history-locker-offline-hold-shelf = 「{ $wanted }」暂时离线，附近的书柜也没有空格口，图书改放在分馆的预约书架上
history-shipped = 已交快递寄出（{ $courier }），运单号 { $waybill }
history-shipped-by-staff = 由图书馆工作人员送书上门，单号 { $waybill }
history-delivered = 已送达
history-delivered-to = 已送达，签收人：{ $name }
