/** Compliance audits (合规审计): audits with their PIPL checklist and evidence, the audit calendar, settings, external auditors, the security self-check. */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { PIPL_RULES } from '../../../../src/compliance/pipl-rules.js';
import {
  App, Alert, Button, Card, Checkbox, DatePicker, Descriptions, Drawer, Form, Input, Modal, Radio, Select, Space, Table, Tabs, Tag, Typography, Upload,
} from 'antd';
import { DownloadOutlined, PlusOutlined, ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { fetchFile, get, post, put } from '../../api';
import { useLang } from '../../i18n';
import { useAuth } from '../auth';
import { download, ErrorState, fmtTime, useErrorText, useLoad } from '../ui';
import { ServerTable, useServerList } from '../server-list';

export const STATUS: Record<string, { zh: string; en: string; color: string }> = {
  pass: { zh: '符合', en: 'pass', color: 'green' }, warn: { zh: '需改进', en: 'warn', color: 'orange' }, fail: { zh: '不符合', en: 'fail', color: 'red' },
  open: { zh: '待定', en: 'open', color: 'blue' }, not_available: { zh: '不可用', en: 'n/a', color: 'default' }, not_applicable: { zh: '不适用', en: 'n/a', color: 'default' },
  skip: { zh: '跳过', en: 'skipped', color: 'default' },
};

const CONCLUSION: Record<string, { zh: string; en: string; color: string }> = {
  compliant: { zh: '符合', en: 'compliant', color: 'green' }, findings: { zh: '有待改进项', en: 'findings', color: 'orange' },
  non_compliant: { zh: '存在不符合项', en: 'non-compliant', color: 'red' }, incomplete: { zh: '未完成', en: 'incomplete', color: 'blue' },
};

interface Item { key: string; article: string; kind: 'auto' | 'manual'; title_zh: string; title_en: string; status: string; evidence: Record<string, unknown> | null; note: string | null; attachments: Array<{ id: string; filename: string; size: number; sha256: string }> }
interface Audit { id: string; title: string; kind: string; firm: string | null; period_from: string; period_to: string; state: string; created_at: string; completed_at: string | null; conclusion?: string | null; outcome?: Record<string, number | string>; items?: Item[] }
interface DoctorCheck { id: string; status: string; title_zh: string; title_en: string; detail_zh: string; detail_en: string; rule: string }

export function StatusTag({ s }: { s: string }) {
  const { lang } = useLang();
  return <Tag color={STATUS[s]?.color}>{STATUS[s]?.[lang] ?? s}</Tag>;
}

export function DoctorList({ compact }: { compact?: boolean }) {
  const { tr, lang } = useLang();
  const d = useLoad((signal) => get<{ ok: boolean; at: string; summary: Record<string, number>; checks: DoctorCheck[] }>('/doctor', { signal }));
  if (d.error) return <ErrorState compact error={d.error} onRetry={d.reload} />;
  return (
    <div>
      {d.data && <Alert showIcon type={d.data.ok ? (d.data.summary.warn ? 'warning' : 'success') : 'error'} style={{ marginBottom: 12 }}
        message={tr(`${d.data.summary.pass} 项通过，${d.data.summary.warn} 项警告，${d.data.summary.fail} 项失败`, `${d.data.summary.pass} pass, ${d.data.summary.warn} warn, ${d.data.summary.fail} fail`)}
        action={<Button size="small" icon={<ReloadOutlined />} onClick={d.reload}>{tr('重新检查', 'Check again')}</Button>} />}
      <Table<DoctorCheck> size="small" rowKey="id" loading={d.loading} dataSource={d.data?.checks ?? []} pagination={false} showHeader={!compact}
        columns={[
          { title: tr('结果', 'Result'), dataIndex: 'status', width: 90, render: (s: string) => <StatusTag s={s} /> },
          { title: tr('检查', 'Check'), render: (_: unknown, c) => (lang === 'zh' ? c.title_zh : c.title_en) },
          ...(compact ? [] : [{ title: tr('说明', 'Detail'), render: (_: unknown, c: DoctorCheck) => (lang === 'zh' ? c.detail_zh : c.detail_en) }, { title: tr('依据', 'Rule'), dataIndex: 'rule', width: 140 }]),
        ]} />
    </div>
  );
}

function AuditDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const a = useLoad((signal) => get<Audit>(`/compliance-audits/${id}`, { signal }), [id]);
  const [answer, setAnswer] = useState<Item | null>(null);
  const [form] = Form.useForm();
  const manage = can('compliance.manage');
  const act = async (fn: () => Promise<unknown>, ok: string) => { try { await fn(); message.success(ok); a.reload(); } catch (e) { message.error(errText(e)); } };
  const exportAs = async (format: string) => {
    try { download(`compliance-audit-${id}.${format}`, await fetchFile(`/compliance-audits/${id}/report?format=${format}`)); } catch (e) { message.error(errText(e)); }
  };
  const v = a.data;
  return (
    <Drawer open width={1000} onClose={onClose} title={v?.title ?? tr('审计', 'Audit')} extra={v && <Space>
      {v.state === 'open' && manage && <Button icon={<ReloadOutlined />} onClick={() => act(() => post(`/compliance-audits/${id}/collect`), tr('证据已重新收集', 'Evidence collected'))}>{tr('收集证据', 'Collect evidence')}</Button>}
      {v.state === 'open' && manage && <Button type="primary" onClick={() => act(() => post(`/compliance-audits/${id}/complete`, {}), tr('审计已完成', 'Audit completed'))}>{tr('完成审计', 'Complete')}</Button>}
      {['xlsx', 'docx', 'pdf'].map((f) => <Button key={f} icon={<DownloadOutlined />} onClick={() => exportAs(f)}>{f.toUpperCase()}</Button>)}
    </Space>}>
      {a.error ? <ErrorState error={a.error} onRetry={a.reload} /> : v && (
        <>
          <Descriptions size="small" column={3} items={[
            { key: 'p', label: tr('期间', 'Period'), children: `${v.period_from} – ${v.period_to}` },
            { key: 'k', label: tr('类型', 'Kind'), children: v.kind === 'external' ? `${tr('外部', 'external')} · ${v.firm}` : tr('内部', 'internal') },
            { key: 's', label: tr('结论', 'Outcome'), children: <Tag color={CONCLUSION[String(v.outcome?.conclusion)]?.color}>{CONCLUSION[String(v.outcome?.conclusion)]?.[lang] ?? String(v.outcome?.conclusion)}</Tag> },
          ]} />
          <Table<Item> size="small" rowKey="key" dataSource={v.items} pagination={false} style={{ marginTop: 12 }}
            columns={[
              { title: tr('条款', 'Article'), dataIndex: 'article', width: 150, render: (a: string, i: Item) => (PIPL_RULES.some((r) => r.enforced_by.some((e) => e.check === i.key)) ? <Link to={`/rules?q=${encodeURIComponent(i.key)}`} title={tr('在规则库中查看', 'See in the rules library')}>{a}</Link> : a) },
              { title: tr('检查项', 'Item'), render: (_: unknown, i) => <Space direction="vertical" size={0}><span>{lang === 'zh' ? i.title_zh : i.title_en}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{i.kind === 'auto' ? tr('系统证据', 'system evidence') : tr('人工', 'manual')}</Typography.Text></Space> },
              { title: tr('结论', 'Status'), dataIndex: 'status', width: 90, render: (s: string) => <StatusTag s={s} /> },
              { title: tr('证据', 'Evidence'), render: (_: unknown, i) => <Typography.Text style={{ fontSize: 12 }}>{String((i.evidence as Record<string, unknown> | null)?.[lang === 'zh' ? 'summary_zh' : 'summary_en'] ?? '')}{i.note ? ` · ${i.note}` : ''}</Typography.Text> },
              { title: tr('附件', 'Files'), width: 160, render: (_: unknown, i) => <Space direction="vertical" size={0}>{i.attachments.map((f) => (
                <Typography.Link key={f.id} onClick={async () => { try { download(f.filename, await fetchFile(`/compliance-audits/${id}/attachments/${f.id}`)); } catch (e) { message.error(errText(e)); } }}>{f.filename}</Typography.Link>))}</Space> },
              ...(v.state === 'open' && manage ? [{ title: '', width: 170, render: (_: unknown, i: Item) => <Space>
                <Button size="small" onClick={() => { setAnswer(i); form.setFieldsValue({ status: i.kind === 'manual' ? (i.status === 'open' ? undefined : i.status) : undefined, note: i.note }); }}>{i.kind === 'manual' ? tr('作结论', 'Answer') : tr('备注', 'Note')}</Button>
                <Upload showUploadList={false} beforeUpload={(file) => {
                  const r = new FileReader();
                  r.onload = () => act(() => post(`/compliance-audits/${id}/items/${i.key}/attachments`, { filename: file.name, content_type: file.type || 'application/octet-stream', content_base64: String(r.result).split(',')[1] ?? '' }), tr('附件已上传', 'Attached'));
                  r.readAsDataURL(file);
                  return false;
                }}><Button size="small" icon={<UploadOutlined />} aria-label={tr('上传附件', 'Attach a file')} /></Upload>
              </Space> }] : []),
            ]} />
          <Modal open={Boolean(answer)} title={answer ? (lang === 'zh' ? answer.title_zh : answer.title_en) : ''} onCancel={() => setAnswer(null)} onOk={() => form.submit()} destroyOnClose>
            <Form form={form} layout="vertical" onFinish={(x: { status?: string; note?: string }) => act(() => put(`/compliance-audits/${id}/items/${answer!.key}`, answer!.kind === 'manual' ? x : { note: x.note }), tr('已保存', 'Saved')).then(() => setAnswer(null))}>
              {answer?.kind === 'manual' && <Form.Item name="status" label={tr('结论', 'Status')} rules={[{ required: true }]}>
                <Radio.Group options={['pass', 'warn', 'fail', 'not_applicable'].map((s) => ({ value: s, label: STATUS[s][lang] }))} />
              </Form.Item>}
              <Form.Item name="note" label={tr('备注', 'Note')}><Input.TextArea rows={3} maxLength={4000} /></Form.Item>
            </Form>
          </Modal>
        </>
      )}
    </Drawer>
  );
}

function Audits() {
  const { tr, lang } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const { can } = useAuth();
  const list = useServerList<Audit>('/compliance-audits', 'audits', { sort: 'created_at', order: 'desc' });
  const cal = useLoad((signal) => get<{ individuals: number; minors: boolean; interval_months: number | null; next_due: string | null; overdue: boolean; basis: { zh: string; en: string }; firm_rotation: { firm: string | null; consecutive: number; must_change: boolean } }>('/compliance-audits/calendar', { signal }));
  const [open, setOpen] = useState(false);
  const [detail, setDetail] = useState<string | null>(null);
  const [form] = Form.useForm();
  const create = async (v: { title: string; kind: string; firm?: string; period: [{ format(f: string): string }, { format(f: string): string }] }) => {
    try {
      const a = await post<Audit>('/compliance-audits', { title: v.title, kind: v.kind, firm: v.firm, period_from: v.period[0].format('YYYY-MM-DD'), period_to: v.period[1].format('YYYY-MM-DD') });
      setOpen(false); form.resetFields(); list.reload(); cal.reload(); setDetail(a.id);
    } catch (e) { message.error(errText(e)); }
  };
  return (
    <>
      {cal.data && <Alert showIcon type={cal.data.overdue ? 'error' : 'info'} style={{ marginBottom: 16 }}
        message={tr(`审计日历：${cal.data.basis.zh}`, `Audit calendar: ${cal.data.basis.en}`)}
        description={<Space direction="vertical" size={0}>
          <span>{tr(`个人数量 ${cal.data.individuals.toLocaleString()}；下次应审计：${cal.data.next_due ?? '—'}${cal.data.overdue ? '（已逾期）' : ''}`, `Individuals ${cal.data.individuals.toLocaleString()}; next audit due: ${cal.data.next_due ?? '—'}${cal.data.overdue ? ' (overdue)' : ''}`)}</span>
          {cal.data.firm_rotation.firm && <span>{tr(`外部机构 ${cal.data.firm_rotation.firm} 已连续 ${cal.data.firm_rotation.consecutive} 次${cal.data.firm_rotation.must_change ? '，下次须更换' : ''}`, `External firm ${cal.data.firm_rotation.firm}: ${cal.data.firm_rotation.consecutive} in a row${cal.data.firm_rotation.must_change ? '; the next must differ' : ''}`)}</span>}
        </Space>} />}
      <Card title={tr('合规审计', 'Compliance audits')} extra={can('compliance.manage') && <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('开始审计', 'New audit')}</Button>}>
        {(
          <ServerTable<Audit> list={list} rowKey="id" onRow={(r) => ({ onClick: () => setDetail(r.id), onKeyDown: (e) => { if (e.key === 'Enter') setDetail(r.id); }, tabIndex: 0, style: { cursor: 'pointer' } })}
            empty={tr('还没有审计', 'No audits yet')} emptyHint={tr('开始一次审计，系统会自动收集证据。', 'Start an audit: the system collects the evidence itself.')}
            columns={[
              { title: tr('名称', 'Title'), dataIndex: 'title', ...list.sortCol('title') },
              { title: tr('期间', 'Period'), render: (_: unknown, a) => `${a.period_from} – ${a.period_to}`, ...list.sortCol('period_from') },
              { title: tr('类型', 'Kind'), ...list.filterCol('kind', [{ text: tr('内部', 'internal'), value: 'internal' }, { text: tr('外部', 'external'), value: 'external' }], { multiple: false }), render: (_: unknown, a) => (a.kind === 'external' ? `${tr('外部', 'external')} · ${a.firm}` : tr('内部', 'internal')) },
              { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => <Tag color={s === 'completed' ? 'green' : 'blue'}>{s === 'completed' ? tr('已完成', 'completed') : tr('进行中', 'open')}</Tag>, ...list.sortCol('state'),
                ...list.filterCol('state', [{ text: tr('进行中', 'open'), value: 'open' }, { text: tr('已完成', 'completed'), value: 'completed' }], { multiple: false }) },
              { title: tr('完成时间', 'Completed'), dataIndex: 'completed_at', render: (t: string | null) => fmtTime(t, lang), ...list.sortCol('completed_at') },
            ]} />
        )}
      </Card>
      <Modal open={open} title={tr('开始合规审计', 'New compliance audit')} onCancel={() => setOpen(false)} onOk={() => form.submit()} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={create} initialValues={{ kind: 'internal' }}>
          <Form.Item name="title" label={tr('名称', 'Title')} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>
          <Form.Item name="kind" label={tr('类型', 'Kind')}><Radio.Group options={[{ value: 'internal', label: tr('内部', 'Internal') }, { value: 'external', label: tr('外部专业机构', 'External firm') }]} /></Form.Item>
          <Form.Item noStyle shouldUpdate>{() => form.getFieldValue('kind') === 'external' && <Form.Item name="firm" label={tr('专业机构', 'Firm')} rules={[{ required: true }]}><Input maxLength={200} /></Form.Item>}</Form.Item>
          <Form.Item name="period" label={tr('审计期间', 'Period')} rules={[{ required: true }]}><DatePicker.RangePicker /></Form.Item>
        </Form>
      </Modal>
      {detail && <AuditDetail id={detail} onClose={() => { setDetail(null); list.reload(); }} />}
    </>
  );
}

function Settings() {
  const { tr } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const s = useLoad((signal) => get<{ handler: Record<string, string> | null; officer: Record<string, string> | null; minors: boolean }>('/compliance/settings', { signal }));
  const [form] = Form.useForm();
  if (s.error) return <ErrorState error={s.error} onRetry={s.reload} />;
  if (!s.data) return null;
  const save = async (v: { handler: Record<string, string>; officer: Record<string, string>; minors: boolean }) => {
    try { await put('/compliance/settings', v); message.success(tr('已保存', 'Saved')); s.reload(); } catch (e) { message.error(errText(e)); }
  };
  return (
    <Card title={tr('处理者与个人信息保护负责人', 'Handler and PI protection officer')}>
      <Form form={form} layout="vertical" onFinish={save} initialValues={{ handler: s.data.handler ?? {}, officer: s.data.officer ?? {}, minors: s.data.minors }} style={{ maxWidth: 640 }}>
        <Form.Item name={['handler', 'name']} label={tr('处理者名称', 'Handler name')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name={['handler', 'contact']} label={tr('处理者联系方式', 'Handler contact')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name={['officer', 'name']} label={tr('负责人姓名', 'Officer name')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name={['officer', 'contact']} label={tr('负责人联系方式', 'Officer contact')} rules={[{ required: true }]}><Input /></Form.Item>
        <Form.Item name="minors" valuePropName="checked"><Checkbox>{tr('处理未成年人个人信息（每年审计）', "Handles minors' PI (yearly audits)")}</Checkbox></Form.Item>
        <Button type="primary" htmlType="submit">{tr('保存', 'Save')}</Button>
      </Form>
    </Card>
  );
}

function Auditors() {
  const { tr, lang } = useLang();
  const { message, modal } = App.useApp();
  const errText = useErrorText();
  const l = useLoad((signal) => get<{ engagements: Array<{ id: string; firm: string; auditor_name: string; expires_at: string; active: boolean }> }>('/auditors', { signal }));
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const grant = async (v: { firm: string; auditor_name: string; days: number }) => {
    try {
      const r = await post<{ api_key: string; expires_at: string }>('/auditors', { firm: v.firm, auditor_name: v.auditor_name, expires_at: new Date(Date.now() + v.days * 86_400_000).toISOString() });
      setOpen(false); form.resetFields(); l.reload();
      modal.info({ title: tr('只读密钥（只显示一次）', 'Read-only key (shown once)'), content: <Typography.Paragraph copyable code>{r.api_key}</Typography.Paragraph> });
    } catch (e) { message.error(errText(e)); }
  };
  return (
    <Card title={tr('外部审计人员（限期只读，不可见个人信息，访问全程留痕）', 'External auditors (time-limited, read-only, no PI, every request audited)')} extra={<Button icon={<PlusOutlined />} onClick={() => setOpen(true)}>{tr('签发密钥', 'Issue a key')}</Button>}>
      {l.error ? <ErrorState error={l.error} onRetry={l.reload} /> : (
        <Table rowKey="id" loading={l.loading} dataSource={l.data?.engagements ?? []} pagination={false}
          columns={[
            { title: tr('机构', 'Firm'), dataIndex: 'firm' }, { title: tr('人员', 'Auditor'), dataIndex: 'auditor_name' },
            { title: tr('到期', 'Expires'), dataIndex: 'expires_at', render: (t: string) => fmtTime(t, lang) },
            { title: tr('状态', 'State'), dataIndex: 'active', render: (a: boolean) => <Tag color={a ? 'green' : 'default'}>{a ? tr('有效', 'active') : tr('失效', 'inactive')}</Tag> },
            { title: '', render: (_: unknown, r: { id: string; active: boolean }) => r.active && <Button size="small" danger onClick={async () => { try { await post(`/auditors/${r.id}/revoke`); l.reload(); } catch (e) { message.error(errText(e)); } }}>{tr('撤销', 'Revoke')}</Button> },
          ]} />
      )}
      <Modal open={open} title={tr('签发外部审计密钥', 'Issue an auditor key')} onCancel={() => setOpen(false)} onOk={() => form.submit()} destroyOnClose>
        <Form form={form} layout="vertical" onFinish={grant} initialValues={{ days: 30 }}>
          <Form.Item name="firm" label={tr('机构', 'Firm')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="auditor_name" label={tr('人员', 'Auditor')} rules={[{ required: true }]}><Input /></Form.Item>
          <Form.Item name="days" label={tr('有效天数', 'Valid for (days)')}><Select options={[7, 30, 90, 180].map((d) => ({ value: d, label: d }))} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

export default function Compliance() {
  const { tr } = useLang();
  const { can } = useAuth();
  return (
    <Tabs items={[
      { key: 'audits', label: tr('合规审计', 'Audits'), children: <Audits /> },
      { key: 'doctor', label: tr('安全自检', 'Security self-check'), children: <Card title={tr('部署安全自检（custodian doctor）', 'Deployment self-check (custodian doctor)')}><DoctorList /></Card> },
      { key: 'settings', label: tr('设置', 'Settings'), children: <Settings /> },
      ...(can('compliance.manage') ? [{ key: 'auditors', label: tr('外部审计', 'External auditors'), children: <Auditors /> }] : []),
    ]} />
  );
}
