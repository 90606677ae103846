/** Outbox: messages the server handed to its delivery adapters (portal sign-in codes, incident notices); masked, without text. */
import { Button, Card, Space, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useLang } from '../../i18n';
import { fmtTime } from '../ui';
import { ServerTable, useServerList } from '../server-list';

interface Message { id: string; at: string; channel: 'sms' | 'email'; to: string; kind: 'portal_code' | 'incident_notice'; reference: string }
const KIND = { portal_code: { zh: '门户验证码', en: 'Portal code' }, incident_notice: { zh: '事件告知', en: 'Incident notice' } } as const;

export default function Outbox() {
  const { tr, lang } = useLang();
  const list = useServerList<Message>('/outbox', 'messages', { size: 50, sort: 'at', order: 'desc' });
  return (
    <Card title={tr('发件箱', 'Outbox')} extra={<Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={tr('刷新', 'Refresh')} />}>
      <Typography.Paragraph type="secondary">{tr('已交给短信/邮件适配器的消息（最近七天）。收件人已脱敏，不显示正文（可能含验证码）。', 'Messages handed to the SMS / email adapters (the last seven days). Recipients are masked; the text (which may hold a code) is not shown.')}</Typography.Paragraph>
      <ServerTable<Message> list={list} rowKey="id" empty={tr('没有消息', 'No messages')} emptyHint={tr('门户验证码和安全事件告知发出后显示在这里。', 'Portal sign-in codes and incident notices appear here once sent.')}
        columns={[
          { title: tr('时间', 'Time'), render: (_, m) => fmtTime(m.at, lang), ...list.sortCol('at') },
          { title: tr('渠道', 'Channel'), render: (_, m) => <Tag>{m.channel === 'sms' ? tr('短信', 'SMS') : tr('邮件', 'Email')}</Tag>, ...list.sortCol('channel'),
            ...list.filterCol('channel', [{ text: tr('短信', 'SMS'), value: 'sms' }, { text: tr('邮件', 'Email'), value: 'email' }]) },
          { title: tr('收件人', 'Recipient'), dataIndex: 'to' },
          { title: tr('类别', 'Kind'), render: (_, m) => <Space size={4}>{KIND[m.kind][lang]}</Space>, ...list.sortCol('kind'),
            ...list.filterCol('kind', [{ text: KIND.portal_code[lang], value: 'portal_code' }, { text: KIND.incident_notice[lang], value: 'incident_notice' }]) },
          { title: tr('关联', 'Reference'), dataIndex: 'reference' },
        ]} />
    </Card>
  );
}
