/** Alerts: anomaly detection over the audit log — alerts with evidence, rules and thresholds, per-actor baselines. */
import { useState } from 'react';
import { App, Button, Card, Descriptions, Drawer, Form, Input, InputNumber, Modal, Radio, Select, Space, Statistic, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, RiseOutlined, ReloadOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router-dom';
import { get, post, call, type AuditEvent } from '../../api';
import { useLang } from '../../i18n';
import { EmptyState, ErrorState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

export interface AlertRow {
  id: string; rule: string; severity: 'low' | 'medium' | 'high'; state: string; actor: { type: string; id: string }; window: { start: string; end: string };
  event_count: number; evidence_seqs: number[]; summary: Record<string, unknown>; handled_by: string | null; handled_at: string | null; reason: string | null; incident_id: string | null; created_at: string;
}
interface RuleRow { rule: string; enabled: boolean; params: Record<string, number | string[]>; exempt_actors: string[]; defaults: Record<string, number | string[]> }

export const RULE_LABELS: Record<string, { zh: string; en: string }> = {
  bulk_read: { zh: '短时间内读取大量个人', en: 'Many individuals read in a short window' },
  bulk_export: { zh: '批量导出', en: 'Bulk exports' },
  off_hours: { zh: '非工作时间读取', en: 'Reads outside working hours' },
  refusal_burst: { zh: '短时间内多次被拒', en: 'Burst of refusals' },
  new_network: { zh: '来自新的网络', en: 'Access from a new network' },
  dormant_account: { zh: '休眠账号重新使用', en: 'Dormant account used' },
  sensitive_spike: { zh: '敏感信息读取远高于个人基线', en: 'Sensitive reads far above own baseline' },
};
const SEV: Record<string, { zh: string; en: string; color: string }> = { high: { zh: '高', en: 'high', color: 'red' }, medium: { zh: '中', en: 'medium', color: 'orange' }, low: { zh: '低', en: 'low', color: 'blue' } };
const STATES: Record<string, { zh: string; en: string; color: string }> = {
  open: { zh: '待处理', en: 'open', color: 'red' }, acknowledged: { zh: '已确认', en: 'acknowledged', color: 'gold' }, dismissed: { zh: '已驳回', en: 'dismissed', color: 'default' }, escalated: { zh: '已升级', en: 'escalated', color: 'purple' },
};
const PAGE = 20;

export default function Alerts() {
  const { tr, lang } = useLang();
  return (
    <Tabs items={[
      { key: 'alerts', label: tr('告警', 'Alerts'), children: <AlertList /> },
      { key: 'rules', label: tr('规则与阈值', 'Rules and thresholds'), children: <Rules /> },
      { key: 'baselines', label: tr('操作者基线', 'Actor baselines'), children: <Baselines /> },
    ]} destroyInactiveTabPane key={lang} />
  );
}

function AlertList() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const nav = useNavigate();
  const list = useServerList<AlertRow>('/alerts', 'alerts', { size: PAGE, sort: 'created_at', order: 'desc', filters: { state: 'open' } });
  const filter = list.params.filters;
  const counts = (list.data?.counts ?? {}) as Record<string, number>;
  const status = useLoad((signal) => get<{ last_seq: number; head_seq: number; lag_events: number; events_seen: number; last_run_at: string | null; actors_with_baseline: number }>('/alerts/status', { signal }));
  const [open, setOpen] = useState<string | null>(null);
  const [dismissing, setDismissing] = useState<AlertRow | null>(null);
  const [escalating, setEscalating] = useState<AlertRow | null>(null);
  const [busy, setBusy] = useState(false);

  if (isMissingRoute(list.error)) return <Card><EmptyState title={tr('此服务器尚未提供异常检测', 'Anomaly detection is not available on this server')} /></Card>;
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    try { await fn(); message.success(ok); list.reload(); status.reload(); } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const scan = () => act(async () => { const r = await post<{ events: number; alerts_raised: number }>('/alerts/scan'); message.info(tr(`检测了 ${r.events} 条新事件，新告警 ${r.alerts_raised} 条`, `Scanned ${r.events} new events; ${r.alerts_raised} new alerts`)); }, tr('检测完成', 'Scan finished'));

  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card size="small">
        {status.error ? <ErrorState compact error={status.error} onRetry={status.reload} /> : (
          <Space size={48} wrap>
            <Statistic title={tr('待处理告警', 'Open alerts')} value={counts.open ?? 0} valueStyle={{ color: (counts.open ?? 0) > 0 ? '#cf1322' : undefined }} />
            <Statistic title={tr('已检测审计事件', 'Audit events scanned')} value={status.data?.events_seen ?? 0} />
            <Statistic title={tr('尚未检测', 'Not yet scanned')} value={status.data?.lag_events ?? 0} />
            <Statistic title={tr('有基线的操作者', 'Actors with a baseline')} value={status.data?.actors_with_baseline ?? 0} />
            <Space direction="vertical" size={4}>
              <Typography.Text type="secondary">{tr('上次检测', 'Last scan')}: {fmtTime(status.data?.last_run_at, lang)}</Typography.Text>
              <Button icon={<ThunderboltOutlined />} loading={busy} onClick={() => void scan()}>{tr('立即检测', 'Scan now')}</Button>
            </Space>
          </Space>
        )}
      </Card>
      <Card title={tr('告警', 'Alerts')} extra={<Space wrap>
        <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 120 }} value={filter.state} onChange={(v) => list.setFilter('state', v)} aria-label={tr('按状态筛选', 'Filter by state')}
          options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: `${v[lang]}${counts[k] ? ` (${counts[k]})` : ''}` }))} />
        <Select allowClear placeholder={tr('规则', 'Rule')} style={{ width: 220 }} value={filter.rule} onChange={(v) => list.setFilter('rule', v)} aria-label={tr('按规则筛选', 'Filter by rule')}
          options={Object.entries(RULE_LABELS).map(([k, v]) => ({ value: k, label: v[lang] }))} />
        <Select allowClear placeholder={tr('级别', 'Severity')} style={{ width: 100 }} value={filter.severity} onChange={(v) => list.setFilter('severity', v)} aria-label={tr('按级别筛选', 'Filter by severity')}
          options={Object.entries(SEV).map(([k, v]) => ({ value: k, label: v[lang] }))} />
        <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={tr('刷新', 'Refresh')} />
      </Space>}>
        {(
          <ServerTable<AlertRow> list={list} rowKey="id" size="small"
            empty={tr('没有告警', 'No alerts')} emptyHint={tr('检测任务每分钟读取新的审计事件。', 'The detector reads new audit events every minute.')}
            onRow={(r) => ({ onDoubleClick: () => setOpen(r.id) })}
            columns={[
              { title: tr('时间', 'Raised'), dataIndex: 'created_at', width: 160, render: (t: string) => fmtTime(t, lang), ...list.sortCol('created_at') },
              { title: tr('规则', 'Rule'), dataIndex: 'rule', render: (rule: string, r) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setOpen(r.id)}>{RULE_LABELS[rule]?.[lang] ?? rule}</Button>, ...list.sortCol('rule') },
              { title: tr('级别', 'Severity'), dataIndex: 'severity', width: 80, render: (s: string) => <Tag color={SEV[s]?.color}>{SEV[s]?.[lang] ?? s}</Tag> },
              { title: tr('操作者', 'Actor'), render: (_, r) => <Typography.Text code>{r.actor.type}:{r.actor.id}</Typography.Text>, ...list.sortCol('actor_id') },
              { title: tr('时段', 'Window'), render: (_, r) => `${fmtTime(r.window.start, lang)} — ${fmtTime(r.window.end, lang)}` },
              { title: tr('事件数', 'Events'), dataIndex: 'event_count', width: 90, ...list.sortCol('event_count') },
              { title: tr('状态', 'State'), dataIndex: 'state', width: 90, render: (s: string) => <Tag color={STATES[s]?.color}>{STATES[s]?.[lang] ?? s}</Tag>, ...list.sortCol('state') },
              { title: '', width: 230, render: (_, r) => (
                <Space size={4}>
                  {r.state === 'open' && <Button size="small" icon={<CheckOutlined />} onClick={() => void act(() => post(`/alerts/${r.id}/acknowledge`, {}), tr('已确认', 'Acknowledged'))}>{tr('确认', 'Ack')}</Button>}
                  {(r.state === 'open' || r.state === 'acknowledged') && <Button size="small" icon={<CloseOutlined />} onClick={() => setDismissing(r)}>{tr('驳回', 'Dismiss')}</Button>}
                  {(r.state === 'open' || r.state === 'acknowledged') && <Button size="small" danger icon={<RiseOutlined />} onClick={() => setEscalating(r)}>{tr('升级', 'Escalate')}</Button>}
                  {r.incident_id && <Button size="small" type="link" onClick={() => nav(`/incidents?open=${r.incident_id}`)}>{tr('查看事件', 'Incident')}</Button>}
                </Space>
              ) },
            ]} />
        )}
      </Card>
      <AlertDrawer id={open} onClose={() => setOpen(null)} />
      <Modal title={tr('驳回告警', 'Dismiss alert')} open={Boolean(dismissing)} onCancel={() => setDismissing(null)} destroyOnClose footer={null}>
        <Form layout="vertical" name="dismiss-alert" onFinish={(v: { reason: string }) => void act(() => post(`/alerts/${dismissing!.id}/dismiss`, { reason: v.reason }), tr('已驳回', 'Dismissed')).then(() => setDismissing(null))}>
          <Form.Item name="reason" label={tr('理由（将记入审计日志）', 'Reason (kept in the audit log)')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={3} /></Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>{tr('驳回', 'Dismiss')}</Button>
        </Form>
      </Modal>
      <Modal title={tr('升级为安全事件', 'Escalate to an incident')} open={Boolean(escalating)} onCancel={() => setEscalating(null)} destroyOnClose footer={null}>
        <Form layout="vertical" name="escalate-alert" initialValues={{ mode: 'new', kind: 'leak' }} onFinish={(v: { mode: string; incident_id?: string; title?: string; kind?: string }) => void act(async () => {
          const r = await call<{ id: string }>('POST', `/alerts/${escalating!.id}/escalate`, v.mode === 'new' ? { title: v.title || undefined, kind: v.kind } : { incident_id: v.incident_id?.trim() });
          setEscalating(null);
          nav(`/incidents?open=${r.id}`);
        }, tr('已升级', 'Escalated'))}>
          <Form.Item name="mode"><Radio.Group options={[{ value: 'new', label: tr('新建事件', 'New incident') }, { value: 'existing', label: tr('并入已有事件', 'Add to an incident') }]} /></Form.Item>
          <Form.Item noStyle shouldUpdate>{({ getFieldValue }) => getFieldValue('mode') === 'new' ? (<>
            <Form.Item name="title" label={tr('事件名称', 'Title')}><Input placeholder={escalating ? `${RULE_LABELS[escalating.rule]?.[lang] ?? escalating.rule} / ${escalating.actor.id}` : ''} /></Form.Item>
            <Form.Item name="kind" label={tr('类型', 'Kind')}><Select options={KIND_OPTIONS(lang)} /></Form.Item>
          </>) : <Form.Item name="incident_id" label={tr('事件 ID', 'Incident ID')} rules={[{ required: true }]}><Input placeholder="inc_…" /></Form.Item>}</Form.Item>
          <Button type="primary" danger htmlType="submit" loading={busy}>{tr('升级', 'Escalate')}</Button>
        </Form>
      </Modal>
    </Space>
  );
}

export const KIND_OPTIONS = (lang: 'zh' | 'en') => [
  { value: 'leak', label: lang === 'zh' ? '泄露' : 'Leak' }, { value: 'tampering', label: lang === 'zh' ? '篡改' : 'Tampering' }, { value: 'loss', label: lang === 'zh' ? '丢失' : 'Loss' },
];

function AlertDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { tr, lang } = useLang();
  const a = useLoad((signal) => (id ? get<AlertRow & { evidence: AuditEvent[] }>(`/alerts/${id}`, { signal }) : Promise.resolve(undefined)), [id]);
  return (
    <Drawer width={900} open={Boolean(id)} onClose={onClose} title={a.data ? `${RULE_LABELS[a.data.rule]?.[lang] ?? a.data.rule} · ${a.data.id}` : tr('告警', 'Alert')}>
      {a.error ? <ErrorState error={a.error} onRetry={a.reload} /> : a.data && (
        <Space direction="vertical" style={{ width: '100%' }} size={16}>
          <Descriptions bordered size="small" column={2}>
            <Descriptions.Item label={tr('操作者', 'Actor')}><Typography.Text code>{a.data.actor.type}:{a.data.actor.id}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={tr('状态', 'State')}><Tag color={STATES[a.data.state]?.color}>{STATES[a.data.state]?.[lang]}</Tag>{a.data.reason ? ` ${a.data.reason}` : ''}</Descriptions.Item>
            <Descriptions.Item label={tr('时段', 'Window')} span={2}>{fmtTime(a.data.window.start, lang)} — {fmtTime(a.data.window.end, lang)}</Descriptions.Item>
            <Descriptions.Item label={tr('事件数', 'Events')}>{a.data.event_count}</Descriptions.Item>
            <Descriptions.Item label={tr('依据', 'Evidence summary')}><Typography.Text code>{JSON.stringify(a.data.summary)}</Typography.Text></Descriptions.Item>
          </Descriptions>
          <Table<AuditEvent> rowKey="seq" size="small" dataSource={a.data.evidence} pagination={{ pageSize: 20, hideOnSinglePage: true }} title={() => tr('证据事件（审计日志，不含个人信息值）', 'Evidence events (audit log, no PI values)')}
            columns={[
              { title: '#', dataIndex: 'seq', width: 70 }, { title: tr('时间', 'Time'), dataIndex: 'at', render: (t: string) => fmtTime(t, lang) },
              { title: tr('动作', 'Action'), dataIndex: 'action' }, { title: tr('决定', 'Decision'), dataIndex: 'decision' },
              { title: tr('主体', 'Subject'), dataIndex: 'subject_id' }, { title: tr('字段', 'Fields'), render: (_, e) => `${e.collection ?? ''}${e.fields?.length ? `: ${e.fields.join(', ')}` : ''}` }, { title: 'IP', dataIndex: 'client_ip' },
            ]} />
        </Space>
      )}
    </Drawer>
  );
}

function Rules() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const rules = useLoad((signal) => get<{ rules: RuleRow[] }>('/alerts/rules', { signal }));
  const [edit, setEdit] = useState<RuleRow | null>(null);
  const save = async (rule: string, body: Record<string, unknown>) => {
    try { await call('PUT', `/alerts/rules/${rule}`, body); message.success(tr('已保存', 'Saved')); setEdit(null); rules.reload(); } catch (e) { message.error(errText(e)); }
  };
  if (rules.error) return <ErrorState error={rules.error} onRetry={rules.reload} />;
  return (
    <Card title={tr('检测规则（每个租户单独配置）', 'Detection rules (per tenant)')}>
      <Table<RuleRow> rowKey="rule" loading={rules.loading} dataSource={rules.data?.rules ?? []} pagination={false}
        columns={[
          { title: tr('规则', 'Rule'), dataIndex: 'rule', render: (r: string) => <Space direction="vertical" size={0}><span>{RULE_LABELS[r]?.[lang] ?? r}</span><Typography.Text type="secondary" code>{r}</Typography.Text></Space> },
          { title: tr('启用', 'On'), dataIndex: 'enabled', width: 70, render: (v: boolean, r) => <Switch checked={v} aria-label={tr('启用规则', 'Enable rule')} onChange={(on) => void save(r.rule, { enabled: on })} /> },
          { title: tr('参数', 'Parameters'), render: (_, r) => <Space wrap size={4}>{Object.entries(r.params).map(([k, v]) => <Tag key={k}>{k}: {Array.isArray(v) ? v.join(',') : v}</Tag>)}</Space> },
          { title: tr('豁免的操作者', 'Exempt actors'), dataIndex: 'exempt_actors', render: (v: string[]) => v.length ? v.join(', ') : '—' },
          { title: '', width: 80, render: (_, r) => <Button size="small" onClick={() => setEdit(r)}>{tr('修改', 'Edit')}</Button> },
        ]} />
      <Modal title={edit ? RULE_LABELS[edit.rule]?.[lang] : ''} open={Boolean(edit)} onCancel={() => setEdit(null)} footer={null} destroyOnClose>
        {edit && (
          <Form layout="vertical" name="rule-edit" initialValues={{ ...Object.fromEntries(Object.entries(edit.params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])), exempt: edit.exempt_actors.join('\n') }}
            onFinish={(v: Record<string, unknown>) => {
              const params = Object.fromEntries(Object.keys(edit.params).map((k) => [k, Array.isArray(edit.defaults[k]) ? String(v[k] ?? '').split(',').map((x) => x.trim()).filter(Boolean) : Number(v[k])]));
              void save(edit.rule, { params, exempt_actors: String(v.exempt ?? '').split(/\s+/).filter(Boolean) });
            }}>
            {Object.entries(edit.params).map(([k, v]) => (
              <Form.Item key={k} name={k} label={`${k}（${tr('默认', 'default')} ${Array.isArray(edit.defaults[k]) ? (edit.defaults[k] as string[]).join(',') : edit.defaults[k]}）`}>
                {Array.isArray(v) ? <Input /> : <InputNumber min={0} style={{ width: '100%' }} />}
              </Form.Item>
            ))}
            <Form.Item name="exempt" label={tr('豁免的操作者（每行一个 ID，例如批处理密钥）', 'Exempt actors (one id a line, e.g. a batch key)')}><Input.TextArea rows={3} /></Form.Item>
            <Button type="primary" htmlType="submit">{tr('保存', 'Save')}</Button>
          </Form>
        )}
      </Modal>
    </Card>
  );
}

interface Baseline { actor_id: string; actor_type: string; first_seen: string; last_seen: string; events: number; networks: number; sensitive_reads_per_active_bucket: { mean: number; sd: number; hours: number } }

function Baselines() {
  const { tr, lang } = useLang();
  const b = useServerList<Baseline>('/alerts/baselines', 'actors', { size: 50, sort: 'last_seen', order: 'desc' });
  return (
    <Card title={tr('各操作者的行为基线（由检测任务增量更新）', 'Per-actor baselines (kept up to date by the detector)')}>
      <ServerTable<Baseline> list={b} rowKey="actor_id" size="small" empty={tr('还没有基线', 'No baselines yet')} emptyHint={tr('检测任务读取审计事件后，为每个操作者建立统计基线。', 'The detector builds a statistical baseline for each actor as it reads audit events.')}
        columns={[
          { title: tr('操作者', 'Actor'), render: (_, r) => <Typography.Text code>{r.actor_type}:{r.actor_id}</Typography.Text>, ...b.sortCol('actor_id'),
            ...b.filterCol('actor_id', [{ text: tr('员工', 'staff'), value: 'staff' }, { text: tr('API 密钥', 'API key'), value: 'api_key' }], { param: 'actor_type', multiple: false }) },
          { title: tr('首次出现', 'First seen'), dataIndex: 'first_seen', render: (t: string) => fmtTime(t, lang), ...b.sortCol('first_seen') },
          { title: tr('最近活动', 'Last seen'), dataIndex: 'last_seen', render: (t: string) => fmtTime(t, lang), ...b.sortCol('last_seen') },
          { title: tr('事件数', 'Events'), dataIndex: 'events', ...b.sortCol('events') },
          { title: tr('网络数', 'Networks'), dataIndex: 'networks' },
          { title: tr('敏感读取/活跃小时（均值 ± 标准差）', 'Sensitive reads per active hour (mean ± sd)'), render: (_, r) => `${r.sensitive_reads_per_active_bucket.mean} ± ${r.sensitive_reads_per_active_bucket.sd} (${r.sensitive_reads_per_active_bucket.hours} h)` },
        ]} />
    </Card>
  );
}
