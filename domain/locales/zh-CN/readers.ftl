# Readers and sign-in: logins, tokens, roles, passwords, request limits, readers' accounts and cards, registration, merging, addresses, people, notification settings.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Roles and sign-in

READERS_ONLY = 此功能仅供读者使用
STAFF_ONLY = 此功能仅供馆员使用
STAFF_ROLE_REQUIRED = 您的馆员岗位没有此操作的权限
NOT_YOUR_BRANCH = 该分馆不在您的管理范围内
ACCOUNT_CLOSED = 已注销的账户不能再合并
OWN_ROLE = 不能修改自己的角色
OWN_ACCOUNT = 不能停用自己的账户
WECHAT_HIGH_RISK = 微信判定该账号存在安全风险，拒绝了这次登录
session-account-closed = 该账户已停用或已合并，请重新登录
login-failed = 账号或密码不正确
login-locked = 登录失败次数过多，请稍后再试，或请馆员解锁账户
staff-account-disabled = 该馆员账号已停用
refresh-token-invalid = 登录凭证无效，请重新登录
refresh-token-reused = 登录凭证已被使用过，为了账户安全，请重新登录
refresh-token-expired = 登录已过期，请重新登录
refresh-token-used = 登录凭证已被使用，请重新登录
access-token-expired = 登录已过期，请重新登录
access-token-invalid = 登录凭证无效，请重新登录
wechat-login-code-format = 微信登录凭证格式不正确
wechat-login-unconfigured = 本馆尚未开通微信登录（需配置 HONGYAN_WECHAT_APPID 和 HONGYAN_WECHAT_SECRET）
wechat-login-code-invalid = 微信登录凭证无效或已使用，请重新登录
wechat-login-throttled = 微信登录过于频繁，请稍后再试
wechat-official-account-missing = 本馆未配置微信公众号

## Passwords

password-too-short = 密码至少 { $min } 个字符（不计首尾空格）
password-has-username = 密码不能包含用户名
password-too-weak = 密码太常见或太容易猜到，请换一个更长、更不规则的密码

## Request limits

rate-limit-client = 来自该网络地址的请求过多（每分钟最多 { $max } 次），请稍后再试
rate-limit-reader = 您的请求过多（每分钟最多 { $max } 次），请稍后再试

## Readers' accounts and cards

ID_NUMBER_TAKEN = 该身份证号已办理读者证（{ $card }）；忘记密码请到馆办理
HAS_CARD = 您的账户已有读者证，无需再办理或绑定
CARD_REQUIRED = 该账户还没有读者证；借阅前请绑定已有的读者证，或在线办证
STAFF_CANNOT_APPLY = 读者本人在线办证；馆员请在借还台办理
CARD_BOUND_ELSEWHERE = 这张读者证已绑定另一个微信账号，请到馆解除后再绑定
DIFFERENT_PEOPLE = 两个账户登记的身份证号不同，不是同一个人
WECHAT_CLASH = 两个账户绑定了不同的微信，合并会丢失其中一个；请先请读者解除一个绑定
WECHAT_SNAPSHOT = 请点击页面下方「使用完整服务」后再登录
WECHAT_CODE_INVALID = 微信授权已失效或已使用，请重新进入页面
CARD_NUMBER_TAKEN = 这个读者证号已有读者使用
USERNAME_TAKEN = 用户名「{ $username }」已被使用
reader-account-gone = 该读者账户已不存在，请重新登录
reader-name-length = 姓名应为 1–64 个字
card-number-format = 读者证号应为 4–32 位字母或数字
pin-format = 密码应为 4–12 位数字
register-pin-required = 请设置 4–12 位数字密码，用于读者证登录
register-branch-unknown = 请选择本馆的一个分馆
merge-same-account = 不能把账户合并到它自己
id-number-length = 身份证号应为 18 位
id-number-characters = 身份证号前 17 位应为数字，最后一位为数字或 X
id-number-region-or-birth = 身份证号中的地区或出生日期不正确
id-number-check-character = 身份证号校验位不正确，请核对

## Staff accounts

staff-username-format = 用户名应为 3–64 个字母、数字或「.」「_」「-」
staff-branch-required = 除管理员外，至少要选一个分馆

## Readers at the desk: search, categories, blocks and limits

reader-search-first-range = 每页条数应为 1 到 { $max }
reader-search-empty = 请输入读者证号、手机号或姓名
reader-search-too-long = 查询内容最多 50 个字
category-code-format = 代码应为 1 到 20 个字母、数字或下划线
category-name-length = 名称应为 1 到 40 个字
category-limit-range = 应在 { $min } 到 { $max } 之间
category-import-too-large = 文件不能超过 1 MiB
category-import-header-unreadable = 表头读不出：{ $error }
category-import-header-columns = 表头须有 card_number 和 category 两列
category-import-too-many-rows = 一次最多 { $max } 行
block-reason-required = 停借需要填写原因
block-reason-too-long = 原因最多 { $max } 个字
reader-limit-range = 限额应为 0 到 { $max }

## Delivery addresses

ADDRESS_IN_USE = 有借阅申请正在配送到这个地址，待该申请结束后才能删除
phone-format = 手机号应为 11 位数字
address-label-length = 地址名称应为 1–{ $max } 个字
address-recipient-length = 收件人应为 1–{ $max } 个字
address-street-length = 详细地址应为 1–{ $max } 个字
address-position-range = 经纬度超出范围
address-quota = 最多保存 { $max } 个地址

## Notification settings

email-invalid = 电子邮箱地址格式不正确
notify-channel-twice = 同一种通知方式不能重复选择
notify-kind-unknown = 没有「{ $kind }」这种通知
notify-kind-essential = 「{ $kind }」通知告诉您到哪里取书，不能关闭
