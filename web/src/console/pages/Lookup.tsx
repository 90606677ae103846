import { useMemo, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined, SearchOutlined } from '@ant-design/icons';
import { get, post, qs, type Collection, type Purpose, type RecordView } from '../../api';
import { useLang } from '../../i18n';
import { TYPE_INFO, type FieldType } from '../../labels';
import { EmptyState, ErrorState, useErrorText, useLoad } from '../ui';

const isMasked = (v: unknown) => typeof v === 'string' && /[*＊]{2,}/.test(v);

export default function Lookup() {
  const { tr, lbl, lang } = useLang();
  const errText = useErrorText();
  const cols = useLoad((signal) => get<{ collections: Collection[] }>('/collections', { signal }));
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const [form] = Form.useForm<{ collection: string; purpose: string; field: string; value: string }>();
  const collection = Form.useWatch('collection', form);
  const coll = cols.data?.collections.find((c) => c.name === collection);
  const searchable = coll?.fields.filter((f) => f.searchable) ?? [];
  const [results, setResults] = useState<RecordView[] | null>(null);
  const [total, setTotal] = useState(0);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  type Asked = { collection: string; purpose: string; field: string; value: string };
  const [asked, setAsked] = useState<Asked | null>(null);
  // Paged on the server: only the page shown is decrypted and written to the audit log.
  const [page, setPage] = useState({ current: 1, size: 20, order: 'desc' as 'asc' | 'desc' });
  const [revealed, setRevealed] = useState<RecordView | null>(null);

  const run = async (v: Asked, p: typeof page) => {
    setBusy(true); setErr(null);
    try {
      const r = await post<{ records: RecordView[]; total?: number }>(`/collections/${v.collection}/search`, { field: v.field, value: v.value, purpose: v.purpose, limit: p.size, offset: (p.current - 1) * p.size, order: p.order });
      setResults(r.records); setTotal(r.total ?? r.records.length); setAsked(v); setPage(p);
    } catch (e) { setErr(errText(e)); setResults(null); } finally { setBusy(false); }
  };
  const search = (v: Asked) => run({ ...v, value: v.value.trim() }, { ...page, current: 1 });
  const reveal = async (rec: RecordView) => {
    if (!asked) return;
    try { setRevealed(await get<RecordView>(`/collections/${asked.collection}/records/${rec.id}${qs({ purpose: asked.purpose })}`)); } catch (e) { Modal.error({ title: tr('无法查看', 'Cannot show'), content: errText(e) }); }
  };

  const columns = useMemo(() => {
    const names = [...new Set((results ?? []).flatMap((r) => Object.keys(r.fields)))];
    const c = cols.data?.collections.find((x) => x.name === asked?.collection);
    return [
      ...names.map((n) => {
        const f = c?.fields.find((x) => x.name === n);
        return { title: f?.title || (f ? `${n} · ${lbl(TYPE_INFO[f.type as FieldType], f.type)}` : n), dataIndex: ['fields', n], key: n,
          render: (v: unknown) => (v === null || v === undefined ? '—' : <Space size={4}><span data-testid={`value-${n}`}>{String(v)}</span>{isMasked(v) && <Tag>{tr('已掩码', 'masked')}</Tag>}</Space>) };
      }),
      { title: tr('主体 ID', 'Subject ID'), dataIndex: 'subject_id', render: (s: string) => <Typography.Text code copyable>{s}</Typography.Text> },
      { title: tr('操作', 'Action'), key: 'act', render: (_: unknown, r: RecordView) => <Button size="small" icon={<EyeOutlined />} onClick={() => void reveal(r)}>{tr('查看全部字段', 'Show all fields')}</Button> },
    ];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [results, lang, cols.data, asked]);

  if (cols.error) return <ErrorState error={cols.error} onRetry={cols.reload} />;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={tr('客户查询', 'Customer lookup')}>
        <Typography.Paragraph type="secondary">{tr('先声明处理目的，再按可检索字段精确查找。每次查询都会写入审计日志；值按您的授权显示为明文或掩码。', 'Declare a purpose, then search exactly on a searchable field. Every lookup is written to the audit log; values are plain or masked according to your grants.')}</Typography.Paragraph>
        <Form form={form} layout="inline" onFinish={search} name="lookup" style={{ rowGap: 12 }}>
          <Form.Item name="collection" label={tr('集合', 'Collection')} rules={[{ required: true, message: tr('请选择集合', 'Choose a collection') }]}>
            <Select style={{ width: 180 }} loading={cols.loading} onChange={() => form.setFieldValue('field', undefined)}
              options={(cols.data?.collections ?? []).map((c) => ({ value: c.name, label: c.title ? `${c.title} (${c.name})` : c.name }))}
              notFoundContent={tr('没有集合', 'No collections')} />
          </Form.Item>
          <Form.Item name="purpose" label={tr('处理目的', 'Purpose')} rules={[{ required: true, message: tr('请选择目的', 'Choose a purpose') }]}>
            <Select style={{ width: 200 }} loading={purposes.loading} notFoundContent={tr('没有处理目的', 'No purposes')}
              options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${lang === 'en' && p.title_en ? p.title_en : p.title} (${p.name})` }))} />
          </Form.Item>
          <Form.Item name="field" label={tr('按字段', 'By field')} rules={[{ required: true, message: tr('请选择字段', 'Choose a field') }]}>
            <Select style={{ width: 170 }} disabled={!coll} notFoundContent={tr('此集合没有可检索字段', 'No searchable field in this collection')}
              options={searchable.map((f) => ({ value: f.name, label: `${f.title || f.name} · ${lbl(TYPE_INFO[f.type as FieldType], f.type)}` }))} />
          </Form.Item>
          <Form.Item name="value" label={tr('值', 'Value')} rules={[{ required: true, message: tr('请输入要查找的值', 'Enter a value') }]}>
            <Input style={{ width: 220 }} placeholder={tr('手机号 / 身份证号 / 邮箱', 'Phone / ID / email')} allowClear />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} loading={busy}>{tr('查询', 'Search')}</Button>
        </Form>
      </Card>
      <Card title={tr('结果', 'Results')} extra={<Segmented size="small" aria-label={tr('排序', 'Order')} value={page.order} disabled={!asked || busy}
        onChange={(o) => { if (asked) void run(asked, { ...page, current: 1, order: o as 'asc' | 'desc' }); }}
        options={[{ value: 'desc', label: tr('最新在前', 'Newest first') }, { value: 'asc', label: tr('最早在前', 'Oldest first') }]} />}>
        {err ? <Alert type="error" showIcon role="alert" message={err} action={asked ? <Button size="small" onClick={() => void run(asked, page)}>{tr('重试', 'Retry')}</Button> : undefined} />
          : results === null ? <EmptyState title={tr('请先输入查询条件', 'Enter search criteria above')} />
            : <Table<RecordView> rowKey="id" dataSource={results} columns={columns} loading={busy}
              pagination={{ current: page.current, pageSize: page.size, total, showSizeChanger: true, pageSizeOptions: [10, 20, 50], hideOnSinglePage: total <= 10, showTotal: (t) => tr(`共 ${t} 条匹配`, `${t} matches`),
                onChange: (current, size) => { if (asked) void run(asked, { ...page, current: size !== page.size ? 1 : current, size }); } }}
              locale={{ emptyText: <EmptyState title={tr('没有找到匹配的客户', 'No matching customer')} hint={tr('值会被规范化后精确匹配（例如 +86 138-0013-8000 与 13800138000 相同）。', 'Values are normalised then matched exactly (+86 138-0013-8000 equals 13800138000).')} /> }} />}
      </Card>
      <Modal open={Boolean(revealed)} onCancel={() => setRevealed(null)} footer={null} title={tr('记录详情（已记入审计日志）', 'Record (this view was audited)')} width={640}>
        {revealed && (
          <Descriptions column={1} bordered size="small">
            <Descriptions.Item label={tr('记录 ID', 'Record ID')}>{revealed.id}</Descriptions.Item>
            <Descriptions.Item label={tr('主体 ID', 'Subject ID')}>{revealed.subject_id}</Descriptions.Item>
            {Object.entries(revealed.fields).map(([k, v]) => <Descriptions.Item key={k} label={k}>{v === null || v === undefined ? '—' : String(v)}</Descriptions.Item>)}
          </Descriptions>
        )}
      </Modal>
    </Space>
  );
}
