import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post, type Role, type Staff } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

export default function StaffPage() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Staff>('/staff', 'staff', { sort: 'username', order: 'asc' });
  const { error, reload } = list;
  const roles = useLoad((signal) => get<{ roles: Role[] }>('/roles', { signal }));
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ username: string; initial_password: string } | null>(null);
  const [form] = Form.useForm();

  const create = async (v: { username: string; display_name: string; roles: string[]; email?: string }) => {
    setBusy(true);
    try {
      const r = await post<{ id: string; username: string; initial_password: string }>('/staff', { ...v, email: v.email || undefined });
      setOpen(false); form.resetFields(); setCreated(r); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };

  if (isMissingRoute(error)) return <Card title={tr('员工账号', 'Staff')}><EmptyState title={tr('此服务器尚未提供员工账号管理', 'Staff accounts are not available on this server')} hint={tr('升级服务器后即可在此创建员工账号。', 'Upgrade the server to manage staff here.')} /></Card>;
  return (
    <Card title={tr('员工账号', 'Staff')} extra={<Space>
      <ListSearch list={list} placeholder={tr('用户名或姓名', 'Username or name')} label={tr('按用户名或姓名搜索', 'Search by username or name')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('新建员工', 'New staff member')}</Button>
    </Space>}>
      <ServerTable<Staff> list={list} rowKey="id" empty={tr('没有员工账号', 'No staff accounts')} emptyHint={tr('员工用自己的账号登录控制台，权限来自其角色。', 'Staff sign in to the console with their own accounts; their roles give their permissions.')}
          columns={[
            { title: tr('用户名', 'Username'), dataIndex: 'username', render: (u: string) => <Typography.Text code>{u}</Typography.Text>, ...list.sortCol('username') },
            { title: tr('姓名', 'Display name'), dataIndex: 'display_name', ...list.sortCol('display_name') },
            { title: tr('角色', 'Roles'), dataIndex: 'roles', render: (r: string[]) => (r ?? []).map((x) => <Tag key={x}>{x}</Tag>),
              ...list.filterCol('role', (roles.data?.roles ?? []).map((r) => ({ text: r.name, value: r.name })), { multiple: false }) },
            { title: tr('邮箱', 'Email'), dataIndex: 'email', render: (e?: string | null) => e ?? '—' },
            { title: tr('两步验证', 'TOTP'), dataIndex: 'totp_enabled', render: (x?: boolean) => (x === undefined ? '—' : x ? <Tag color="green">{tr('已启用', 'on')}</Tag> : <Tag color="orange">{tr('未启用', 'off')}</Tag>) },
            { title: tr('状态', 'State'), ...list.filterCol('state', [{ text: tr('正常', 'active'), value: 'active' }, { text: tr('已锁定', 'locked'), value: 'locked' }, { text: tr('已停用', 'disabled'), value: 'disabled' }]), render: (_, s) => (s.disabled_at ? <Tag color="red">{tr('已停用', 'disabled')}</Tag> : s.locked_until && new Date(s.locked_until) > new Date() ? <Tag color="red">{tr('已锁定', 'locked')}</Tag> : <Tag color="green">{tr('正常', 'active')}</Tag>) },
            { title: tr('最近登录', 'Last sign-in'), dataIndex: 'last_login_at', render: (t?: string | null) => fmtTime(t, lang), ...list.sortCol('last_login_at') },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: (t?: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
          ]} />
      <Modal title={tr('新建员工账号', 'New staff member')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('创建', 'Create')} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} name="new-staff">
          <Form.Item name="username" label={tr('用户名', 'Username')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{1,62}$/, message: tr('小写字母、数字、. _ -', 'lower-case letters, digits, . _ -') }]}><Input autoComplete="off" /></Form.Item>
          <Form.Item name="display_name" label={tr('姓名', 'Display name')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="email" label={tr('邮箱（可选）', 'Email (optional)')} rules={[{ type: 'email' }]}><Input /></Form.Item>
          <Form.Item name="roles" label={tr('角色', 'Roles')} rules={[{ required: true, message: tr('至少选择一个角色', 'Choose at least one role') }]}>
            <Select mode="multiple" loading={roles.loading} options={(roles.data?.roles ?? []).map((r) => ({ value: r.name, label: r.title ? `${r.name} · ${r.title}` : r.name }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal title={tr('初始密码只显示这一次', 'The initial password is shown once')} open={Boolean(created)} onOk={() => setCreated(null)} onCancel={() => setCreated(null)} cancelButtonProps={{ style: { display: 'none' } }} maskClosable={false}>
        <Alert type="warning" showIcon message={tr('请通过安全渠道交给员工本人，首次登录后应立即修改。', 'Hand it to the person over a safe channel; it should be changed at first sign-in.')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph>{tr('用户名', 'Username')}: <Typography.Text code>{created?.username}</Typography.Text></Typography.Paragraph>
        <Typography.Paragraph copyable={{ text: created?.initial_password }} code>{created?.initial_password}</Typography.Paragraph>
      </Modal>
    </Card>
  );
}
