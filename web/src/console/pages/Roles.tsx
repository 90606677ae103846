import { useState } from 'react';
import { App, Button, Card, Checkbox, Drawer, Form, Input, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post, type Collection, type Grant, type Purpose, type Role } from '../../api';
import { useLang } from '../../i18n';
import { ACTIONS, ACTION_LABELS, PERMISSIONS, PERMISSION_LABELS, type Permission } from '../../labels';
import { useErrorText, useLoad } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

export default function Roles() {
  const { tr, lbl } = useLang();
  const list = useServerList<Role>('/roles', 'roles', { sort: 'name', order: 'asc' });
  const reload = list.reload;
  const [open, setOpen] = useState(false);
  const grantCols = [
    { title: tr('集合', 'Collection'), dataIndex: 'collection', render: (c: string) => (c === '*' ? tr('全部', 'all') : c) },
    { title: tr('字段', 'Fields'), dataIndex: 'fields', render: (f: string[]) => f.map((x) => <Tag key={x}>{x === '*' ? tr('全部', 'all') : x}</Tag>) },
    { title: tr('操作', 'Actions'), dataIndex: 'actions', render: (a: string[]) => a.map((x) => <Tag key={x} color="blue">{lbl(ACTION_LABELS[x as keyof typeof ACTION_LABELS], x)}</Tag>) },
    { title: tr('目的', 'Purposes'), dataIndex: 'purposes', render: (p: string[]) => p.map((x) => <Tag key={x}>{x === '*' ? tr('全部', 'all') : x}</Tag>) },
    { title: tr('显示', 'View'), dataIndex: 'view', render: (v: string) => (v === 'plain' ? <Tag color="red">{tr('明文', 'plain')}</Tag> : <Tag color="green">{tr('掩码', 'masked')}</Tag>) },
  ];
  return (
    <Card title={tr('角色与授权', 'Roles & grants')} extra={<Space>
      <ListSearch list={list} placeholder={tr('名称或标题', 'Name or title')} label={tr('搜索：名称或标题', 'Search: Name or title')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('新建角色', 'New role')}</Button>
    </Space>}>
      <ServerTable<Role> list={list} rowKey="name" empty={tr('没有角色', 'No roles')} emptyHint={tr('角色把集合、字段、操作与处理目的的授权组合在一起。', 'A role groups grants of collections, fields, actions and purposes.')}
          expandable={{ expandedRowRender: (r) => (r.grants.length ? <Table<Grant> rowKey={(g) => JSON.stringify(g)} size="small" pagination={false} columns={grantCols} dataSource={r.grants} /> : <Typography.Text type="secondary">{tr('此角色不能访问任何个人信息', 'This role reaches no PI')}</Typography.Text>) }}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string, r) => <><Typography.Text code>{n}</Typography.Text> {r.builtin && <Tag>{tr('内置', 'built-in')}</Tag>}</>, ...list.sortCol('name'),
              ...list.filterCol('name', [{ text: tr('内置角色', 'Built-in'), value: 'true' }, { text: tr('自定义角色', 'Custom'), value: 'false' }], { param: 'builtin', multiple: false }) },
            { title: tr('标题', 'Title'), dataIndex: 'title', render: (t: string | null) => t ?? '—', ...list.sortCol('title') },
            { title: tr('授权数', 'Grants'), render: (_, r) => r.grants.length },
            { title: tr('管理权限', 'Permissions'), dataIndex: 'permissions', render: (p: string[]) => (p.length ? p.map((x) => <Tag key={x} color="purple">{lbl(PERMISSION_LABELS[x as Permission], x)}</Tag>) : '—') },
          ]} />
      <RoleEditor open={open} onClose={() => setOpen(false)} onSaved={() => { setOpen(false); reload(); }} />
    </Card>
  );
}

function RoleEditor({ open, onClose, onSaved }: { open: boolean; onClose(): void; onSaved(): void }) {
  const { tr, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const cols = useLoad((signal) => (open ? get<{ collections: Collection[] }>('/collections', { signal }) : Promise.resolve(undefined)), [open]);
  const purposes = useLoad((signal) => (open ? get<{ purposes: Purpose[] }>('/purposes', { signal }) : Promise.resolve(undefined)), [open]);
  const grants = Form.useWatch('grants', form) as Grant[] | undefined;
  const collOptions = [{ value: '*', label: tr('全部集合', 'All collections') }, ...(cols.data?.collections ?? []).map((c) => ({ value: c.name, label: c.name }))];
  const fieldOptions = (coll?: string) => [{ value: '*', label: tr('全部字段', 'All fields') }, ...((cols.data?.collections ?? []).find((c) => c.name === coll)?.fields ?? []).map((f) => ({ value: f.name, label: f.name }))];
  const purposeOptions = [{ value: '*', label: tr('全部目的', 'All purposes') }, ...(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))];

  const save = async (v: { name: string; title?: string; grants?: Grant[]; permissions?: string[] }) => {
    setBusy(true);
    try {
      await post('/roles', { name: v.name, ...(v.title ? { title: v.title } : {}), grants: v.grants ?? [], permissions: v.permissions ?? [] });
      message.success(tr(`已创建角色 ${v.name}`, `Role ${v.name} created`));
      form.resetFields(); onSaved();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };

  return (
    <Drawer title={tr('新建角色', 'New role')} width={900} open={open} onClose={onClose} destroyOnClose extra={<Button type="primary" loading={busy} onClick={() => form.submit()}>{tr('保存', 'Save')}</Button>}>
      <Form form={form} layout="vertical" onFinish={save} name="new-role" initialValues={{ grants: [{ collection: '*', fields: ['*'], actions: ['read', 'search'], purposes: ['*'], view: 'masked' }], permissions: [] }}>
        <Space align="start" wrap>
          <Form.Item name="name" label={tr('名称（英文小写）', 'Name (lower-case)')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/, message: tr('小写字母开头', 'lower-case, starts with a letter') }]}><Input placeholder="cs_masked" style={{ width: 220 }} /></Form.Item>
          <Form.Item name="title" label={tr('标题', 'Title')}><Input placeholder={tr('客服（掩码）', 'Customer service (masked)')} style={{ width: 300 }} /></Form.Item>
        </Space>
        <Form.Item name="permissions" label={tr('管理权限（不含个人信息）', 'Administrative permissions (no PI)')}>
          <Checkbox.Group options={PERMISSIONS.map((p) => ({ value: p, label: lbl(PERMISSION_LABELS[p], p) }))} />
        </Form.Item>
        <Typography.Title level={5}>{tr('个人信息授权', 'PI grants')}</Typography.Title>
        <Typography.Paragraph type="secondary">{tr('最小必要：只授予完成该目的所需的字段与操作；能用掩码就不用明文。', 'Minimum necessary: grant only the fields and actions the purpose needs; prefer masked over plain.')}</Typography.Paragraph>
        <Form.List name="grants">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }) => (
                <Card size="small" key={key} style={{ marginBottom: 8 }}>
                  <Space align="start" wrap>
                    <Form.Item name={[name, 'collection']} label={tr('集合', 'Collection')} rules={[{ required: true }]}><Select style={{ width: 160 }} options={collOptions} /></Form.Item>
                    <Form.Item name={[name, 'fields']} label={tr('字段', 'Fields')} rules={[{ required: true }]}><Select mode="multiple" style={{ width: 200 }} options={fieldOptions(grants?.[name]?.collection)} /></Form.Item>
                    <Form.Item name={[name, 'actions']} label={tr('操作', 'Actions')} rules={[{ required: true }]}><Select mode="multiple" style={{ width: 200 }} options={ACTIONS.map((a) => ({ value: a, label: lbl(ACTION_LABELS[a], a) }))} /></Form.Item>
                    <Form.Item name={[name, 'purposes']} label={tr('目的', 'Purposes')} rules={[{ required: true }]}><Select mode="multiple" style={{ width: 180 }} options={purposeOptions} /></Form.Item>
                    {/* Always set (each new grant starts masked) and a radio group cannot be emptied: no required rule, whose
                        aria-required antd would put on the group's div, which has no role that allows it. */}
                    <Form.Item name={[name, 'view']} label={tr('显示', 'View')}>
                      <Radio.Group optionType="button" options={[{ value: 'masked', label: tr('掩码', 'Masked') }, { value: 'plain', label: tr('明文', 'Plain') }]} />
                    </Form.Item>
                    <Button type="text" danger icon={<MinusCircleOutlined />} aria-label={tr('删除授权', 'Remove grant')} onClick={() => remove(name)} style={{ marginTop: 30 }} />
                  </Space>
                </Card>
              ))}
              <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ collection: '*', fields: ['*'], actions: ['read'], purposes: ['*'], view: 'masked' })}>{tr('添加授权', 'Add grant')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}
