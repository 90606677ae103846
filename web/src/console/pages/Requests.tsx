import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post, qs, type DsRequest } from '../../api';
import { useLang } from '../../i18n';
import { REQUEST_KINDS } from '../../labels';
import { EmptyState, ErrorState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';

const KINDS = ['access', 'copy', 'portability', 'correction', 'deletion', 'withdraw_consent', 'explain'];
const STATES: Record<string, { zh: string; en: string; color: string }> = {
  received: { zh: '已受理', en: 'received', color: 'blue' }, open: { zh: '待处理', en: 'open', color: 'blue' }, verifying: { zh: '核验身份', en: 'verifying', color: 'cyan' },
  in_progress: { zh: '处理中', en: 'in progress', color: 'geekblue' }, completed: { zh: '已完成', en: 'completed', color: 'green' }, closed: { zh: '已关闭', en: 'closed', color: 'default' },
  rejected: { zh: '已拒绝', en: 'rejected', color: 'red' },
};

export default function Requests() {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [state, setState] = useState<string | undefined>();
  const [overdue, setOverdue] = useState(false);
  const { data, error, loading, reload } = useLoad((signal) => get<{ requests: DsRequest[] }>(`/requests${qs({ state, overdue: overdue ? 'true' : undefined })}`, { signal }), [state, overdue]);
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
  const isOverdue = (r: DsRequest) => Boolean(r.overdue) || (!['completed', 'closed', 'rejected'].includes(r.state) && r.due && new Date(r.due) < new Date());

  return (
    <Card title={tr('个人权利请求', 'Subject requests')} extra={<Space>
      <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 140 }} value={state} onChange={setState} aria-label={tr('按状态筛选', 'Filter by state')}
        options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: v[lang] }))} />
      <Space size={4}><Switch checked={overdue} onChange={setOverdue} aria-label={tr('只看逾期', 'Overdue only')} /><span>{tr('只看逾期', 'Overdue only')}</span></Space>
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('受理请求', 'New request')}</Button>
    </Space>}>
      {error ? <ErrorState error={error} onRetry={reload} /> : (
        <Table<DsRequest> rowKey="id" loading={loading} dataSource={data?.requests ?? []} pagination={{ pageSize: 20, hideOnSinglePage: true }}
          rowClassName={(r) => (isOverdue(r) ? 'row-overdue' : '')}
          locale={{ emptyText: <EmptyState title={tr('没有请求', 'No requests')} /> }}
          columns={[
            { title: 'ID', dataIndex: 'id', render: (i: string) => <Typography.Text code>{i}</Typography.Text> },
            { title: tr('主体', 'Subject'), dataIndex: 'subject_id', render: (s: string) => <Typography.Text code>{s}</Typography.Text> },
            { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => lbl(REQUEST_KINDS[k], k) },
            { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={STATES[s]?.color}>{STATES[s]?.[lang] ?? s}</Tag> },
            { title: tr('期限', 'Due'), dataIndex: 'due', sorter: (a, b) => String(a.due).localeCompare(String(b.due)), render: (d: string, r) => <Space size={4}>{fmtTime(d, lang)}{isOverdue(r) && <Tag color="red">{tr('已逾期', 'overdue')}</Tag>}</Space> },
            { title: tr('受理时间', 'Received'), dataIndex: 'created_at', render: (t?: string) => fmtTime(t, lang) },
          ]} />
      )}
      <Modal title={tr('受理个人权利请求', 'New subject request')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('受理', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-request" initialValues={{ kind: 'access' }}>
          <Form.Item name="subject_id" label={tr('主体 ID', 'Subject ID')} rules={[{ required: true }]}><Input placeholder="sub_…" /></Form.Item>
          <Form.Item name="kind" label={tr('请求类型', 'Kind')} rules={[{ required: true }]}><Select options={KINDS.map((k) => ({ value: k, label: lbl(REQUEST_KINDS[k], k) }))} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
