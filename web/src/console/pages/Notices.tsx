import { useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Radio, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, post, type Notice, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { EmptyState, ErrorState, fmtTime, useErrorText, useLoad } from '../ui';

export default function Notices() {
  const { tr, lang } = useLang();
  const { can } = useAuth();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { data, error, loading, reload } = useLoad((signal) => get<{ notices: Notice[] }>('/notices', { signal }));
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const names = [...new Set((data?.notices ?? []).map((n) => n.name))];

  const publish = async (v: { name: string; language: string; text: string; purposes?: string[]; material_change?: boolean }) => {
    setBusy(true);
    try {
      const r = await post<{ name: string; version: number }>('/notices', { ...v, purposes: v.purposes ?? [], material_change: Boolean(v.material_change) });
      message.success(tr(`已发布 ${r.name} 第 ${r.version} 版`, `Published ${r.name} version ${r.version}`));
      setOpen(false); form.resetFields(); reload();
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const newVersion = (name?: string) => { form.resetFields(); if (name) form.setFieldsValue({ name, language: (data?.notices ?? []).filter((n) => n.name === name).pop()?.language ?? 'zh-CN' }); setOpen(true); };

  return (
    <Card title={tr('告知文本（版本化）', 'Notices (versioned)')} extra={<Space>
      <Button icon={<ReloadOutlined />} onClick={reload} aria-label={tr('刷新', 'Refresh')} />
      {can('consents.manage') && <Button type="primary" icon={<PlusOutlined />} onClick={() => newVersion()}>{tr('发布新版本', 'Publish a version')}</Button>}
    </Space>}>
      <Typography.Paragraph type="secondary">{tr('告知文本的每一版都会保留并计算摘要；同意记录指向具体版本。重大变更会要求重新取得同意（PIPL 第14条、第17条）。', 'Every version is kept with its digest; consents point to a version. A material change asks for consent again (PIPL Art. 14 and 17).')}</Typography.Paragraph>
      {error ? <ErrorState error={error} onRetry={reload} /> : (
        <Table<Notice> rowKey={(n) => `${n.name}@${n.version}`} loading={loading} dataSource={[...(data?.notices ?? [])].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version)} pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <EmptyState title={tr('还没有告知文本', 'No notices yet')} hint={tr('发布隐私政策或单独告知文本后，才能记录同意。', 'Publish a privacy notice before recording consents.')} /> }}
          columns={[
            { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <Typography.Text code>{n}</Typography.Text>, filters: names.map((n) => ({ text: n, value: n })), onFilter: (v, n) => n.name === v },
            { title: tr('版本', 'Version'), dataIndex: 'version', render: (v: number, n) => <>v{v} {Math.max(...(data?.notices ?? []).filter((x) => x.name === n.name).map((x) => x.version)) === v && <Tag color="green">{tr('当前', 'current')}</Tag>}</> },
            { title: tr('语言', 'Language'), dataIndex: 'language' },
            { title: tr('涉及目的', 'Purposes'), dataIndex: 'purposes', render: (p: string[]) => p.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: tr('重大变更', 'Material change'), dataIndex: 'material_change', render: (m: boolean) => (m ? <Tag color="orange">{tr('是', 'yes')}</Tag> : '—') },
            { title: 'SHA-256', dataIndex: 'sha256', render: (s: string) => <Typography.Text code title={s}>{s.slice(0, 12)}…</Typography.Text> },
            { title: tr('发布时间', 'Published'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang) },
            ...(can('consents.manage') ? [{ title: tr('操作', 'Action'), key: 'a', render: (_: unknown, n: Notice) => <Button size="small" onClick={() => newVersion(n.name)}>{tr('新版本', 'New version')}</Button> }] : []),
          ]} />
      )}
      <Modal title={tr('发布告知文本新版本', 'Publish a notice version')} open={open} onCancel={() => setOpen(false)} onOk={() => form.submit()} confirmLoading={busy} okText={tr('发布', 'Publish')} width={720} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={publish} name="new-notice" initialValues={{ language: 'zh-CN' }}>
          <Space align="start">
            <Form.Item name="name" label={tr('名称', 'Name')} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/, message: tr('小写字母、数字、- 和 _', 'lower-case letters, digits, - and _') }]}><Input placeholder="privacy" style={{ width: 220 }} /></Form.Item>
            <Form.Item name="language" label={tr('语言', 'Language')}><Radio.Group options={[{ value: 'zh-CN', label: '简体中文' }, { value: 'en', label: 'English' }]} optionType="button" /></Form.Item>
          </Space>
          <Form.Item name="purposes" label={tr('涉及的处理目的', 'Purposes covered')}>
            <Select mode="multiple" loading={purposes.loading} options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
          </Form.Item>
          <Form.Item name="text" label={tr('正文', 'Text')} rules={[{ required: true }]}><Input.TextArea rows={10} /></Form.Item>
          <Form.Item name="material_change" label={tr('重大变更（需重新取得同意）', 'Material change (consent must be given again)')} valuePropName="checked"><Switch /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
