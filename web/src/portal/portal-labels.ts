/** Labels of the portal (zh-CN first, en alongside) for what the server sends as codes. */
import type { L } from '../labels';

export const PORTAL_REQUEST_KINDS = ['access', 'copy', 'portability', 'correction', 'supplement', 'deletion', 'restriction', 'explanation', 'withdrawal', 'account_cancellation'] as const;
export const REQUEST_KIND_LABELS: Record<string, L> = {
  access: { zh: '查阅我的个人信息', en: 'See my information' }, copy: { zh: '复制我的个人信息', en: 'Get a copy' }, portability: { zh: '转移至其他处理者', en: 'Transfer to another handler' },
  correction: { zh: '更正', en: 'Correct' }, supplement: { zh: '补充', en: 'Complete' }, deletion: { zh: '删除', en: 'Delete' }, restriction: { zh: '限制或拒绝处理', en: 'Restrict or object' },
  explanation: { zh: '解释说明处理规则', en: 'Explain the processing rules' }, withdrawal: { zh: '撤回同意', en: 'Withdraw consent' }, account_cancellation: { zh: '注销账号', en: 'Close my account' },
};
export const REQUEST_STATE_LABELS: Record<string, L> = {
  received: { zh: '已受理', en: 'Received' }, verifying: { zh: '核验身份中', en: 'Verifying identity' }, in_progress: { zh: '处理中', en: 'In progress' }, completed: { zh: '已完成', en: 'Completed' }, rejected: { zh: '已拒绝', en: 'Refused' },
};
export const COMPLAINT_CATEGORIES = ['rights_request', 'consent', 'marketing', 'data_leak', 'misuse', 'security', 'minors', 'third_party', 'other'] as const;
export const COMPLAINT_CATEGORY_LABELS: Record<(typeof COMPLAINT_CATEGORIES)[number], L> = {
  rights_request: { zh: '权利请求处理', en: 'Handling of my request' }, consent: { zh: '同意与撤回', en: 'Consent' }, marketing: { zh: '营销骚扰', en: 'Unwanted marketing' },
  data_leak: { zh: '信息泄露', en: 'Data leak' }, misuse: { zh: '信息被滥用', en: 'Misuse' }, security: { zh: '安全问题', en: 'Security' }, minors: { zh: '未成年人信息', en: 'Children\'s information' },
  third_party: { zh: '向第三方提供', en: 'Sharing with third parties' }, other: { zh: '其他', en: 'Other' },
};
export const COMPLAINT_STATE_LABELS: Record<string, L> = {
  received: { zh: '已受理', en: 'Received' }, in_progress: { zh: '处理中', en: 'In progress' }, replied: { zh: '已答复', en: 'Replied' }, closed: { zh: '已办结', en: 'Closed' },
};
