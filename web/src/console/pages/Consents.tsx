import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { del, get, post, type Consent, type Notice, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import { CHANNELS, CHANNEL_LABELS } from '../../labels';
import { EmptyState, ErrorState, fmtTime, useErrorText, useLoad } from '../ui';

const ID_RE = /^[a-z]{2,8}_[A-Za-z0-9]{8,64}$/;

export default function Consents() {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [subject, setSubject] = useState<string | null>(null);
  const list = useLoad((signal) => (subject ? get<{ consents: Consent[] }>(`/subjects/${subject}/consents`, { signal }) : Promise.resolve(undefined)), [subject]);
  const notices = useLoad((signal) => get<{ notices: Notice[] }>('/notices', { signal }));
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  const grant = async (v: { purpose: string; notice: string; channel: string; separate?: boolean; evidence?: string }) => {
    const [notice, version] = v.notice.split('@');
    setBusy(true);
    try {
      await post(`/subjects/${subject}/consents`, { purpose: v.purpose, notice, notice_version: Number(version), channel: v.channel, ...(v.separate ? { separate: true } : {}), ...(v.evidence ? { evidence: v.evidence } : {}) });
      message.success(tr('已记录同意', 'Consent recorded'));
      setOpen(false); form.resetFields(); list.reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const withdraw = async (purpose: string) => {
    try { await del(`/subjects/${subject}/consents/${purpose}`); message.success(tr('已撤回，立即生效', 'Withdrawn, effective at once')); list.reload(); } catch (e) { message.error(errText(e)); }
  };

  return (
    <Card title={tr('个人的同意', 'Consents of a subject')}>
      <Form layout="inline" name="subject" onFinish={(v: { subject: string }) => setSubject(v.subject.trim())} style={{ marginBottom: 16 }}>
        <Form.Item name="subject" label={tr('主体 ID', 'Subject ID')} rules={[{ required: true, pattern: ID_RE, message: tr('形如 sub_xxxxxxxx（可在客户查询结果中复制）', 'Like sub_xxxxxxxx (copy it from a lookup result)') }]}>
          <Input style={{ width: 320 }} placeholder="sub_…" allowClear />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>{tr('查看', 'Show')}</Button>
        {subject && <Button style={{ marginLeft: 8 }} icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('记录同意', 'Record consent')}</Button>}
      </Form>
      {!subject ? <EmptyState title={tr('输入主体 ID 查看其同意记录', 'Enter a subject ID to see their consents')} />
        : list.error ? <ErrorState error={list.error} onRetry={list.reload} /> : (
          <Table<Consent> rowKey="purpose" loading={list.loading} dataSource={list.data?.consents ?? []} pagination={false}
            locale={{ emptyText: <EmptyState title={tr('此人没有同意记录', 'No consents recorded for this person')} /> }}
            columns={[
              { title: tr('目的', 'Purpose'), dataIndex: 'purpose', render: (p: string) => { const x = purposes.data?.purposes.find((y) => y.name === p); return x ? `${lang === 'en' && x.title_en ? x.title_en : x.title} (${p})` : p; } },
              { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string, c) => <Space size={4}>{s === 'granted' ? <Tag color="green">{tr('已同意', 'granted')}</Tag> : <Tag color="default">{s === 'withdrawn' ? tr('已撤回', 'withdrawn') : s}</Tag>}{c.needs_reconsent && <Tag color="orange">{tr('需重新同意', 'needs re-consent')}</Tag>}</Space> },
              { title: tr('告知文本', 'Notice'), render: (_, c) => `${c.notice} v${c.notice_version}` },
              { title: tr('渠道', 'Channel'), dataIndex: 'channel', render: (c: string) => lbl(CHANNEL_LABELS[c as keyof typeof CHANNEL_LABELS], c) },
              { title: tr('单独同意', 'Separate'), dataIndex: 'separate', render: (s: boolean) => (s ? tr('是', 'yes') : '—') },
              { title: tr('同意时间', 'Granted'), dataIndex: 'granted_at', render: (t: string) => fmtTime(t, lang) },
              { title: tr('撤回时间', 'Withdrawn'), dataIndex: 'withdrawn_at', render: (t: string | null) => fmtTime(t, lang) },
              { title: tr('操作', 'Action'), render: (_, c) => (c.state === 'granted' ? <Popconfirm title={tr('撤回后立即停止基于同意的处理。确定？', 'Processing based on this consent stops at once. Withdraw?')} onConfirm={() => void withdraw(c.purpose)} okText={tr('撤回', 'Withdraw')} cancelText={tr('取消', 'Cancel')}><Button size="small" danger>{tr('撤回', 'Withdraw')}</Button></Popconfirm> : null) },
            ]} />
        )}
      <Modal title={tr('记录同意', 'Record consent')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('记录', 'Record')} destroyOnClose>
        <Typography.Paragraph type="secondary">{tr('主体', 'Subject')}: <Typography.Text code>{subject}</Typography.Text></Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={grant} name="grant-consent" initialValues={{ channel: 'web' }}>
          <Form.Item name="purpose" label={tr('目的', 'Purpose')} rules={[{ required: true }]}>
            <Select options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
          </Form.Item>
          <Form.Item name="notice" label={tr('告知文本版本', 'Notice version')} rules={[{ required: true }]}>
            <Select notFoundContent={tr('请先发布告知文本', 'Publish a notice first')} options={(notices.data?.notices ?? []).map((n) => ({ value: `${n.name}@${n.version}`, label: `${n.name} v${n.version} (${n.language})` }))} />
          </Form.Item>
          <Form.Item name="channel" label={tr('渠道', 'Channel')}><Select options={CHANNELS.map((c) => ({ value: c, label: lbl(CHANNEL_LABELS[c], c) }))} /></Form.Item>
          <Form.Item name="separate" label={tr('单独同意（敏感个人信息等）', 'Separate consent (sensitive PI etc.)')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="evidence" label={tr('证据（可选）', 'Evidence (optional)')}><Input placeholder={tr('例如：签字表单编号', 'e.g. signed form number')} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
