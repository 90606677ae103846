import { useState } from 'react';
import { App, Button, Card, Drawer, Form, Input, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { post, type Collection, type Field } from '../../api';
import { useLang } from '../../i18n';
import { CATEGORIES, CATEGORY_LABELS, FIELD_TYPES, SENSITIVE_CATEGORIES, TYPE_INFO, type Category, type FieldType } from '../../labels';
import { useAuth } from '../auth';
import { useErrorText } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export default function Collections() {
  const { tr, lbl } = useLang();
  const { can } = useAuth();
  const list = useServerList<Collection>('/collections', 'collections', { sort: 'name', order: 'asc' });
  const reload = list.reload;
  const [open, setOpen] = useState(false);

  const fieldCols = [
    { title: tr('字段', 'Field'), dataIndex: 'name', render: (n: string, f: Field) => <><Typography.Text code>{n}</Typography.Text> {f.title}</> },
    { title: tr('个人信息类型', 'PI type'), dataIndex: 'type', render: (t: string) => lbl(TYPE_INFO[t as FieldType], t) },
    { title: tr('类别（GB/T 35273）', 'Category (GB/T 35273)'), dataIndex: 'category', render: (c: string) => lbl(CATEGORY_LABELS[c as Category], c) },
    { title: tr('敏感', 'Sensitive'), dataIndex: 'sensitive', render: (s: boolean) => (s ? <Tag color="red">{tr('敏感个人信息', 'Sensitive PI')}</Tag> : <Tag>{tr('一般', 'General')}</Tag>) },
    { title: tr('可检索', 'Searchable'), dataIndex: 'searchable', render: (s: boolean) => (s ? <Tag color="blue">{tr('可检索', 'Searchable')}</Tag> : '—') },
  ];

  return (
    <Card title={tr('数据集合', 'Collections')} extra={<Space>
      <ListSearch list={list} placeholder={tr('名称或标题', 'Name or title')} label={tr('按名称或标题搜索', 'Search by name or title')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      {can('collections.manage') && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('新建集合', 'New collection')}</Button>}
    </Space>}>
      <ServerTable<Collection> list={list} rowKey="name" empty={tr('还没有集合', 'No collections yet')} emptyHint={tr('集合定义客户个人信息的字段、类型与敏感级别。', 'A collection defines the fields of customer PI, their types and sensitivity.')}
          emptyAction={can('collections.manage') ? <Button type="primary" onClick={() => setOpen(true)}>{tr('新建集合', 'New collection')}</Button> : undefined}
          expandable={{ expandedRowRender: (c) => <Table<Field> rowKey="name" size="small" columns={fieldCols} dataSource={c.fields} pagination={false} />, defaultExpandAllRows: false }}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <Typography.Text code>{n}</Typography.Text>, ...list.sortCol('name') },
            { title: tr('标题', 'Title'), dataIndex: 'title', render: (t: string | null) => t ?? '—', ...list.sortCol('title') },
            { title: tr('字段数', 'Fields'), render: (_, c) => c.fields.length },
            { title: tr('敏感字段', 'Sensitive fields'), ...list.filterCol('sensitive', [{ text: tr('含敏感字段', 'Has sensitive fields'), value: 'true' }, { text: tr('无敏感字段', 'No sensitive field'), value: 'false' }], { multiple: false }), render: (_, c) => { const s = c.fields.filter((f) => f.sensitive); return s.length ? <Tooltip title={s.map((f) => f.name).join(', ')}><Tag color="red">{s.length}</Tag></Tooltip> : 0; } },
            { title: tr('可检索字段', 'Searchable fields'), render: (_, c) => c.fields.filter((f) => f.searchable).map((f) => <Tag key={f.name}>{f.name}</Tag>) },
          ]} />
      <CreateCollection open={open} onClose={() => setOpen(false)} onCreated={() => { setOpen(false); reload(); }} />
    </Card>
  );
}

interface FieldForm { name: string; type: FieldType; category?: Category; sensitive?: boolean; searchable?: boolean; title?: string }

function CreateCollection({ open, onClose, onCreated }: { open: boolean; onClose(): void; onCreated(): void }) {
  const { tr, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [form] = Form.useForm<{ name: string; title?: string; fields: FieldForm[] }>();
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);

  const submit = async (v: { name: string; title?: string; fields: FieldForm[] }) => {
    setBusy(true); setErr(null);
    try {
      const fields = v.fields.map((f) => ({ name: f.name, type: f.type, ...(f.category ? { category: f.category } : {}), ...(f.sensitive ? { sensitive: true } : {}), ...(f.searchable ? { searchable: true } : {}), ...(f.title ? { title: f.title } : {}) }));
      await post('/collections', { name: v.name, ...(v.title ? { title: v.title } : {}), fields });
      message.success(tr(`已创建集合 ${v.name}`, `Collection ${v.name} created`));
      form.resetFields();
      onCreated();
    } catch (e) { setErr(errText(e)); } finally { setBusy(false); }
  };

  return (
    <Drawer title={tr('新建集合', 'New collection')} width={1060} open={open} onClose={onClose} destroyOnClose
      extra={<Button type="primary" loading={busy} onClick={() => form.submit()}>{tr('创建', 'Create')}</Button>}>
      {err && <Typography.Paragraph type="danger" role="alert">{err}</Typography.Paragraph>}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ fields: [{ type: 'person_name' }] }} name="new-collection">
        <Space align="start" wrap>
          <Form.Item name="name" label={tr('名称（英文小写）', 'Name (lower-case)')} rules={[{ required: true, pattern: NAME_RE, message: tr('小写字母开头，仅含小写字母、数字和下划线', 'Start with a letter; lower-case letters, digits and _') }]}>
            <Input placeholder="customers" style={{ width: 240 }} />
          </Form.Item>
          <Form.Item name="title" label={tr('标题', 'Title')}><Input placeholder={tr('客户', 'Customers')} style={{ width: 300 }} /></Form.Item>
        </Space>
        <Typography.Title level={5}>{tr('字段', 'Fields')}</Typography.Title>
        <Form.List name="fields">
          {(items, { add, remove }) => (
            <>
              {items.map(({ key, name }) => (
                <Card size="small" key={key} style={{ marginBottom: 8 }}>
                  <Space align="start" wrap>
                    <Form.Item name={[name, 'name']} label={tr('字段名', 'Field name')} rules={[{ required: true, pattern: NAME_RE, message: tr('小写字母开头', 'lower-case, starts with a letter') }]}>
                      <Input placeholder="phone" style={{ width: 150 }} />
                    </Form.Item>
                    <Form.Item name={[name, 'type']} label={tr('个人信息类型', 'PI type')} rules={[{ required: true }]}>
                      <Select style={{ width: 180 }} showSearch optionFilterProp="label"
                        onChange={(t: FieldType) => { form.setFieldValue(['fields', name, 'category'], TYPE_INFO[t].category); if (TYPE_INFO[t].sensitive) form.setFieldValue(['fields', name, 'sensitive'], true); }}
                        options={FIELD_TYPES.map((t) => ({ value: t, label: `${lbl(TYPE_INFO[t], t)}${TYPE_INFO[t].sensitive ? ' ⚠' : ''}` }))} />
                    </Form.Item>
                    <Form.Item name={[name, 'category']} label={tr('类别', 'Category')} tooltip={tr('留空则按类型取默认类别', 'Empty: the type\'s default category')}>
                      <Select style={{ width: 190 }} allowClear placeholder={tr('按类型默认', 'Default for type')}
                        onChange={(c?: Category) => { if (c && SENSITIVE_CATEGORIES.includes(c)) form.setFieldValue(['fields', name, 'sensitive'], true); }}
                        options={CATEGORIES.map((c) => ({ value: c, label: lbl(CATEGORY_LABELS[c], c) }))} />
                    </Form.Item>
                    <Form.Item name={[name, 'sensitive']} label={tr('敏感', 'Sensitive')} valuePropName="checked" tooltip={tr('敏感类型与类别总是敏感，只能调高不能调低', 'Sensitive types and categories are always sensitive; the flag can be raised, not lowered')}>
                      <Switch />
                    </Form.Item>
                    <Form.Item name={[name, 'searchable']} label={tr('可检索', 'Searchable')} valuePropName="checked"><Switch /></Form.Item>
                    <Form.Item name={[name, 'title']} label={tr('显示名', 'Label')}><Input style={{ width: 110 }} /></Form.Item>
                    <Button type="text" danger icon={<MinusCircleOutlined />} aria-label={tr('删除字段', 'Remove field')} onClick={() => remove(name)} disabled={items.length === 1} style={{ marginTop: 30 }} />
                  </Space>
                </Card>
              ))}
              <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({ type: 'text' })}>{tr('添加字段', 'Add field')}</Button>
            </>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}
