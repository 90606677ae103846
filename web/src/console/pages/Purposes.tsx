import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { patch, post, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import { LEGAL_BASES, LEGAL_BASIS_LABELS, type LegalBasis } from '../../labels';
import { useAuth } from '../auth';
import { useErrorText } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

export default function Purposes() {
  const { tr, lbl, lang } = useLang();
  const { can } = useAuth();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Purpose>('/purposes', 'purposes', { sort: 'name', order: 'asc' });
  const reload = list.reload;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const [editing, setEditing] = useState<Purpose | null>(null);
  const [editForm] = Form.useForm();
  const RECONSENT = [{ value: 'block', label: tr('阻止读取（默认）', 'Block reads (default)') }, { value: 'warn', label: tr('允许读取并提醒', 'Allow reads with a warning') }];
  const saveEdit = async (v: Partial<Purpose>) => {
    setBusy(true);
    try {
      await patch(`/purposes/${editing?.name}`, Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== null)));
      message.success(tr('已保存', 'Saved'));
      setEditing(null); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };

  const create = async (v: Purpose) => {
    setBusy(true);
    try {
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== ''));
      await post('/purposes', body);
      message.success(tr('已登记处理目的', 'Purpose registered'));
      setOpen(false); form.resetFields(); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };

  return (
    <Card title={tr('处理目的', 'Purposes')} extra={<Space>
      <ListSearch list={list} placeholder={tr('名称或标题', 'Name or title')} label={tr('按名称或标题搜索', 'Search by name or title')} width={200} />
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      {can('purposes.manage') && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('登记目的', 'New purpose')}</Button>}
    </Space>}>
      <ServerTable<Purpose> list={list} rowKey="name"
          empty={tr('还没有处理目的', 'No purposes yet')} emptyHint={tr('每次读取个人信息都必须声明一个已登记的目的（PIPL 第6条、第13条）。', 'Every read of PI declares a registered purpose (PIPL Art. 6 and 13).')}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <Typography.Text code>{n}</Typography.Text>, ...list.sortCol('name') },
            { title: tr('标题', 'Title'), render: (_, p) => (lang === 'en' && p.title_en ? p.title_en : p.title), ...list.sortCol('title') },
            { title: tr('合法性基础', 'Legal basis'), dataIndex: 'legal_basis', render: (b: string) => <Tag color={b === 'consent' ? 'gold' : 'blue'}>{lbl(LEGAL_BASIS_LABELS[b as LegalBasis], b)}</Tag>,
              ...list.sortCol('legal_basis'), ...list.filterCol('legal_basis', LEGAL_BASES.map((b) => ({ text: lbl(LEGAL_BASIS_LABELS[b], b), value: b }))) },
            { title: tr('需培训', 'Training'), dataIndex: 'requires_training', render: (x?: boolean) => (x ? tr('是', 'Yes') : tr('否', 'No')) },
            { title: tr('自动化决策', 'Automated decisions'), dataIndex: 'automated_decision', render: (x?: boolean) => (x ? <Tag color="purple">{tr('是', 'Yes')}</Tag> : tr('否', 'No')) },
            { title: tr('告知变更后', 'After a notice change'), dataIndex: 'reconsent_mode', render: (m: string | undefined, p) => (p.legal_basis !== 'consent' ? '—' : m === 'warn' ? <Tag color="gold">{tr('提醒', 'warn')}</Tag> : <Tag color="red">{tr('阻止', 'block')}</Tag>) },
            { title: tr('说明', 'Description'), dataIndex: 'description', ellipsis: true },
            ...(can('purposes.manage') ? [{ title: tr('操作', 'Action'), key: 'a', render: (_: unknown, p: Purpose) => <Button size="small" onClick={() => { editForm.setFieldsValue(p); setEditing(p); }}>{tr('修改', 'Edit')}</Button> }] : []),
          ]} />
      <Modal title={tr('登记处理目的', 'Register a purpose')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('登记', 'Register')} destroyOnClose width={640}>
        <Form form={form} layout="vertical" onFinish={create} name="new-purpose" initialValues={{ legal_basis: 'consent', requires_training: true, reconsent_mode: 'block' }}>
          <Form.Item name="name" label={tr('名称（英文小写）', 'Name (lower-case)')} rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/, message: tr('小写字母开头，仅含小写字母、数字和下划线', 'lower-case letters, digits, _') }]}><Input placeholder="customer_service" /></Form.Item>
          <Form.Item name="title" label={tr('中文标题', 'Title (Chinese)')} rules={[{ required: true }]}><Input placeholder="客户服务" /></Form.Item>
          <Form.Item name="title_en" label={tr('英文标题', 'Title (English)')}><Input placeholder="Customer service" /></Form.Item>
          <Form.Item name="legal_basis" label={tr('合法性基础（PIPL 第13条）', 'Legal basis (PIPL Art. 13)')} rules={[{ required: true }]}>
            <Select options={LEGAL_BASES.map((b) => ({ value: b, label: lbl(LEGAL_BASIS_LABELS[b], b) }))} />
          </Form.Item>
          <Form.Item name="description" label={tr('说明', 'Description')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="reconsent_mode" label={tr('告知文本重大变更后，对未重新同意者', 'After a material notice change, for those who have not consented again')}><Select options={RECONSENT} /></Form.Item>
          <Space size="large">
            <Form.Item name="requires_training" label={tr('需完成培训', 'Requires training')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="automated_decision" label={tr('用于自动化决策', 'Automated decision-making')} valuePropName="checked"><Switch /></Form.Item>
          </Space>
        </Form>
      </Modal>
      <Modal title={tr(`修改处理目的 ${editing?.name ?? ''}`, `Edit purpose ${editing?.name ?? ''}`)} open={Boolean(editing)} onCancel={() => setEditing(null)} onOk={() => editForm.submit()} confirmLoading={busy} okText={tr('保存', 'Save')} destroyOnClose width={640}>
        <Form form={editForm} layout="vertical" onFinish={saveEdit} name="edit-purpose">
          <Form.Item name="title" label={tr('中文标题', 'Title (Chinese)')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="title_en" label={tr('英文标题', 'Title (English)')}><Input /></Form.Item>
          <Form.Item name="description" label={tr('说明', 'Description')}><Input.TextArea rows={2} /></Form.Item>
          {editing?.legal_basis === 'consent' && <Form.Item name="reconsent_mode" label={tr('告知文本重大变更后，对未重新同意者', 'After a material notice change, for those who have not consented again')}><Select options={RECONSENT} /></Form.Item>}
          <Space size="large">
            <Form.Item name="requires_training" label={tr('需完成培训', 'Requires training')} valuePropName="checked"><Switch /></Form.Item>
            <Form.Item name="automated_decision" label={tr('用于自动化决策', 'Automated decision-making')} valuePropName="checked"><Switch /></Form.Item>
          </Space>
        </Form>
      </Modal>
    </Card>
  );
}
