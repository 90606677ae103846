import { useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { del, get, post, type ApiKeyRow, type Role } from '../../api';
import { useLang } from '../../i18n';
import { fmtTime, useErrorText, useLoad } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

export default function ApiKeys() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<ApiKeyRow>('/api-keys', 'api_keys', { sort: 'created_at', order: 'desc' });
  const reload = list.reload;
  const roles = useLoad((signal) => get<{ roles: Role[] }>('/roles', { signal }));
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; api_key: string } | null>(null);
  const [form] = Form.useForm();

  const create = async (v: { name: string; roles: string[]; expires?: { toDate(): Date } }) => {
    setBusy(true);
    try {
      const r = await post<{ id: string; name: string; api_key: string }>('/api-keys', { name: v.name, roles: v.roles, ...(v.expires ? { expires_at: v.expires.toDate().toISOString() } : {}) });
      setOpen(false); form.resetFields(); setCreated(r); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const revoke = async (id: string) => {
    try { await del(`/api-keys/${id}`); message.success(tr('已吊销', 'Revoked')); reload(); } catch (e) { message.error(errText(e)); }
  };

  return (
    <Card title={tr('API 密钥', 'API keys')} extra={<Space>
      <ListSearch list={list} placeholder={tr('名称', 'Name')} label={tr('搜索：名称', 'Search: Name')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('创建密钥', 'New key')}</Button>
    </Space>}>
      <ServerTable<ApiKeyRow> list={list} rowKey="id" empty={tr('没有 API 密钥', 'No API keys')} emptyHint={tr('应用用 API 密钥调用 Custodian；密钥只在创建时显示一次。', 'Applications call Custodian with an API key; a key is shown once, when created.')}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', ...list.sortCol('name') },
            { title: 'ID', dataIndex: 'id', render: (i: string) => <Typography.Text code>{i}</Typography.Text> },
            { title: tr('角色', 'Roles'), dataIndex: 'roles', render: (r: string[]) => r.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
            { title: tr('到期', 'Expires'), dataIndex: 'expires_at', render: (t: string | null) => fmtTime(t, lang), ...list.sortCol('expires_at') },
            { title: tr('状态', 'State'), ...list.filterCol('state', [{ text: tr('有效', 'active'), value: 'active' }, { text: tr('已过期', 'expired'), value: 'expired' }, { text: tr('已吊销', 'revoked'), value: 'revoked' }]), render: (_, k) => (k.revoked_at ? <Tag color="red">{tr('已吊销', 'revoked')}</Tag> : k.expires_at && new Date(k.expires_at) < new Date() ? <Tag color="orange">{tr('已过期', 'expired')}</Tag> : <Tag color="green">{tr('有效', 'active')}</Tag>) },
            { title: tr('操作', 'Action'), render: (_, k) => (k.revoked_at ? null : <Popconfirm title={tr('吊销后使用该密钥的应用将立即无法访问。确定吊销？', 'Applications using this key lose access at once. Revoke?')} onConfirm={() => void revoke(k.id)} okText={tr('吊销', 'Revoke')} cancelText={tr('取消', 'Cancel')}><Button danger size="small">{tr('吊销', 'Revoke')}</Button></Popconfirm>) },
          ]} />
      <Modal title={tr('创建 API 密钥', 'New API key')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('创建', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-key">
          <Form.Item name="name" label={tr('名称', 'Name')} rules={[{ required: true, max: 100 }]}><Input placeholder="crm" /></Form.Item>
          <Form.Item name="roles" label={tr('角色', 'Roles')} rules={[{ required: true, message: tr('至少选择一个角色', 'Choose at least one role') }]}>
            <Select mode="multiple" loading={roles.loading} options={(roles.data?.roles ?? []).map((r) => ({ value: r.name, label: r.title ? `${r.name} · ${r.title}` : r.name }))} />
          </Form.Item>
          <Form.Item name="expires" label={tr('到期时间（可选）', 'Expires (optional)')}><DatePicker showTime style={{ width: '100%' }} /></Form.Item>
        </Form>
      </Modal>
      <Modal title={tr('新密钥只显示这一次', 'The new key is shown only once')} open={Boolean(created)} onCancel={() => setCreated(null)} onOk={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }} okText={tr('我已妥善保存', 'I have stored it')} maskClosable={false}>
        <Alert type="warning" showIcon message={tr('请立即复制并保存到安全的位置；关闭后无法再次查看。', 'Copy it now and keep it safe; it cannot be shown again.')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: created?.api_key }} code data-testid="new-api-key" style={{ wordBreak: 'break-all' }}>{created?.api_key}</Typography.Paragraph>
      </Modal>
    </Card>
  );
}
