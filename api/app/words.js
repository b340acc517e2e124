// What readers read: statuses, methods and errors in plain Chinese, chosen by the server's
// stable codes and reasons (its messages are not shown).

export const STATUS = {
  PENDING: '已提交',
  ROUTED: '已找到馆藏，待拣书',
  PICKED: '已从书架取出',
  IN_TRANSIT: '配送中',
  READY_FOR_PICKUP: '可以取书了',
  FULFILLED: '已借到',
  WAITLISTED: '排队等候',
  CANCELLED: '已取消',
  EXPIRED: '超时未取',
  FAILED: '未能办理',
};

export const METHOD = {
  LOCKER: '智能书柜',
  BRANCH: '到馆自取',
  HOME: '送书上门',
};

export const RETURN_METHOD = {
  LOCKER: '投入智能书柜',
  BRANCH: '到任一分馆归还',
  COURIER: '快递上门取书',
};

export const LOAN_STATUS = {
  ACTIVE: '在借',
  RETURNED: '已还',
  LOST: '遗失',
};

export const PROPOSAL_STATUS = {
  SUBMITTED: '待审核',
  APPROVED: '已同意采购',
  REJECTED: '未通过',
  ORDERED: '已下单',
  RECEIVED: '已到馆',
  LOANED: '已借给您',
  CANCELLED: '已撤回',
  JOINED: '已加入他人荐购',
};

export const RULE = {
  isbn: '书号',
  price: '价格',
  publication_year: '出版年份',
  clc_class: '图书类别',
  holdings: '馆藏',
  monthly_quota: '本月荐购次数',
  budget: '年度经费',
  duplicate: '重复荐购',
};

export const OUTCOME = {
  PASS: '符合',
  FAIL: '不符合',
  NEEDS_REVIEW: '需馆员审核',
};

export const CHANNEL = {
  WECHAT: '微信',
  EMAIL: '电子邮件',
};

/** Requests a reader may still cancel. */
export const CANCELLABLE = ['PENDING', 'ROUTED', 'WAITLISTED'];

const BY_REASON = {
  CARD_REQUIRED: '借书需要读者证。请绑定您已有的读者证，或在线办证。',
  REGISTRATION_PENDING: '您的读者证还需到馆核验身份，核验后即可借书。',
  ID_NUMBER_TAKEN: '这个身份证号已经办过读者证。',
  HAS_CARD: '您已经有读者证了。',
  CARD_BOUND_ELSEWHERE: '这张读者证已绑定其他微信，请到馆解除后再绑定。',
  WECHAT_CODE_INVALID: '微信授权已过期，请重新从公众号菜单进入。',
  WECHAT_SNAPSHOT: '请点击页面底部“使用完整服务”后再登录。',
  ACCOUNT_CLOSED: '登录已失效，请重新登录。',
};

const BY_CODE = {
  NETWORK: '网络不太好，没能连上图书馆。请稍后再试。',
  UNAUTHENTICATED: '读者证号或密码不对，或登录已过期。',
  FORBIDDEN: '这项操作暂时不能办理。',
  NOT_FOUND: '没有找到，可能已经变更。',
  VALIDATION: '填写的内容有误，请检查后再试。',
  CONFLICT: '状态已经变化，请刷新后再看。',
  QUOTA_EXCEEDED: '已达到可借或可预约的上限。',
  NO_COPY_AVAILABLE: '这本书暂时没有可借的复本。',
  RATE_LIMITED: '操作太频繁了，请稍等片刻再试。',
  UNAVAILABLE: '服务暂时繁忙，请稍后再试。',
  INTERNAL: '出了点问题，请稍后再试。',
};

/** The sentence a reader sees for a failed call. */
export function explain(error) {
  if (!error) return '';
  if (error.reason && BY_REASON[error.reason]) return BY_REASON[error.reason];
  // A block: the server's sentence carries the reason staff gave, in Chinese.
  if (error.reason === 'BLOCKED' && error.message) return error.message;
  if (error.code === 'RATE_LIMITED' && /登录/.test(error.message || '')) {
    return '登录失败次数过多，请稍后再试，或请馆员解锁。';
  }
  if (error.code === 'VALIDATION' && error.field) {
    return FIELD[error.field] || BY_CODE.VALIDATION;
  }
  return BY_CODE[error.code] || BY_CODE.INTERNAL;
}

const FIELD = {
  name: '请填写证件上的姓名。',
  idNumber: '身份证号不正确，请核对（18 位，最后一位可能是 X）。',
  mobile: '手机号应为 11 位数字。',
  homeBranchId: '请选择一个分馆。',
  pin: '密码应为 4–12 位数字。',
};

/** Money in cents as yuan: 300 → “3.00 元”. */
export function yuan(cents) {
  return `${(cents / 100).toFixed(2)} 元`;
}

/** A time as readers read it, in China time: “12月3日 14:05”. */
export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** A date as readers read it: “2026年12月3日”. */
export function day(iso) {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(new Date(iso));
}
