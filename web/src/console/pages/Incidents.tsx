/** Incidents (安全事件): list, detail with countdown, scope, checklist, timeline, notifications, reports; plans, drills, settings. */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Drawer, Form, Input, InputNumber, Modal, Radio, Select, Space, Switch, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import { DownloadOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { ApiError, call, get, patch, post, qs, storedKey } from '../../api';
import { useLang } from '../../i18n';
import { download, EmptyState, ErrorState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';
import { KIND_OPTIONS } from './Alerts';

interface Countdown { due_at: string | null; seconds_left: number | null; overdue: boolean; filed_at: string | null; filed_late: boolean | null; hours: number | null; reference: string | null }
interface ScopeSummary { affected: number; sensitive: number; by_type: Array<{ type: string; label_zh: string; label_en: string; subjects: number }>; by_category: Array<{ category: string; label_zh: string; label_en: string; sensitive: boolean; subjects: number }>; events_matched: number; computed_ms: number }
interface ChecklistItem { key: string; title: string; role?: string; within_minutes?: number; done: boolean; done_at: string | null; done_by: string | null; note: string | null }
export interface Incident {
  id: string; title: string; kind: string; state: string; drill: boolean; detected_at: string; occurred_from: string | null; occurred_to: string | null; description: string | null;
  cause: string | null; harm: string | null; remedies: string | null; subject_actions: string | null; contact: string | null;
  grade: { code: string; label_zh: string; label_en: string; computed: string; override: string | null; reason: string | null };
  affected_count: number; sensitive_count: number; scope: ScopeSummary | null; scoped_at: string | null; report: Countdown;
  summary_report: { due_at: string | null; filed_at: string | null; overdue: boolean }; plan_version: number | null; checklist: ChecklistItem[];
  notify: { channels: string[]; language: string; purpose: string } | null; review: Record<string, string> | null; closed_at: string | null; flag: string | null; created_at: string;
}
interface IncidentFull extends Incident {
  timeline: Array<{ id: string; at: string; actor_type: string; actor_id: string; entry: string; note: string | null; details: Record<string, unknown> | null }>;
  alerts: Array<{ id: string; rule: string; severity: string; actor_id: string; window_start: string; event_count: number }>;
  notifications: Array<{ state: string; channel: string; count: number }>;
}

const STATES: Record<string, { zh: string; en: string; color: string }> = {
  open: { zh: '处置中', en: 'open', color: 'red' }, contained: { zh: '已控制', en: 'contained', color: 'orange' }, reviewing: { zh: '复盘', en: 'reviewing', color: 'blue' }, closed: { zh: '已结案', en: 'closed', color: 'default' },
};
const NEXT: Record<string, string[]> = { open: ['contained', 'reviewing'], contained: ['reviewing', 'open'], reviewing: ['closed', 'contained'], closed: [] };
const GRADE_COLOR: Record<string, string> = { general: 'default', major: 'orange', serious: 'red', especially_serious: 'magenta' };
const KIND: Record<string, { zh: string; en: string }> = { leak: { zh: '泄露', en: 'Leak' }, tampering: { zh: '篡改', en: 'Tampering' }, loss: { zh: '丢失', en: 'Loss' } };
const PAGE = 20;

async function fetchFile(path: string, filename: string) {
  const key = storedKey();
  const res = await fetch(`/api/v1${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {}, credentials: 'same-origin' });
  if (!res.ok) {
    const p = await res.json().catch(() => ({}));
    throw new ApiError(res.status, { status: res.status, code: p.code ?? `http.${res.status}`, detail: p.detail ?? `HTTP ${res.status}`, detail_zh: p.detail_zh });
  }
  download(filename, await res.blob(), res.headers.get('content-type') ?? 'application/octet-stream');
}

function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), ms); return () => clearInterval(t); }, [ms]);
  return now;
}

/** The live countdown to the regulator report (from the detection time). */
export function ReportCountdown({ report }: { report: Countdown }) {
  const { tr, lang } = useLang();
  const now = useNow();
  if (report.filed_at) return <Tag color={report.filed_late ? 'orange' : 'green'}>{tr('已报送', 'Filed')} {fmtTime(report.filed_at, lang)}{report.filed_late ? tr('（逾期）', ' (late)') : ''}</Tag>;
  if (!report.due_at) return <Tag>{tr('无固定报告时限', 'No fixed deadline')}</Tag>;
  const left = Math.floor((Date.parse(report.due_at) - now) / 1000);
  const abs = Math.abs(left);
  const text = `${Math.floor(abs / 3600)}:${String(Math.floor((abs % 3600) / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return <Tag color={left < 0 ? 'red' : left < 3600 ? 'orange' : 'blue'} role="timer">{left < 0 ? tr(`报告已逾期 ${text}`, `Report overdue by ${text}`) : tr(`距报告时限 ${text}`, `${text} left to report`)}</Tag>;
}

export default function Incidents() {
  const { tr, lang } = useLang();
  return (
    <Tabs key={lang} destroyInactiveTabPane items={[
      { key: 'list', label: tr('安全事件', 'Incidents'), children: <IncidentList /> },
      { key: 'plans', label: tr('应急预案', 'Response plans'), children: <Plans /> },
      { key: 'drills', label: tr('演练', 'Drills'), children: <Drills /> },
      { key: 'settings', label: tr('设置与推送', 'Settings and push'), children: <Settings /> },
    ]} />
  );
}

function IncidentList() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const [params, setParams] = useSearchParams();
  const list = useServerList<Incident>('/incidents', 'incidents', { size: PAGE, sort: 'detected_at', order: 'desc' });
  const filter = list.params.filters;
  const [creating, setCreating] = useState(false);
  const openId = params.get('open');
  if (isMissingRoute(list.error)) return <Card><EmptyState title={tr('此服务器尚未提供安全事件功能', 'Incidents are not available on this server')} /></Card>;
  const create = async (v: { title: string; kind: string; detected_at?: { toDate(): Date }; description?: string }) => {
    try {
      const r = await post<Incident>('/incidents', { title: v.title, kind: v.kind, detected_at: v.detected_at?.toDate().toISOString(), description: v.description || undefined });
      setCreating(false); list.reload(); setParams({ open: r.id });
    } catch (e) { message.error(errText(e)); }
  };
  return (
    <Card title={tr('安全事件', 'Incidents')} extra={<Space wrap>
      <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 110 }} value={filter.state} onChange={(v) => list.setFilter('state', v)} options={Object.entries(STATES).map(([k, v]) => ({ value: k, label: v[lang] }))} aria-label={tr('按状态筛选', 'Filter by state')} />
      <Select allowClear placeholder={tr('级别', 'Grade')} style={{ width: 120 }} value={filter.grade} onChange={(v) => list.setFilter('grade', v)} aria-label={tr('按级别筛选', 'Filter by grade')}
        options={[['general', '一般', 'general'], ['major', '较大', 'major'], ['serious', '重大', 'serious'], ['especially_serious', '特别重大', 'especially serious']].map(([v, zh, en]) => ({ value: v, label: lang === 'zh' ? zh : en }))} />
      <Select allowClear placeholder={tr('期限', 'Deadline')} style={{ width: 150 }} value={filter.flag} onChange={(v) => list.setFilter('flag', v)} aria-label={tr('按期限筛选', 'Filter by deadline')}
        options={[['report_due_soon', '报告即将到期', 'report due soon'], ['report_overdue', '报告逾期', 'report overdue'], ['summary_overdue', '总结逾期', 'summary overdue']].map(([v, zh, en]) => ({ value: v, label: lang === 'zh' ? zh : en }))} />
      <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={tr('刷新', 'Refresh')} />
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{tr('登记事件', 'New incident')}</Button>
    </Space>}>
      {(
        <ServerTable<Incident> list={list} rowKey="id" size="small"
          empty={tr('没有安全事件', 'No incidents')} emptyHint={tr('由告警升级或手工登记；登记后按时限划定范围、分级、报告并通知受影响的个人。', 'Escalated from an alert or entered by hand; then scoped, graded, reported and notified within the deadlines.')}
          columns={[
            { title: tr('发现时间', 'Detected'), dataIndex: 'detected_at', width: 160, render: (t: string) => fmtTime(t, lang), ...list.sortCol('detected_at') },
            { title: tr('名称', 'Title'), dataIndex: 'title', render: (t: string, r) => <Button type="link" size="small" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }} onClick={() => setParams({ open: r.id })}>{t}</Button>, ...list.sortCol('title') },
            { title: tr('类型', 'Kind'), dataIndex: 'kind', width: 90, render: (k: string) => KIND[k]?.[lang] ?? k, ...list.filterCol('kind', Object.entries(KIND).map(([k, v]) => ({ text: v[lang], value: k })), { multiple: false }) },
            { title: tr('级别', 'Grade'), width: 100, render: (_, r) => <Tag color={GRADE_COLOR[r.grade.code]}>{lang === 'zh' ? r.grade.label_zh : r.grade.label_en}</Tag> },
            { title: tr('受影响个人', 'Affected'), dataIndex: 'affected_count', width: 120, ...list.sortCol('affected_count'), render: (n: number, r) => (r.scoped_at ? n.toLocaleString() : <Typography.Text type="secondary">{tr('未划定', 'not scoped')}</Typography.Text>) },
            { title: tr('报告时限', 'Report'), width: 200, ...list.sortCol('report_due_at'), render: (_, r) => (r.state === 'closed' ? '—' : <ReportCountdown report={r.report} />) },
            { title: tr('状态', 'State'), dataIndex: 'state', width: 90, render: (s: string) => <Tag color={STATES[s]?.color}>{STATES[s]?.[lang] ?? s}</Tag>, ...list.sortCol('state') },
          ]} />
      )}
      <Modal title={tr('登记安全事件', 'New incident')} open={creating} onCancel={() => setCreating(false)} footer={null} destroyOnClose>
        <Form layout="vertical" name="new-incident" initialValues={{ kind: 'leak' }} onFinish={create}>
          <Form.Item name="title" label={tr('名称', 'Title')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="kind" label={tr('类型', 'Kind')}><Select options={KIND_OPTIONS(lang)} /></Form.Item>
          <Form.Item name="detected_at" label={tr('发现时间（报告时限由此起算；默认现在）', 'Detected at (the reporting deadline counts from it; default now)')}><DatePicker showTime style={{ width: '100%' }} /></Form.Item>
          <Form.Item name="description" label={tr('描述', 'Description')}><Input.TextArea rows={3} /></Form.Item>
          <Button type="primary" htmlType="submit">{tr('登记', 'Open')}</Button>
        </Form>
      </Modal>
      <IncidentDrawer id={openId} onClose={() => { setParams({}); list.reload(); }} />
    </Card>
  );
}

function IncidentDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const inc = useLoad((signal) => (id ? get<IncidentFull>(`/incidents/${id}`, { signal }) : Promise.resolve(undefined)), [id]);
  const [busy, setBusy] = useState(false);
  const act = async (fn: () => Promise<unknown>, ok?: string) => {
    setBusy(true);
    try { await fn(); if (ok) message.success(ok); inc.reload(); } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const d = inc.data;
  return (
    <Drawer width={1000} open={Boolean(id)} onClose={onClose} title={d ? <Space>{d.title}<Tag color={GRADE_COLOR[d.grade.code]}>{lang === 'zh' ? d.grade.label_zh : d.grade.label_en}</Tag><Tag color={STATES[d.state]?.color}>{STATES[d.state]?.[lang]}</Tag></Space> : tr('安全事件', 'Incident')}
      extra={d && d.state !== 'closed' && <Space>{NEXT[d.state].map((to) => <Button key={to} loading={busy} onClick={() => void act(() => post(`/incidents/${d.id}/transitions`, { to }), tr('已更新', 'Updated'))}>{tr('转为', 'Move to')} {STATES[to][lang]}</Button>)}</Space>}>
      {inc.error ? <ErrorState error={inc.error} onRetry={inc.reload} /> : d && (
        <Space direction="vertical" size={16} style={{ width: '100%' }}>
          {d.state !== 'closed' && d.report.overdue && <Alert type="error" showIcon message={tr('向监管部门的报告已逾期', 'The report to the regulator is overdue')} />}
          <Descriptions bordered size="small" column={3}>
            <Descriptions.Item label={tr('发现时间', 'Detected')}>{fmtTime(d.detected_at, lang)}</Descriptions.Item>
            <Descriptions.Item label={tr('受影响个人', 'Affected')}>{d.scoped_at ? `${d.affected_count.toLocaleString()}（${tr('敏感', 'sensitive')} ${d.sensitive_count.toLocaleString()}）` : tr('未划定', 'not scoped')}</Descriptions.Item>
            <Descriptions.Item label={tr('报告时限', 'Report deadline')}><ReportCountdown report={d.report} /></Descriptions.Item>
            <Descriptions.Item label={tr('类型', 'Kind')}>{KIND[d.kind]?.[lang]}</Descriptions.Item>
            <Descriptions.Item label={tr('预案', 'Plan')}>{d.plan_version ? `v${d.plan_version}` : '—'}</Descriptions.Item>
            <Descriptions.Item label={tr('总结报告', 'Summary report')}>{d.summary_report.due_at ? `${tr('截止', 'due')} ${fmtTime(d.summary_report.due_at, lang)}${d.summary_report.filed_at ? ` · ${tr('已报送', 'filed')}` : ''}` : '—'}</Descriptions.Item>
          </Descriptions>
          <Tabs items={[
            { key: 'facts', label: tr('事实与处置', 'Facts'), children: <Facts d={d} busy={busy} act={act} /> },
            { key: 'scope', label: tr('影响范围', 'Scope'), children: <ScopePane d={d} busy={busy} act={act} /> },
            { key: 'timeline', label: tr('时间线与预案', 'Timeline and plan'), children: <TimelinePane d={d} act={act} /> },
            { key: 'notify', label: tr('通知个人', 'Notify individuals'), children: <NotifyPane d={d} busy={busy} act={act} /> },
            { key: 'report', label: tr('报告与结案', 'Reports and closure'), children: <ReportPane d={d} busy={busy} act={act} /> },
          ]} />
        </Space>
      )}
    </Drawer>
  );
}

type Act = (fn: () => Promise<unknown>, ok?: string) => Promise<void>;

function Facts({ d, busy, act }: { d: IncidentFull; busy: boolean; act: Act }) {
  const { tr } = useLang();
  const [step] = Form.useForm();
  const save = (v: Record<string, string | undefined>) => act(() => patch(`/incidents/${d.id}`, Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x?.trim() ? x : null]))), tr('已保存', 'Saved'));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{tr('通知个人和监管报告须包含：个人信息种类、原因和可能的危害；已采取的补救措施和个人可采取的措施；联系方式（个人信息保护法第57条）。', 'Notices and the regulator report must hold: PI types, cause and possible harm; remedies taken and what individuals can do; a contact (PIPL Art. 57).')}</Typography.Paragraph>
      <Form layout="vertical" name="incident-facts" initialValues={d} onFinish={save} disabled={d.state === 'closed'}>
        <Form.Item name="cause" label={tr('原因', 'Cause')}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="harm" label={tr('可能造成的危害', 'Possible harm')}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="remedies" label={tr('已采取的补救措施', 'Remedies taken')}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="subject_actions" label={tr('个人可采取的减轻危害措施', 'What individuals can do')}><Input.TextArea rows={2} /></Form.Item>
        <Form.Item name="contact" label={tr('联系方式', 'Contact')}><Input /></Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>{tr('保存', 'Save')}</Button>
      </Form>
      {d.state !== 'closed' && (
        <Card size="small" title={tr('记录处置步骤', 'Record a response step')}>
          <Form form={step} layout="inline" name="incident-step" initialValues={{ kind: 'containment' }} onFinish={(v: { kind: string; text: string }) => void act(() => post(`/incidents/${d.id}/steps`, v), tr('已记录', 'Recorded')).then(() => step.resetFields(['text']))}>
            <Form.Item name="kind"><Select style={{ width: 130 }} options={[['containment', '控制', 'Containment'], ['investigation', '调查', 'Investigation'], ['remedy', '补救', 'Remedy'], ['communication', '沟通', 'Communication'], ['note', '记录', 'Note']].map(([v, zh, en]) => ({ value: v, label: tr(zh, en) }))} /></Form.Item>
            <Form.Item name="text" rules={[{ required: true, whitespace: true }]} style={{ flex: 1, minWidth: 300 }}><Input placeholder={tr('例如：已吊销涉事 API 密钥', 'e.g. revoked the key involved')} /></Form.Item>
            <Button htmlType="submit" loading={busy}>{tr('记录', 'Record')}</Button>
          </Form>
        </Card>
      )}
      <Card size="small" title={tr('调高事件级别', 'Raise the grade')}>
        <Form layout="inline" name="incident-grade" initialValues={{ grade_override: d.grade.override ?? undefined, grade_reason: d.grade.reason ?? '' }} disabled={d.state === 'closed'}
          onFinish={(v: { grade_override?: string; grade_reason?: string }) => void act(() => patch(`/incidents/${d.id}`, { grade_override: v.grade_override ?? null, grade_reason: v.grade_reason?.trim() || null }), tr('已保存', 'Saved'))}>
          <Form.Item name="grade_override"><Select allowClear style={{ width: 140 }} placeholder={tr('按人数计算', 'From the count')} options={[['major', '较大', 'major'], ['serious', '重大', 'serious'], ['especially_serious', '特别重大', 'especially serious']].map(([v, zh, en]) => ({ value: v, label: tr(zh, en) }))} /></Form.Item>
          <Form.Item name="grade_reason" style={{ minWidth: 300 }}><Input placeholder={tr('理由（如涉及关键信息基础设施）', 'Reason (e.g. critical infrastructure involved)')} /></Form.Item>
          <Button htmlType="submit" loading={busy}>{tr('保存', 'Save')}</Button>
        </Form>
      </Card>
    </Space>
  );
}

function ScopePane({ d, busy, act }: { d: IncidentFull; busy: boolean; act: Act }) {
  const { tr, lang } = useLang();
  const collections = useLoad((signal) => get<{ collections: Array<{ name: string }> }>('/collections', { signal }));
  const run = (v: { mode: string; actor_ids?: string; range?: [{ toDate(): Date }, { toDate(): Date }]; collections?: string[] }) => act(() => post(`/incidents/${d.id}/scope`, {
    mode: v.mode, collections: v.collections?.length ? v.collections : undefined,
    ...(v.mode === 'audit' ? { actor_ids: (v.actor_ids ?? '').split(/[\s,]+/).filter(Boolean), from: v.range?.[0].toDate().toISOString(), to: v.range?.[1].toDate().toISOString() } : {}),
  }), tr('已划定范围并重新分级', 'Scoped and graded'));
  const s = d.scope;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Form layout="vertical" name="incident-scope" initialValues={{ mode: 'audit', actor_ids: d.alerts.map((a) => a.actor_id).join(' ') }} onFinish={run} disabled={d.state === 'closed'}>
        <Form.Item name="mode"><Radio.Group options={[{ value: 'audit', label: tr('依审计日志（谁在何时读取了谁）', 'From the audit log (who read whom, when)') }, { value: 'collection', label: tr('整个集合（如数据库或备份丢失）', 'Whole collections (e.g. a lost database or backup)') }]} /></Form.Item>
        <Form.Item noStyle shouldUpdate>{({ getFieldValue }) => getFieldValue('mode') === 'audit' && (<>
          <Form.Item name="actor_ids" label={tr('操作者 ID（空格分隔；留空为所有操作者）', 'Actor ids (space-separated; empty for all)')}><Input placeholder="key_… stf_…" /></Form.Item>
          <Form.Item name="range" label={tr('时间段', 'Period')} rules={[{ required: true }]}><DatePicker.RangePicker showTime /></Form.Item>
        </>)}</Form.Item>
        <Form.Item name="collections" label={tr('集合', 'Collections')}><Select mode="multiple" allowClear options={(collections.data?.collections ?? []).map((c) => ({ value: c.name, label: c.name }))} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>{tr('计算影响范围', 'Compute the scope')}</Button>
      </Form>
      {s && (
        <Card size="small" title={tr(`受影响个人 ${s.affected.toLocaleString()}，其中涉及敏感个人信息 ${s.sensitive.toLocaleString()}`, `${s.affected.toLocaleString()} individuals affected, ${s.sensitive.toLocaleString()} with sensitive PI`)}
          extra={<Typography.Text type="secondary">{tr(`${s.events_matched.toLocaleString()} 条事件，用时 ${s.computed_ms} ms`, `${s.events_matched.toLocaleString()} events, ${s.computed_ms} ms`)}</Typography.Text>}>
          <Space align="start" size={24} wrap>
            <Table size="small" rowKey="type" pagination={false} dataSource={s.by_type} columns={[{ title: tr('个人信息种类', 'PI type'), render: (_, r) => (lang === 'zh' ? r.label_zh : r.label_en) }, { title: tr('个人数', 'Individuals'), dataIndex: 'subjects', render: (n: number) => n.toLocaleString() }]} />
            <Table size="small" rowKey="category" pagination={false} dataSource={s.by_category} columns={[{ title: tr('类别', 'Category'), render: (_, r) => <Space>{lang === 'zh' ? r.label_zh : r.label_en}{r.sensitive && <Tag color="red">{tr('敏感', 'sensitive')}</Tag>}</Space> }, { title: tr('个人数', 'Individuals'), dataIndex: 'subjects', render: (n: number) => n.toLocaleString() }]} />
          </Space>
        </Card>
      )}
    </Space>
  );
}

const ENTRY: Record<string, [string, string]> = {
  opened: ['登记事件', 'Opened'], alert_linked: ['关联告警', 'Alert linked'], updated: ['修改', 'Updated'], scoped: ['划定范围', 'Scoped'], review: ['事后复盘', 'Review'], flag: ['期限提醒', 'Deadline flag'],
  'state.open': ['重新打开', 'Reopened'], 'state.contained': ['已控制', 'Contained'], 'state.reviewing': ['进入复盘', 'Reviewing'], 'state.closed': ['结案', 'Closed'],
  'step.containment': ['控制措施', 'Containment'], 'step.investigation': ['调查', 'Investigation'], 'step.remedy': ['补救', 'Remedy'], 'step.communication': ['沟通', 'Communication'], 'step.note': ['记录', 'Note'],
  'checklist.done': ['完成预案步骤', 'Plan step done'], 'checklist.undone': ['撤销预案步骤', 'Plan step undone'], 'notification.started': ['开始通知个人', 'Notification started'], 'notification.retry': ['重试通知', 'Notification retried'],
  'notification.finished': ['通知完成', 'Notification finished'], 'report.initial_filed': ['已向监管部门报告', 'Report filed'], 'report.summary_filed': ['已报送总结报告', 'Summary filed'],
};

function TimelinePane({ d, act }: { d: IncidentFull; act: Act }) {
  const { tr, lang } = useLang();
  return (
    <Space align="start" size={32} style={{ width: '100%' }} wrap>
      <Card size="small" title={d.plan_version ? tr(`应急预案清单（v${d.plan_version}）`, `Response plan checklist (v${d.plan_version})`) : tr('应急预案清单', 'Response plan checklist')} style={{ minWidth: 380 }}>
        {d.checklist.length === 0 ? <EmptyState title={tr('该类型尚无预案', 'No plan for this kind yet')} hint={tr('在“应急预案”页发布预案后，新事件会带上其步骤清单。', 'Publish a plan in “Response plans”; new incidents then follow its steps.')} /> : d.checklist.map((c) => (
          <div key={c.key} style={{ marginBottom: 8 }}>
            <Checkbox checked={c.done} disabled={d.state === 'closed'} onChange={(e) => void act(() => call('PUT', `/incidents/${d.id}/checklist/${c.key}`, { done: e.target.checked }))}>
              {c.title}{c.role ? ` · ${c.role}` : ''}{c.within_minutes ? <Typography.Text type="secondary"> （{tr(`${c.within_minutes} 分钟内`, `within ${c.within_minutes} min`)}）</Typography.Text> : null}
            </Checkbox>
            {c.done_at && <div><Typography.Text type="secondary" style={{ marginLeft: 24 }}>{fmtTime(c.done_at, lang)} · {c.done_by}</Typography.Text></div>}
          </div>
        ))}
      </Card>
      <Timeline style={{ minWidth: 420 }} items={d.timeline.map((t) => ({
        color: t.entry.startsWith('state.closed') ? 'green' : t.entry === 'flag' ? 'red' : t.entry.startsWith('step.') ? 'blue' : 'gray',
        children: <div><Typography.Text strong>{ENTRY[t.entry] ? tr(...ENTRY[t.entry]) : t.entry}</Typography.Text> <Typography.Text type="secondary">{fmtTime(t.at, lang)} · {t.actor_id}</Typography.Text>{t.note && <div>{t.note}</div>}{t.details && <div><Typography.Text type="secondary" code>{JSON.stringify(t.details)}</Typography.Text></div>}</div>,
      }))} />
    </Space>
  );
}

function NotifyPane({ d, busy, act }: { d: IncidentFull; busy: boolean; act: Act }) {
  const { tr, lang } = useLang();
  const [state, setState] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const list = useLoad((signal) => get<{ notifications: Array<{ subject_id: string; channel: string; state: string; attempts: number; last_error: string | null; sent_at: string | null; body: string }>; total: number }>(`/incidents/${d.id}/notifications${qs({ state, limit: 20, offset: (page - 1) * 20 })}`, { signal }), [d.id, state, page, d.notifications.length]);
  const COLORS: Record<string, string> = { sent: 'green', pending: 'blue', failed: 'red', no_contact: 'default' };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{tr('每位受影响的个人收到一份按其本人受影响信息种类生成的通知；联系方式在投递时通过保管库按“通知目的”读取并记入审计日志。投递渠道：文件发件箱（由短信或邮件网关取走）。', 'Each affected individual gets a notice listing their own affected PI types; the contact is read through the vault at delivery time under the notification purpose, and audited. Delivery: a file outbox that an SMS or mail gateway picks up.')}</Typography.Paragraph>
      <Form layout="inline" name="incident-notify" initialValues={{ channels: ['sms'], language: 'zh-CN' }} disabled={d.state === 'closed' || !d.scoped_at}
        onFinish={(v: { channels: string[]; language: string }) => void act(() => post(`/incidents/${d.id}/notifications`, v), tr('已加入发送队列', 'Queued'))}>
        <Form.Item name="channels" rules={[{ required: true }]}><Checkbox.Group options={[{ value: 'sms', label: tr('短信', 'SMS') }, { value: 'email', label: tr('邮件', 'Email') }]} /></Form.Item>
        <Form.Item name="language"><Select style={{ width: 110 }} options={[{ value: 'zh-CN', label: '中文' }, { value: 'en', label: 'English' }]} /></Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>{tr('通知受影响的个人', 'Notify the individuals')}</Button>
        <Button loading={busy} onClick={() => void act(() => post(`/incidents/${d.id}/notifications/retry`, {}), tr('已重新排队', 'Requeued'))} disabled={!d.notify}>{tr('重试失败的通知', 'Retry failed')}</Button>
      </Form>
      <Space wrap>{d.notifications.map((n) => <Tag key={`${n.state}-${n.channel}`} color={COLORS[n.state]}>{n.channel} · {n.state}: {n.count}</Tag>)}</Space>
      <Select allowClear placeholder={tr('投递状态', 'Delivery state')} aria-label={tr('按投递状态筛选', 'Filter by delivery state')} style={{ width: 140 }} value={state} onChange={(v) => { setState(v); setPage(1); }} options={['pending', 'sent', 'failed', 'no_contact'].map((s) => ({ value: s, label: s }))} />
      {list.error ? <ErrorState compact error={list.error} onRetry={list.reload} /> : (
        <Table size="small" rowKey={(r) => `${r.subject_id}-${r.channel}`} loading={list.loading} dataSource={list.data?.notifications ?? []}
          pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false, hideOnSinglePage: true }}
          expandable={{ expandedRowRender: (r) => <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{r.body}</pre> }}
          columns={[
            { title: tr('个人', 'Individual'), dataIndex: 'subject_id', render: (s: string) => <Typography.Text code>{s}</Typography.Text> },
            { title: tr('渠道', 'Channel'), dataIndex: 'channel' },
            { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={COLORS[s]}>{s}</Tag> },
            { title: tr('尝试', 'Attempts'), dataIndex: 'attempts' },
            { title: tr('发送时间', 'Sent'), dataIndex: 'sent_at', render: (t: string | null) => fmtTime(t, lang) },
            { title: tr('错误', 'Error'), dataIndex: 'last_error', render: (e: string | null) => e ?? '' },
          ]} />
      )}
    </Space>
  );
}

function ReportPane({ d, busy, act }: { d: IncidentFull; busy: boolean; act: Act }) {
  const { tr } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const get1 = (kind: string, format: string) => fetchFile(`/incidents/${d.id}/report${qs({ kind, format })}`, `incident-${kind}-report-${d.id}.${format}`).catch((e) => message.error(errText(e)));
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card size="small" title={tr('向监管部门的事件报告', 'Report to the regulator')}>
        <Space wrap>
          {['pdf', 'docx', 'json'].map((f) => <Button key={f} icon={<DownloadOutlined />} onClick={() => void get1('initial', f)}>{f.toUpperCase()}</Button>)}
          {!d.report.filed_at && <Form layout="inline" name="file-report" onFinish={(v: { reference?: string }) => void act(() => post(`/incidents/${d.id}/report-filings`, { kind: 'initial', reference: v.reference?.trim() || undefined }), tr('已记录报送', 'Filing recorded'))}>
            <Form.Item name="reference"><Input placeholder={tr('回执编号（可选）', 'Receipt no. (optional)')} /></Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>{tr('记录已报送', 'Record as filed')}</Button>
          </Form>}
        </Space>
      </Card>
      <Card size="small" title={tr('事后复盘与结案', 'Review and closure')}>
        <Form layout="vertical" name="incident-review" initialValues={d.review ?? {}} disabled={d.state === 'closed'} onFinish={(v: Record<string, string>) => void act(() => post(`/incidents/${d.id}/review`, v), tr('已保存复盘', 'Review saved'))}>
          <Form.Item name="cause" label={tr('原因分析', 'Root cause')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="lessons" label={tr('经验教训', 'Lessons')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="improvements" label={tr('整改措施', 'Improvements')} rules={[{ required: true, whitespace: true }]}><Input.TextArea rows={2} /></Form.Item>
          <Button htmlType="submit" loading={busy}>{tr('保存复盘', 'Save review')}</Button>
        </Form>
      </Card>
      {d.state === 'closed' && (
        <Card size="small" title={tr('总结报告（结案后 30 日内）', 'Summary report (within 30 days of closing)')}>
          <Space wrap>
            {['pdf', 'docx', 'json'].map((f) => <Button key={f} icon={<DownloadOutlined />} onClick={() => void get1('summary', f)}>{f.toUpperCase()}</Button>)}
            {!d.summary_report.filed_at && <Button type="primary" loading={busy} onClick={() => void act(() => post(`/incidents/${d.id}/report-filings`, { kind: 'summary' }), tr('已记录报送', 'Filing recorded'))}>{tr('记录已报送', 'Record as filed')}</Button>}
          </Space>
        </Card>
      )}
    </Space>
  );
}

function Plans() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const plans = useLoad((signal) => get<{ plans: Array<{ kind: string; version: number; versions: number[]; title: string; steps: Array<{ key: string; title: string; within_minutes?: number }>; roles: Array<{ role: string; name: string }>; created_at: string }> }>('/response-plans', { signal }));
  const [open, setOpen] = useState(false);
  const publish = async (v: { kind: string; title: string; steps: string; roles?: string; contacts?: string }) => {
    const lines = (s?: string) => (s ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    try {
      await post('/response-plans', {
        kind: v.kind, title: v.title,
        steps: lines(v.steps).map((l, i) => { const [title, minutes] = l.split('|').map((x) => x.trim()); return { key: `step_${i + 1}`, title, ...(minutes ? { within_minutes: Number(minutes) } : {}) }; }),
        roles: lines(v.roles).map((l) => { const [role, name, contact] = l.split('|').map((x) => x.trim()); return { role, name: name || role, ...(contact ? { contact } : {}) }; }),
        contacts: lines(v.contacts).map((l) => { const [name, phone] = l.split('|').map((x) => x.trim()); return { name, ...(phone ? { phone } : {}) }; }),
      });
      message.success(tr('已发布新版本', 'New version published')); setOpen(false); plans.reload();
    } catch (e) { message.error(errText(e)); }
  };
  return (
    <Card title={tr('应急预案（每类事件一份，有版本）', 'Response plans (one per kind, versioned)')} extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('发布预案', 'Publish a plan')}</Button>}>
      {plans.error ? <ErrorState error={plans.error} onRetry={plans.reload} /> : (
        <Table rowKey="kind" loading={plans.loading} dataSource={plans.data?.plans ?? []} pagination={false} locale={{ emptyText: <EmptyState title={tr('尚无预案', 'No plans yet')} /> }}
          columns={[
            { title: tr('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => KIND[k]?.[lang] ?? k },
            { title: tr('名称', 'Title'), dataIndex: 'title' },
            { title: tr('版本', 'Version'), render: (_, r) => `v${r.version}（${tr('共', 'of')} ${r.versions.length}）` },
            { title: tr('步骤', 'Steps'), render: (_, r) => <ol style={{ margin: 0, paddingLeft: 18 }}>{r.steps.map((s) => <li key={s.key}>{s.title}{s.within_minutes ? ` (${s.within_minutes} min)` : ''}</li>)}</ol> },
            { title: tr('角色', 'Roles'), render: (_, r) => r.roles.map((x) => `${x.role}: ${x.name}`).join('; ') },
            { title: tr('发布时间', 'Published'), dataIndex: 'created_at', render: (t: string) => fmtTime(t, lang) },
          ]} />
      )}
      <Modal title={tr('发布应急预案', 'Publish a response plan')} open={open} onCancel={() => setOpen(false)} footer={null} destroyOnClose width={640}>
        <Form layout="vertical" name="publish-plan" initialValues={{ kind: 'leak', steps: '启动应急响应，通知负责人|30\n控制：吊销涉事凭据、隔离系统|60\n划定影响范围并定级|120\n向省级网信部门报告|240\n通知受影响的个人\n事后复盘' }} onFinish={publish}>
          <Form.Item name="kind" label={tr('类型', 'Kind')}><Select options={KIND_OPTIONS(lang)} /></Form.Item>
          <Form.Item name="title" label={tr('名称', 'Title')} rules={[{ required: true, whitespace: true }]}><Input /></Form.Item>
          <Form.Item name="steps" label={tr('步骤（每行一步；“|分钟数”为时限）', 'Steps (one a line; "|minutes" for a time limit)')} rules={[{ required: true }]}><Input.TextArea rows={6} /></Form.Item>
          <Form.Item name="roles" label={tr('角色（每行：角色|姓名|联系方式）', 'Roles (a line each: role|name|contact)')}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="contacts" label={tr('外部联系人（每行：名称|电话）', 'External contacts (a line each: name|phone)')}><Input.TextArea rows={2} /></Form.Item>
          <Button type="primary" htmlType="submit">{tr('发布', 'Publish')}</Button>
        </Form>
      </Modal>
    </Card>
  );
}

interface Drill { id: string; scenario: string; scheduled: boolean; started_at: string; ok: boolean; duration_ms: number; steps: Array<{ step: string; ms: number; ok: boolean; detail: Record<string, unknown> }>; problem: string | null }

function Drills() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Drill>('/drills/incidents', 'drills', { sort: 'started_at', order: 'desc' });
  const schedule = (list.data as { schedule?: { every_days: number | null; scenario: string; next_at: string | null } } | undefined)?.schedule;
  const [running, setRunning] = useState(false);
  const SCEN: Record<string, [string, string]> = { bulk_read_leak: ['异常批量读取导致泄露', 'Bulk read leak'], dormant_account_leak: ['休眠账号被盗用', 'Dormant account misuse'], collection_loss: ['数据集整体丢失', 'Whole collection lost'] };
  const run = async (v: { scenario: string; subjects?: number }) => {
    setRunning(true);
    try { const r = await post<{ ok: boolean; duration_ms: number }>('/drills', v); message[r.ok ? 'success' : 'error'](r.ok ? tr(`演练通过，用时 ${r.duration_ms} ms`, `Drill passed in ${r.duration_ms} ms`) : tr('演练未通过', 'Drill failed')); list.reload(); } catch (e) { message.error(errText(e)); } finally { setRunning(false); }
  };
  return (
    <Card title={tr('安全事件演练（在独立的临时存储中用合成数据端到端运行）', 'Incident drills (end to end on synthetic data in a scratch store)')}>
      <Form layout="inline" name="run-drill" initialValues={{ scenario: 'bulk_read_leak', subjects: 120 }} onFinish={run} style={{ marginBottom: 16 }}>
        <Form.Item name="scenario"><Select aria-label={tr('演练场景', 'Drill scenario')} style={{ width: 220 }} options={Object.entries(SCEN).map(([k, v]) => ({ value: k, label: tr(...v) }))} /></Form.Item>
        <Form.Item name="subjects" label={tr('合成个人数', 'Synthetic individuals')}><InputNumber min={10} max={5000} /></Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlayCircleOutlined />} loading={running}>{tr('运行演练', 'Run a drill')}</Button>
        {schedule?.every_days && <Typography.Text type="secondary">{tr(`计划：每 ${schedule.every_days} 天，下次 ${fmtTime(schedule.next_at, lang)}`, `Scheduled every ${schedule.every_days} days; next ${fmtTime(schedule.next_at, lang)}`)}</Typography.Text>}
      </Form>
      {(
        <ServerTable<Drill> list={list} rowKey="id" size="small" empty={tr('尚无演练记录', 'No drills yet')} emptyHint={tr('运行一次演练，或在事件设置中设定定期演练。', 'Run a drill, or schedule drills in the incident settings.')}
          expandable={{ expandedRowRender: (r) => <Table size="small" rowKey="step" pagination={false} dataSource={r.steps} columns={[{ title: tr('步骤', 'Step'), dataIndex: 'step' }, { title: 'ms', dataIndex: 'ms' }, { title: tr('结果', 'Result'), dataIndex: 'ok', render: (ok: boolean) => <Tag color={ok ? 'green' : 'red'}>{ok ? 'OK' : 'FAIL'}</Tag> }, { title: tr('详情', 'Detail'), render: (_, s) => <Typography.Text code>{JSON.stringify(s.detail)}</Typography.Text> }]} /> }}
          columns={[
            { title: tr('时间', 'Started'), dataIndex: 'started_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('started_at') },
            { title: tr('场景', 'Scenario'), dataIndex: 'scenario', render: (s: string) => (SCEN[s] ? tr(...SCEN[s]) : s), ...list.sortCol('scenario'),
              ...list.filterCol('scenario', Object.entries(SCEN).map(([k, v]) => ({ text: tr(...v), value: k })), { multiple: false }) },
            { title: tr('计划内', 'Scheduled'), dataIndex: 'scheduled', render: (s: boolean) => (s ? tr('是', 'yes') : '') },
            { title: tr('用时', 'Duration'), dataIndex: 'duration_ms', render: (ms: number) => `${(ms / 1000).toFixed(1)} s`, ...list.sortCol('duration_ms') },
            { title: tr('结果', 'Result'), ...list.filterCol('ok', [{ text: tr('通过', 'passed'), value: 'true' }, { text: tr('未通过', 'failed'), value: 'false' }], { multiple: false }), render: (_, r) => <Tag color={r.ok ? 'green' : 'red'}>{r.ok ? tr('通过', 'passed') : tr('未通过', 'failed')}</Tag> },
            { title: tr('问题', 'Problem'), dataIndex: 'problem', render: (p: string | null) => p ?? '' },
          ]} />
      )}
    </Card>
  );
}

function Settings() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const s = useLoad((signal) => get<Record<string, unknown> & { grade_thresholds: Record<string, number> }>('/incident-settings', { signal }));
  const sinks = useLoad((signal) => get<{ sinks: Array<{ id: string; kind: string; target: string; enabled: boolean; last_error: string | null; last_sent_at: string | null; pending: number; failed: number }> }>('/incident-sinks', { signal }));
  const [secret, setSecret] = useState<string | null>(null);
  const save = async (v: Record<string, unknown>) => {
    try { await call('PUT', '/incident-settings', v); message.success(tr('已保存', 'Saved')); s.reload(); } catch (e) { message.error(errText(e)); }
  };
  if (s.error) return <ErrorState error={s.error} onRetry={s.reload} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={16}>
      <Card title={tr('报告时限与分级', 'Deadlines and grading')} loading={s.loading}>
        {s.data && (
          <Form layout="vertical" name="incident-settings" initialValues={{ ...s.data, drill_every_days: s.data.drill_every_days ?? undefined }} onFinish={(v: Record<string, unknown>) => void save({ ...v, drill_every_days: v.drill_every_days ?? null })}>
            <Space wrap size={16}>
              <Form.Item name="organisation" label={tr('报告单位', 'Organisation')}><Input style={{ width: 240 }} /></Form.Item>
              <Form.Item name="contact" label={tr('联系方式（通知与报告中使用）', 'Contact (used in notices and reports)')}><Input style={{ width: 260 }} /></Form.Item>
              <Form.Item name="regulator" label={tr('报告对象', 'Regulator')}><Input style={{ width: 260 }} /></Form.Item>
            </Space>
            <Space wrap size={16}>
              <Form.Item name={['grade_thresholds', 'major']} label={tr('较大（人）', 'Major (individuals)')}><InputNumber min={1} style={{ width: 160 }} /></Form.Item>
              <Form.Item name={['grade_thresholds', 'serious']} label={tr('重大（人）', 'Serious')}><InputNumber min={1} style={{ width: 160 }} /></Form.Item>
              <Form.Item name={['grade_thresholds', 'especially_serious']} label={tr('特别重大（人）', 'Especially serious')}><InputNumber min={1} style={{ width: 170 }} /></Form.Item>
              <Form.Item name="report_hours" label={tr('较大及以上报告时限（小时）', 'Report within (hours, major+)')}><InputNumber min={0.25} /></Form.Item>
              <Form.Item name="cii_operator" label={tr('关键信息基础设施运营者', 'CII operator')} valuePropName="checked"><Switch /></Form.Item>
              <Form.Item name="cii_report_hours" label={tr('CII 时限（小时）', 'CII deadline (hours)')}><InputNumber min={0.25} /></Form.Item>
              <Form.Item name="summary_days" label={tr('结案后总结报告（天）', 'Summary after closing (days)')}><InputNumber min={1} /></Form.Item>
            </Space>
            <Space wrap size={16}>
              <Form.Item name="drill_every_days" label={tr('演练周期（天，留空不安排）', 'Drill every (days; empty: none)')}><InputNumber min={1} /></Form.Item>
              <Form.Item name="drill_scenario" label={tr('计划演练场景', 'Scheduled scenario')}><Select style={{ width: 200 }} options={['bulk_read_leak', 'dormant_account_leak', 'collection_loss'].map((x) => ({ value: x, label: x }))} /></Form.Item>
            </Space>
            <Button type="primary" htmlType="submit">{tr('保存', 'Save')}</Button>
          </Form>
        )}
      </Card>
      <Card title={tr('推送告警与事件变化（SIEM）', 'Push alerts and incident changes (SIEM)')}>
        {secret && <Alert type="warning" showIcon closable onClose={() => setSecret(null)} message={tr('Webhook 签名密钥（只显示一次）', 'Webhook signing secret (shown once)')} description={<Typography.Text code copyable>{secret}</Typography.Text>} style={{ marginBottom: 12 }} />}
        <Form layout="inline" name="add-sink" initialValues={{ kind: 'webhook' }} style={{ marginBottom: 12 }} onFinish={async (v: { kind: string; target: string }) => {
          try { const r = await post<{ secret?: string }>('/incident-sinks', v); if (r.secret) setSecret(r.secret); sinks.reload(); } catch (e) { message.error(errText(e)); }
        }}>
          <Form.Item name="kind"><Select style={{ width: 110 }} options={['webhook', 'syslog', 'nats'].map((k) => ({ value: k, label: k }))} /></Form.Item>
          <Form.Item name="target" rules={[{ required: true }]}><Input style={{ width: 360 }} placeholder="https://siem.example/hook · udp://10.0.0.5:514 · nats://10.0.0.6:4222/custodian.incidents" /></Form.Item>
          <Button htmlType="submit">{tr('添加', 'Add')}</Button>
        </Form>
        <Table rowKey="id" size="small" pagination={false} loading={sinks.loading} dataSource={sinks.data?.sinks ?? []}
          columns={[
            { title: tr('类型', 'Kind'), dataIndex: 'kind' }, { title: tr('目标', 'Target'), dataIndex: 'target' },
            { title: tr('启用', 'On'), dataIndex: 'enabled', render: (on: boolean, r) => <Switch checked={on} onChange={(x) => void patch(`/incident-sinks/${r.id}`, { enabled: x }).then(sinks.reload, (e) => message.error(errText(e)))} aria-label={tr('启用', 'Enable')} /> },
            { title: tr('最近推送', 'Last sent'), dataIndex: 'last_sent_at', render: (t: string | null) => fmtTime(t, lang) },
            { title: tr('待推送 / 失败', 'Pending / failed'), render: (_, r) => `${r.pending} / ${r.failed}` },
            { title: tr('错误', 'Error'), dataIndex: 'last_error', render: (e: string | null) => (e ? <Typography.Text type="danger">{e}</Typography.Text> : '') },
          ]} />
      </Card>
    </Space>
  );
}
