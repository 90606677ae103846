import { useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Descriptions, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined, LeftOutlined, RightOutlined, SafetyCertificateOutlined, SearchOutlined } from '@ant-design/icons';
import { get, qs, type AuditEvent, type Purpose, type VerifyResult } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, ErrorState, download, fmtTime, useErrorText, useLoad } from '../ui';

const PAGE = 50;
interface Filter { subject_id?: string; actor_id?: string; purpose?: string; action?: string; decision?: string; from?: string; to?: string }
type EventsPage = { events: AuditEvent[]; next_after_seq?: number | null; next_before_seq?: number | null };

export default function Audit() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [filter, setFilter] = useState<Filter>({});
  // Sorted by the chain's sequence on the server (newest first by default); paged by a cursor: the seq after (oldest
  // first) or before (newest first) which each visited page starts.
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [cursor, setCursor] = useState<number[]>([0]);
  const at = cursor[cursor.length - 1];
  const page = useLoad((signal) => get<EventsPage>(`/audit/events${qs({ ...filter, order, ...(order === 'desc' ? { before_seq: at || undefined } : { after_seq: at || undefined }), limit: PAGE })}`, { signal }), [filter, at, order]);
  const next = order === 'desc' ? page.data?.next_before_seq : page.data?.next_after_seq;
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState(false);

  const apply = (v: { subject_id?: string; actor_id?: string; purpose?: string; action?: string; decision?: string; range?: [{ toDate(): Date }, { toDate(): Date }] | null }) => {
    setFilter({ subject_id: v.subject_id?.trim() || undefined, actor_id: v.actor_id?.trim() || undefined, purpose: v.purpose || undefined, action: v.action?.trim() || undefined, decision: v.decision || undefined, from: v.range?.[0]?.toDate().toISOString(), to: v.range?.[1]?.toDate().toISOString() });
    setCursor([0]);
  };
  const runVerify = async () => {
    setVerifying(true);
    try { setVerify(await get<VerifyResult>('/audit/verify')); } catch (e) { message.error(errText(e)); } finally { setVerifying(false); }
  };
  const exportAll = async () => {
    setExporting(true);
    try {
      const lines: string[] = [];
      let seq = 0;
      for (;;) {
        const r = await get<{ events: AuditEvent[]; next_after_seq: number | null }>(`/audit/events${qs({ ...filter, after_seq: seq || undefined, limit: 1000 })}`);
        for (const e of r.events) lines.push(JSON.stringify(e));
        if (r.events.length < 1000 || r.next_after_seq === null) break;
        seq = r.next_after_seq;
      }
      download(`audit-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '')}.jsonl`, lines.join('\n') + (lines.length ? '\n' : ''), 'application/x-ndjson');
      message.success(tr(`已导出 ${lines.length} 条事件`, `Exported ${lines.length} events`));
    } catch (e) { message.error(errText(e)); } finally { setExporting(false); }
  };

  const events = page.data?.events ?? [];
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={tr('审计链校验', 'Chain verification')} extra={<Button icon={<SafetyCertificateOutlined />} loading={verifying} onClick={() => void runVerify()}>{tr('校验哈希链与签名', 'Verify chain and signatures')}</Button>}>
        {verify ? (
          <Alert type={verify.ok ? 'success' : 'error'} showIcon role="status"
            message={verify.ok ? tr(`审计链完整：${verify.events} 条事件，${verify.checkpoints} 个签名检查点`, `Chain intact: ${verify.events} events, ${verify.checkpoints} signed checkpoints`)
              : tr(`审计链损坏：第 ${verify.brokenAt} 条（${verify.problem}）`, `Chain broken at event ${verify.brokenAt} (${verify.problem})`)} />
        ) : <Typography.Text type="secondary">{tr('每条事件都链接上一条的哈希，并定期由租户签名密钥签署检查点；校验可发现修改、删除或截断。', 'Each event links to the hash of the one before, and checkpoints are signed with the tenant key; verifying finds edits, deletions and truncation.')}</Typography.Text>}
      </Card>
      <Card title={tr('审计事件', 'Audit events')} extra={<Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportAll()}>{tr('导出 JSON Lines', 'Export JSON Lines')}</Button>}>
        <Form layout="inline" name="audit-filter" onFinish={apply} style={{ rowGap: 12, marginBottom: 16 }}>
          <Form.Item name="subject_id" label={tr('主体', 'Subject')}><Input placeholder="sub_…" style={{ width: 180 }} allowClear /></Form.Item>
          <Form.Item name="actor_id" label={tr('操作者', 'Actor')}><Input placeholder="key_… / stf_…" style={{ width: 160 }} allowClear /></Form.Item>
          <Form.Item name="purpose" label={tr('目的', 'Purpose')}><Select allowClear style={{ width: 160 }} options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: p.name }))} /></Form.Item>
          <Form.Item name="action" label={tr('动作', 'Action')}><Input placeholder="record.read" style={{ width: 140 }} allowClear /></Form.Item>
          <Form.Item name="decision" label={tr('决定', 'Decision')}><Select allowClear style={{ width: 110 }} options={[{ value: 'allow', label: tr('允许', 'allow') }, { value: 'deny', label: tr('拒绝', 'deny') }]} /></Form.Item>
          <Form.Item name="range" label={tr('时间', 'Time')}><DatePicker.RangePicker showTime aria-label={tr('时间范围', 'Time range')} /></Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>{tr('筛选', 'Filter')}</Button>
        </Form>
        {page.error ? <ErrorState compact error={page.error} onRetry={page.reload} /> : (
          <>
            <Table<AuditEvent> rowKey="seq" size="small" loading={page.loading} dataSource={events} pagination={false}
              onChange={(_p, _f, s, extra) => { if (extra.action === 'sort') { const o = (Array.isArray(s) ? s[0] : s).order; setOrder(o === 'ascend' ? 'asc' : 'desc'); setCursor([0]); } }}
              locale={{ emptyText: <EmptyState title={Object.values(filter).some(Boolean) ? tr('没有符合条件的事件', 'No events match') : tr('还没有审计事件', 'No audit events yet')} hint={tr('每次访问个人信息和每项管理操作都会写入审计日志。', 'Every access to PI and every administrative change is written to the audit log.')} /> }}
              expandable={{ expandedRowRender: (e) => (
                <Descriptions size="small" column={2} bordered>
                  <Descriptions.Item label="ID">{e.id}</Descriptions.Item>
                  <Descriptions.Item label={tr('请求', 'Request')}>{e.request_id ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={tr('记录', 'Record')}>{e.record_id ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="IP">{e.client_ip ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={tr('详情', 'Details')} span={2}><Typography.Text code>{JSON.stringify(e.details ?? {})}</Typography.Text></Descriptions.Item>
                </Descriptions>
              ) }}
              columns={[
                { title: '#', dataIndex: 'seq', key: 'seq', width: 70, sorter: true, sortDirections: ['descend', 'ascend', 'descend'], sortOrder: order === 'asc' ? 'ascend' : 'descend' },
                { title: tr('时间', 'Time'), dataIndex: 'at', render: (t: string) => fmtTime(t, lang), width: 170 },
                { title: tr('操作者', 'Actor'), render: (_, e) => <Typography.Text code>{e.actor_type}:{e.actor_id}</Typography.Text> },
                { title: tr('动作', 'Action'), dataIndex: 'action' },
                { title: tr('决定', 'Decision'), dataIndex: 'decision', render: (d: string) => (d === 'allow' ? <Tag color="green">{tr('允许', 'allow')}</Tag> : <Tag color="red">{tr('拒绝', 'deny')}</Tag>) },
                { title: tr('目的', 'Purpose'), dataIndex: 'purpose', render: (p: string | null) => p ?? '—' },
                { title: tr('主体', 'Subject'), dataIndex: 'subject_id', render: (s: string | null) => (s ? <Typography.Text code>{s}</Typography.Text> : '—') },
                { title: tr('集合 / 字段', 'Collection / fields'), render: (_, e) => (e.collection ? `${e.collection}${e.fields?.length ? `: ${e.fields.join(', ')}` : ''}` : '—') },
                { title: tr('原因', 'Reason'), dataIndex: 'reason', render: (r: string | null) => r ?? '' },
              ]} />
            <Space style={{ marginTop: 16, justifyContent: 'flex-end', width: '100%' }}>
              <Typography.Text type="secondary">{tr(`第 ${cursor.length} 页`, `Page ${cursor.length}`)}</Typography.Text>
              <Button icon={<LeftOutlined />} disabled={cursor.length === 1} onClick={() => setCursor(cursor.slice(0, -1))}>{tr('上一页', 'Previous')}</Button>
              <Button disabled={events.length < PAGE || next == null} onClick={() => setCursor([...cursor, next!])}>{tr('下一页', 'Next')} <RightOutlined /></Button>
            </Space>
          </>
        )}
      </Card>
    </Space>
  );
}
