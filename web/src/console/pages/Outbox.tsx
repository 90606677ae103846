/** Outbox: messages the server handed to its delivery adapters (portal sign-in codes, incident notices); masked, without text. */
import { Card, Table, Tag, Typography } from 'antd';
import { get } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, ErrorState, fmtTime, useLoad } from '../ui';

interface Message { id: string; at: string; channel: 'sms' | 'email'; to: string; kind: 'portal_code' | 'incident_notice'; reference: string }
const KIND = { portal_code: { zh: '门户验证码', en: 'Portal code' }, incident_notice: { zh: '事件告知', en: 'Incident notice' } } as const;

export default function Outbox() {
  const { tr, lang } = useLang();
  const list = useLoad((signal) => get<{ messages: Message[] }>('/outbox?limit=200', { signal }));
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  return (
    <Card title={tr('发件箱', 'Outbox')}>
      <Typography.Paragraph type="secondary">{tr('已交给短信/邮件适配器的消息。收件人已脱敏，不显示正文（可能含验证码）。', 'Messages handed to the SMS / email adapters. Recipients are masked; the text (which may hold a code) is not shown.')}</Typography.Paragraph>
      <Table<Message> rowKey="id" loading={!list.data} dataSource={list.data?.messages ?? []} pagination={{ pageSize: 50 }}
        locale={{ emptyText: <EmptyState title={tr('没有消息', 'No messages')} /> }}
        columns={[
          { title: tr('时间', 'Time'), render: (_, m) => fmtTime(m.at, lang) },
          { title: tr('渠道', 'Channel'), render: (_, m) => <Tag>{m.channel === 'sms' ? tr('短信', 'SMS') : tr('邮件', 'Email')}</Tag> },
          { title: tr('收件人', 'Recipient'), dataIndex: 'to' },
          { title: tr('类别', 'Kind'), render: (_, m) => KIND[m.kind][lang] },
          { title: tr('关联', 'Reference'), dataIndex: 'reference' },
        ]} />
    </Card>
  );
}
