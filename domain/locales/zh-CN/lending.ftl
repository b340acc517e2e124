# Lending: readers' requests and their history notes, who may borrow, loans and renewals, the desk, picking.
# Keys of error reasons are the reasons themselves (see domain/src/error/reason.rs).

## Who may borrow

lending-reader-gone = 该读者账号已不存在
lending-card-required = 借阅需要读者证：请绑定已有的读者证，或在线办证
REGISTRATION_PENDING = 读者证尚待到馆核验身份，核验后即可借阅
BLOCKED = 这张读者证已停借，请联系图书馆
lending-blocked-because = 这张读者证已停借（{ $why }），请联系图书馆
OVERDUE_BOOKS = 您有逾期未还的图书，请先归还再借新书
lending-open-requests-limit = 每位读者最多同时有 { $max } 个未完成的借阅申请
lending-loans-limit = 每位读者在借和在途的图书合计最多 { $max } 册
ALREADY_REQUESTED = 您已经申请过这本书了
ALREADY_ON_LOAN = 这本书您已借阅，尚未归还

## Requests

lending-no-copy-to-lend = 图书馆暂无这本书可供网上借阅的馆藏
lending-bookstore-not-pickup = 合作书店不能作为取书地点，请选择图书馆的分馆
NO_OPEN_PICK_TASK = 该申请已没有待拣的任务（可能刚被拣出或已取消）

## Loans

lending-renewals-limit = 每次借阅最多续借 { $max } 次
READERS_WAITING = 已有 { $waiting } 位读者在排队等这本书，不能续借
RENEWED_MEANWHILE = 这次借阅刚刚已续借过，请刷新后查看

## The desk

HOLD_FOR_OTHER_READER = 这册书是为其他读者预留的，不能借给这位读者
HOLD_WITHOUT_REQUEST = 这册书标为保留待取，但找不到对应的借阅申请，请联系系统管理员核查
COPY_IN_TRANSIT = 这册书还在运送途中，请先办理还书入馆，再借出
LENT_WITHOUT_LOAN = 这册书标为已借出，但找不到对应的借阅记录，请联系系统管理员核查
lending-barcode-length = 条码应为 1–40 个字符
ALREADY_CATALOGUED = 这册书已经编目
NOT_HERE = 这册书不在本馆，请先在本馆还书
BARCODE_TAKEN = 这个条码已在另一册书上

## Picking

lending-pick-wrong-copy = 条码 { $barcode } 不是这项拣书任务预留的那一册（应为 { $expected }）

## Request history: what the reader is told with each step of their request (stored as written).

history-no-copy-free = 暂无可借的馆藏，已为您排队等候
history-not-on-shelf = 架上未找到这册书，正在为您另找一册
history-copy-withdrawn = 这册书已剔除出馆藏，正在为您另找一册
history-cancelled-by-reader = 读者已取消申请
history-not-collected = 超过取书期限未取，申请已过期
history-checked-out-at-desk = 已在借还服务台借出
history-on-hold-shelf = 图书已放上预约书架，请在取书期限内到馆领取
history-transfer = 图书正在调往取书分馆
