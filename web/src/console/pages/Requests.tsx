import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { post, type DsRequest } from '../../api';
import { useLang } from '../../i18n';
import { REQUEST_KINDS } from '../../labels';
import { EmptyState, fmtTime, isMissingRoute, useErrorText } from '../ui';
import { ServerTable, useServerList } from '../server-list';

/** The kinds and states the server knows (src/rights/rights-types.ts). */
const KINDS = ['access', 'copy', 'portability', 'correction', 'supplement', 'deletion', 'restriction', 'explanation', 'withdrawal', 'account_cancellation', 'deceased_relative'];
const STATES: Record<string, { zh: string; en: string; color: string }> = {
  received: { zh: '已受理', en: 'received', color: 'blue' }, verifying: { zh: '核验身份', en: 'verifying', color: 'cyan' },
  in_progress: { zh: '处理中', en: 'in progress', color: 'geekblue' }, completed: { zh: '已完成', en: 'completed', color: 'green' }, rejected: { zh: '已拒绝', en: 'rejected', color: 'red' },
};

export default function Requests() {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<DsRequest>('/requests', 'requests', { sort: 'due', order: 'asc' });
  const { error, reload } = list;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  if (isMissingRoute(error)) {
    return <Card title={tr('个人权利请求', 'Subject requests')}><EmptyState title={tr('此服务器尚未提供个人权利请求功能', 'Subject requests are not available on this server')} hint={tr('升级到包含 /api/v1/requests 的版本后，可在此受理查阅、复制、更正、删除等请求并跟踪法定期限。', 'Once the server offers /api/v1/requests, access, copy, correction and deletion requests are handled here with their deadlines.')} /></Card>;
  }
  const create = async (v: { subject_id: string; kind: string }) => {
    setBusy(true);
    try {
      const r = await post<DsRequest>('/requests', { subject_id: v.subject_id.trim(), kind: v.kind });
      message.success(tr(`已受理，期限 ${fmtTime(r.due, 'zh')}`, `Received; due ${fmtTime(r.due, 'en')}`));
      setOpen(false); form.resetFields(); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const isOverdue = (r: DsRequest) => Boolean(r.overdue);

  return (
    <Card title={tr('个人权利请求', 'Subject requests')} extra={<Space>
      <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 140 }} value={list.params.filters.state} onChange={(v) => list.setFilter('state', v)} aria-label={tr('按状态筛选', 'Filter by state')}
        options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: v[lang] }))} />
      <Space size={4}><Switch checked={list.params.filters.overdue === 'true'} onChange={(v) => list.setFilter('overdue', v ? 'true' : undefined)} aria-label={tr('只看逾期', 'Overdue only')} /><span>{tr('只看逾期', 'Overdue only')}</span></Space>
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('受理请求', 'New request')}</Button>
    </Space>}>
      <ServerTable<DsRequest> list={list} rowKey="id" rowClassName={(r) => (isOverdue(r) ? 'row-overdue' : '')}
        empty={tr('没有请求', 'No requests')} emptyHint={tr('个人通过门户或客服提出的查阅、更正、删除等请求在此受理，并按工作日计算法定期限。', 'Access, correction, deletion and other requests made through the portal or customer service are handled here, with deadlines in working days.')}
        columns={[
          { title: 'ID', dataIndex: 'id', render: (i: string) => <Typography.Text code>{i}</Typography.Text> },
          { title: tr('主体', 'Subject'), dataIndex: 'subject_id', render: (s: string) => <Typography.Text code>{s}</Typography.Text> },
          { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => lbl(REQUEST_KINDS[k], k), ...list.sortCol('kind'),
            ...list.filterCol('kind', KINDS.map((k) => ({ text: lbl(REQUEST_KINDS[k], k), value: k })), { multiple: false }) },
          { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={STATES[s]?.color}>{STATES[s]?.[lang] ?? s}</Tag>, ...list.sortCol('state') },
          { title: tr('期限', 'Due'), dataIndex: 'due', ...list.sortCol('due'), render: (d: string, r) => <Space size={4}>{d}{isOverdue(r) && <Tag color="red">{tr('已逾期', 'overdue')}</Tag>}</Space> },
          { title: tr('受理时间', 'Received'), dataIndex: 'received_at', render: (t?: string) => fmtTime(t, lang), ...list.sortCol('received_at') },
        ]} />
      <Modal title={tr('受理个人权利请求', 'New subject request')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('受理', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-request" initialValues={{ kind: 'access' }}>
          <Form.Item name="subject_id" label={tr('主体 ID', 'Subject ID')} rules={[{ required: true }]}><Input placeholder="sub_…" /></Form.Item>
          <Form.Item name="kind" label={tr('请求类型', 'Kind')} rules={[{ required: true }]}><Select options={KINDS.map((k) => ({ value: k, label: lbl(REQUEST_KINDS[k], k) }))} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
