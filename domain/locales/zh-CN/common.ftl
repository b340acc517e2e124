# Texts shared by every part of the platform: general errors, things' and states' names.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

not-found = 找不到该{ $what }
wrong-state = 该{ $what }当前为「{ $state }」，不能这样操作
unavailable = 服务暂时不可用，请稍后再试
internal-error = 服务出现内部错误，请稍后再试；如一直出现，请联系图书馆
WRONG_STATE = 当前状态不允许这样操作
IDEMPOTENCY_KEY_IN_USE = 同一请求正在处理中，请稍后再试
IDEMPOTENCY_KEY_REUSED = 这个幂等键已用于另一份不同的请求
idempotency-key-invalid = 幂等键应为 1 到 255 个可打印字符

## Names of things, for "not found" and "wrong state" (`thing-` + the name, spaces as dashes).

thing-address = 地址
thing-book = 图书
thing-branch = 分馆
thing-budget = 年度预算
thing-category = 读者类型
thing-compartment = 格口
thing-copy = 馆藏册
thing-dead-job = 失败任务
thing-dead-notification = 未送达通知
thing-notification = 通知
thing-delivery-round = 配送车次
thing-endpoint = 接口地址
thing-job = 后台任务
thing-loan = 借阅记录
thing-locker = 智能书柜
thing-parcel = 包裹
thing-pick-task = 拣书任务
thing-proposal = 荐购
thing-reader = 读者
thing-request = 借阅申请
thing-return-for-this-compartment = 该格口的还书记录
thing-return = 还书记录
thing-shipment = 运单
thing-staff-account = 馆员账号
thing-vendor = 供应商
thing-waybill = 运单号

## Names of states, as clients see them in `extensions.currentState`.

state-PENDING = 待处理
state-WAITLISTED = 排队等候
state-ROUTED = 已分配馆藏
state-PICKED = 已取书
state-IN_TRANSIT = 运送中
state-READY_FOR_PICKUP = 待取书
state-FULFILLED = 已借出
state-CANCELLED = 已取消
state-EXPIRED = 已过期
state-FAILED = 未能完成
state-ACTIVE = 有效
state-RETURNED = 已归还
state-LOST = 已丢失
state-CLOSED = 已注销
state-SUBMITTED = 已提交
state-APPROVED = 已通过
state-REJECTED = 未通过
state-JOINED = 已入藏
state-ORDERED = 已下单
state-RECEIVED = 已到馆
state-LOANED = 已借给荐购读者
state-OPEN = 待处理
state-NOT_ON_SHELF = 架上未找到
state-STARTED = 已出发
state-COMPLETED = 已完成
state-AVAILABLE = 在架
state-RESERVED = 已预留
state-ON_HOLD = 保留待取
state-ON_LOAN = 借出
state-MISSING = 丢失
state-WITHDRAWN = 已剔除
state-DROPPED = 已投入书柜
state-CREATED = 已创建
state-DELIVERED = 已送达
state-SENT = 已发送
state-UNDELIVERABLE = 无法送达
state-DEAD = 已失败
state-FREE = 空闲
state-OCCUPIED = 有书
state-FAULT = 故障
state-QUEUED = 排队中

## Names of delivery methods (`method-` + the method).

method-LOCKER = 智能书柜
method-BRANCH = 到馆自取
method-HOME = 快递到家
