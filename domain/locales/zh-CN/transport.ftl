# What the GraphQL and REST transports say about requests themselves (bodies, tokens, paging).

graphql-invalid = 请求的 GraphQL 文档无效（原因见 extensions.detail）
text-has-nul = 文字中不能含有 NUL（U+0000）字符
apq-hash-mismatch = persistedQuery.sha256Hash 与查询内容不符
apq-not-object = persistedQuery 应为对象
apq-version = 只支持 persistedQuery 第 1 版
apq-hash-format = persistedQuery.sha256Hash 应为 64 位十六进制数
token-expired = 登录已过期，请重新登录
login-first = 请先登录
bearer-format = Authorization 请求头应为「Bearer 令牌」
bearer-missing = 请在 Authorization 请求头中以「Bearer 令牌」的形式发送{ $what }
page-size = first 应在 1 到 { $max } 之间
cursor-invalid = after 不是本列表给出的游标
unlock-which = 请给出读者证号或工作人员用户名之一
return-needs-locker = 还到智能书柜时请选择书柜（lockerId）
return-needs-address = 上门取书时请选择地址（addressId）
delivery-needs-locker = 送到智能书柜时请选择书柜（lockerId）
delivery-needs-branch = 到馆自取时请选择分馆（branchId）
delivery-needs-address = 送书上门时请选择地址（addressId）
delivery-one-place = 只需给出与配送方式对应的那一个地点
home-branch-unknown = 请选择本馆的一个分馆
login-once = 每个请求只能登录一次
too-many-fields = 查询选择了 { $fields } 个字段，超过上限 { $max }（别名与 __typename 均计入）
introspection-staff-only = 架构查询（introspection）仅对已登录的工作人员开放
body-not-json = 请求正文不是 JSON
batch-unsupported = 不支持批量请求，请逐个发送
not-graphql-request = 请求正文不是 GraphQL 请求（应含 query，可含 operationName 与 variables）
body-too-large = 请求正文超过 { $kib } KiB
body-unreadable = 无法读取请求正文
json-has-nul = { $what }中的文字不能含有 NUL（U+0000）字符
json-invalid = { $what }格式不正确：{ $detail }
request-malformed = 请求格式不正确：{ $detail }
websocket-protocol = 请使用 WebSocket 子协议 { $protocol }
too-many-operations = 每个连接最多同时进行 { $max } 项订阅或操作
locker-cursor-invalid = cursor 不是本服务给出的游标
too-many-events = 每批最多 { $max } 个事件

## What a REST body or token is, in the messages above.

thing-device-token = 设备令牌
thing-staff-access-token = 馆员访问令牌
thing-heartbeat-body = 心跳数据
thing-pickup-code = 取书码
thing-return-code = 还书码
thing-events = 事件数据
thing-app-file = 读者应用文件
thing-console-file = 工作台文件
thing-graphiql-file = GraphiQL 文件
