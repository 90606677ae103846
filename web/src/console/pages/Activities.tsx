/** The register of processing activities (处理活动记录): list with server paging, detail with revisions, edit, activate, retire, export. */
import { useState } from 'react';
import {
  App, Badge, Button, Card, Descriptions, Divider, Drawer, Dropdown, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Tag, Timeline, Typography,
} from 'antd';
import { DownloadOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { get, patch, post, storedKey, type Collection, type Notice, type Purpose } from '../../api';
import { useLang } from '../../i18n';
import {
  ACTIVITY_STATES, ACTIVITY_STATE_LABELS, CATEGORIES, CATEGORY_LABELS, END_ACTIONS, END_ACTION_LABELS, LEGAL_BASES, LEGAL_BASIS_LABELS, OPERATIONS, OPERATION_LABELS,
  RECIPIENT_KINDS, RECIPIENT_KIND_LABELS, SECURITY_MEASURES, SECURITY_MEASURE_LABELS, SOURCES, SOURCE_LABELS, SUBJECT_CATEGORIES, SUBJECT_CATEGORY_LABELS,
  TRANSFER_MECHANISMS, TRANSFER_MECHANISM_LABELS, TRIGGERS, TRIGGER_LABELS, type L,
} from '../../labels';
import { download, EmptyState, fmtTime, isMissingRoute, useErrorText, useLoad } from '../ui';
import { ListSearch, ServerTable, useServerList } from '../server-list';

type Triggers = Record<(typeof TRIGGERS)[number], boolean>;
interface Recipient { name: string; kind: string; country?: string; contact?: string; purpose?: string; fields?: string[]; contract_ref?: string }
export interface Activity {
  id: string; name: string; state: 'draft' | 'active' | 'retired'; revision: number; description?: string; purposes: string[]; legal_basis: string;
  subject_categories?: string[]; estimated_subjects?: number; data?: Array<{ collection: string; fields: string[] }>; other_pi?: Array<{ label: string; category: string; sensitive?: boolean }>;
  sources?: string[]; operations?: string[]; manner?: string; automated_decision?: boolean; recipients?: Recipient[];
  cross_border?: { countries: string[]; recipients?: string[]; mechanism?: string; note?: string } | null; retention?: { period: string; days?: number; end_action?: string };
  security_measures?: string[]; security_notes?: string; department?: string; owner?: string; owner_contact?: string; systems?: string[]; notice?: string;
  computed: { categories: string[]; fields: Array<{ collection: string; field: string; sensitive: boolean }>; sensitive_fields: string[]; cross_border_countries: string[] };
  triggers: Triggers; assessment_required: boolean; created_at: string; updated_at: string; activated_at: string | null; retired_at: string | null; retire_reason: string | null;
}
interface Revision { revision: number; change: string; state: string; changed: string[]; actor_type: string; actor_id: string; at: string }

const STATE_COLOR: Record<string, string> = { draft: 'default', active: 'green', retired: 'red' };
const CHANGE: Record<string, L> = { create: { zh: '登记', en: 'Created' }, update: { zh: '修改', en: 'Revised' }, activate: { zh: '生效', en: 'Activated' }, retire: { zh: '停止', en: 'Retired' } };

function options<K extends string>(keys: readonly K[], labels: Record<K, L>, lang: 'zh' | 'en') { return keys.map((k) => ({ value: k, label: labels[k][lang] })); }

/** Form values -> request body: empty optionals dropped, nested blocks only when filled. */
function toBody(v: Record<string, any>) {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null || x === '' || (Array.isArray(x) && x.length === 0 && !['security_measures', 'recipients', 'data', 'other_pi'].includes(k))) continue;
    out[k] = x;
  }
  if (v.retention && !v.retention.period) delete out.retention;
  if (out.retention) out.retention = Object.fromEntries(Object.entries(v.retention).filter(([, x]) => x !== undefined && x !== null && x !== ''));
  if (!v.cross_border?.countries?.length) out.cross_border = null;
  else out.cross_border = Object.fromEntries(Object.entries(v.cross_border).filter(([, x]) => x !== undefined && x !== '' && !(Array.isArray(x) && !x.length)));
  out.recipients = (v.recipients ?? []).map((r: Recipient) => Object.fromEntries(Object.entries(r).filter(([, x]) => x !== undefined && x !== '' && !(Array.isArray(x) && !x.length))));
  return out;
}

export default function Activities() {
  const { tr, lang, lbl } = useLang();
  const { message } = App.useApp();
  const errText = useErrorText();
  const list = useServerList<Activity>('/activities', 'activities', { sort: 'updated_at', order: 'desc' });
  const filter = list.params.filters;
  const purposes = useLoad((signal) => get<{ purposes: Purpose[] }>('/purposes', { signal }));
  const collections = useLoad((signal) => get<{ collections: Collection[] }>('/collections', { signal }));
  const notices = useLoad((signal) => get<{ notices: Notice[] }>('/notices', { signal }));
  const [shown, setShown] = useState<Activity | null>(null);
  const [revisions, setRevisions] = useState<Revision[]>([]);
  const [editing, setEditing] = useState<Activity | 'new' | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();

  if (isMissingRoute(list.error)) return <Card title={tr('处理活动记录', 'Processing activities')}><EmptyState title={tr('此服务器尚未提供处理活动记录', 'This server has no register of processing activities')} /></Card>;

  const show = async (a: Activity) => {
    setShown(a);
    try { setRevisions((await get<{ revisions: Revision[] }>(`/activities/${a.id}/revisions`)).revisions); } catch { setRevisions([]); }
  };
  const refreshShown = async (id: string) => { const a = await get<Activity>(`/activities/${id}`); await show(a); list.reload(); };
  const openEdit = (a: Activity | 'new') => {
    form.resetFields();
    if (a !== 'new') form.setFieldsValue({ ...a, cross_border: a.cross_border ?? undefined });
    setEditing(a);
  };
  const save = async (v: Record<string, any>) => {
    setBusy(true);
    try {
      const body = toBody(v);
      const out = editing === 'new' ? await post<Activity>('/activities', body) : await patch<Activity>(`/activities/${(editing as Activity).id}`, { ...body, expected_revision: (editing as Activity).revision });
      message.success(editing === 'new' ? tr('已登记（草稿）', 'Registered (draft)') : tr(`已保存第 ${out.revision} 版`, `Saved revision ${out.revision}`));
      setEditing(null); list.reload();
      if (shown) await show(out);
    } catch (e) { message.error(errText(e)); } finally { setBusy(false); }
  };
  const act = async (a: Activity, what: 'activate' | 'retire') => {
    try {
      await post(`/activities/${a.id}/${what}`, what === 'retire' ? {} : undefined);
      message.success(what === 'activate' ? tr('已生效', 'Activated') : tr('已停止', 'Retired'));
      await refreshShown(a.id);
    } catch (e) { message.error(errText(e)); }
  };
  const exportAs = async (format: 'xlsx' | 'json') => {
    try {
      const key = storedKey();
      const res = await fetch(`/api/v1/activities/export?format=${format}${filter.state ? `&state=${filter.state}` : ''}`, { credentials: 'same-origin', headers: key ? { authorization: `Bearer ${key}` } : {} });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `processing-activities.${format}`;
      download(name, await res.blob(), res.headers.get('content-type') ?? undefined);
    } catch (e) { message.error(errText(e)); }
  };
  const purposeTitle = (p: string) => { const x = purposes.data?.purposes.find((y) => y.name === p); return x ? (lang === 'en' && x.title_en ? x.title_en : x.title) : p; };
  const triggerTags = (t: Triggers) => TRIGGERS.filter((k) => t[k]).map((k) => <Tag key={k} color="volcano">{TRIGGER_LABELS[k][lang]}</Tag>);
  const cols = collections.data?.collections ?? [];

  return (
    <Card title={tr('处理活动记录（PIPL 第54–56条）', 'Register of processing activities (PIPL Art. 54–56)')} extra={<Space wrap>
      <Select allowClear placeholder={tr('状态', 'State')} style={{ width: 110 }} aria-label={tr('按状态筛选', 'Filter by state')} value={filter.state}
        onChange={(v) => list.setFilter('state', v)} options={options(ACTIVITY_STATES, ACTIVITY_STATE_LABELS, lang)} />
      <Select allowClear placeholder={tr('影响评估情形', 'Assessment trigger')} style={{ width: 170 }} aria-label={tr('按影响评估情形筛选', 'Filter by trigger')} value={filter.trigger}
        onChange={(v) => list.setFilter('trigger', v)} options={options(TRIGGERS, TRIGGER_LABELS, lang)} />
      <ListSearch list={list} placeholder={tr('名称', 'Name')} label={tr('按名称搜索', 'Search by name')} width={160} />
      <Button icon={<ReloadOutlined />} onClick={list.reload} aria-label={tr('刷新', 'Refresh')} />
      <Dropdown menu={{ items: [{ key: 'xlsx', label: 'Excel (XLSX)', onClick: () => void exportAs('xlsx') }, { key: 'json', label: 'JSON', onClick: () => void exportAs('json') }] }}>
        <Button icon={<DownloadOutlined />}>{tr('导出', 'Export')}</Button>
      </Dropdown>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => openEdit('new')}>{tr('登记处理活动', 'New activity')}</Button>
    </Space>}>
      <Typography.Paragraph type="secondary">{tr('记录每项个人信息处理活动的目的、合法性基础、个人信息种类和字段、接收方、出境、保存期限、安全措施与负责人。涉及敏感个人信息、自动化决策、委托处理、对外提供、公开或出境的活动，须先完成个人信息保护影响评估（第55条）。',
        'Each activity records its purposes, legal basis, PI types and fields, recipients, export, retention, security measures and owner. Activities with sensitive PI, automated decisions, entrusting, provision, disclosure or export need an impact assessment first (Art. 55).')}</Typography.Paragraph>
      {(
        <ServerTable<Activity> list={list} rowKey="id"
          empty={tr('还没有处理活动', 'No processing activities yet')} emptyHint={tr('从业务流程出发登记：客户服务、会员营销、订单配送……', 'Start from business processes: customer service, member marketing, delivery…')}
          onRow={(a) => ({ onClick: () => void show(a), onKeyDown: (e) => { if (e.key === 'Enter') void show(a); }, tabIndex: 0, style: { cursor: 'pointer' } })}
          columns={[
            { title: tr('处理活动', 'Activity'), dataIndex: 'name', render: (n: string) => <Typography.Text strong>{n}</Typography.Text>, ...list.sortCol('name') },
            { title: tr('状态', 'State'), dataIndex: 'state', ...list.sortCol('state'), render: (s: Activity['state']) => <Tag color={STATE_COLOR[s]}>{ACTIVITY_STATE_LABELS[s][lang]}</Tag> },
            { title: tr('目的', 'Purposes'), dataIndex: 'purposes', render: (p: string[]) => p.map((x) => <Tag key={x}>{purposeTitle(x)}</Tag>) },
            { title: tr('合法性基础', 'Legal basis'), dataIndex: 'legal_basis', render: (b: string) => lbl(LEGAL_BASIS_LABELS[b as keyof typeof LEGAL_BASIS_LABELS], b) },
            { title: tr('个人信息', 'PI'), render: (_, a) => <Space size={4} wrap>{a.computed.categories.map((c) => <Tag key={c}>{lbl(CATEGORY_LABELS[c as keyof typeof CATEGORY_LABELS], c)}</Tag>)}{a.computed.sensitive_fields.length > 0 && <Badge count={a.computed.sensitive_fields.length} color="red" title={tr('敏感个人信息', 'Sensitive PI')} />}</Space> },
            { title: tr('影响评估情形', 'Assessment triggers'), render: (_, a) => triggerTags(a.triggers) },
            { title: tr('负责部门', 'Department'), dataIndex: 'department', ...list.sortCol('department') },
            { title: tr('版本', 'Rev.'), dataIndex: 'revision' },
            { title: tr('更新时间', 'Updated'), dataIndex: 'updated_at', render: (t: string) => fmtTime(t, lang), ...list.sortCol('updated_at') },
          ]} />
      )}

      <Drawer width={720} open={Boolean(shown)} onClose={() => setShown(null)} title={shown?.name} destroyOnClose extra={shown && shown.state !== 'retired' && <Space>
        <Button icon={<EditOutlined />} onClick={() => openEdit(shown)}>{tr('修改', 'Edit')}</Button>
        {shown.state === 'draft' && <Button type="primary" onClick={() => void act(shown, 'activate')}>{tr('生效', 'Activate')}</Button>}
        <Popconfirm title={tr('停止后不能再修改。确定？', 'A retired activity can no longer change. Retire?')} onConfirm={() => void act(shown, 'retire')} okText={tr('停止', 'Retire')} cancelText={tr('取消', 'Cancel')}>
          <Button danger>{tr('停止', 'Retire')}</Button>
        </Popconfirm>
      </Space>}>
        {shown && <>
          <Descriptions column={1} size="small" bordered labelStyle={{ width: 170 }} items={[
            { key: 'state', label: tr('状态', 'State'), children: <Space><Tag color={STATE_COLOR[shown.state]}>{ACTIVITY_STATE_LABELS[shown.state][lang]}</Tag>{tr(`第 ${shown.revision} 版`, `revision ${shown.revision}`)}</Space> },
            { key: 'desc', label: tr('说明', 'Description'), children: shown.description ?? '—' },
            { key: 'p', label: tr('处理目的', 'Purposes'), children: shown.purposes.map((p) => <Tag key={p}>{purposeTitle(p)} ({p})</Tag>) },
            { key: 'b', label: tr('合法性基础', 'Legal basis'), children: lbl(LEGAL_BASIS_LABELS[shown.legal_basis as keyof typeof LEGAL_BASIS_LABELS], shown.legal_basis) },
            { key: 's', label: tr('个人信息主体', 'Individuals'), children: <>{(shown.subject_categories ?? []).map((c) => <Tag key={c}>{lbl(SUBJECT_CATEGORY_LABELS[c as keyof typeof SUBJECT_CATEGORY_LABELS], c)}</Tag>)}{shown.estimated_subjects ? tr(`约 ${shown.estimated_subjects} 人`, `about ${shown.estimated_subjects}`) : ''}</> },
            { key: 'f', label: tr('个人信息字段', 'PI fields'), children: <Space size={4} wrap>{shown.computed.fields.map((f) => <Tag key={`${f.collection}.${f.field}`} color={f.sensitive ? 'red' : undefined}>{f.collection}.{f.field}</Tag>)}{(shown.other_pi ?? []).map((o) => <Tag key={o.label} color={o.sensitive ? 'red' : undefined}>{o.label}</Tag>)}</Space> },
            { key: 'm', label: tr('处理方式', 'Manner'), children: <>{(shown.operations ?? []).map((o) => OPERATION_LABELS[o as keyof typeof OPERATION_LABELS]?.[lang] ?? o).join('、')} {shown.manner}</> },
            { key: 'src', label: tr('来源', 'Sources'), children: (shown.sources ?? []).map((o) => SOURCE_LABELS[o as keyof typeof SOURCE_LABELS]?.[lang] ?? o).join('、') || '—' },
            { key: 'r', label: tr('接收方', 'Recipients'), children: (shown.recipients ?? []).length ? (shown.recipients ?? []).map((r) => <div key={r.name}>{r.name} · {lbl(RECIPIENT_KIND_LABELS[r.kind as keyof typeof RECIPIENT_KIND_LABELS], r.kind)}{r.country ? ` · ${r.country}` : ''}{r.contract_ref ? ` · ${r.contract_ref}` : ''}</div>) : '—' },
            { key: 'x', label: tr('向境外提供', 'Export abroad'), children: shown.computed.cross_border_countries.length ? `${shown.computed.cross_border_countries.join(', ')}${shown.cross_border?.mechanism ? ` · ${lbl(TRANSFER_MECHANISM_LABELS[shown.cross_border.mechanism as keyof typeof TRANSFER_MECHANISM_LABELS], shown.cross_border.mechanism)}` : ''}` : tr('否', 'No') },
            { key: 'ret', label: tr('保存期限', 'Retention'), children: shown.retention ? `${shown.retention.period}${shown.retention.end_action ? ` · ${lbl(END_ACTION_LABELS[shown.retention.end_action as keyof typeof END_ACTION_LABELS], shown.retention.end_action)}` : ''}` : '—' },
            { key: 'sec', label: tr('安全保护措施', 'Security measures'), children: <>{(shown.security_measures ?? []).map((m) => <Tag key={m}>{lbl(SECURITY_MEASURE_LABELS[m as keyof typeof SECURITY_MEASURE_LABELS], m)}</Tag>)} {shown.security_notes}</> },
            { key: 'o', label: tr('负责部门 / 负责人', 'Department / owner'), children: [shown.department, shown.owner, shown.owner_contact].filter(Boolean).join(' · ') || '—' },
            { key: 't', label: tr('影响评估情形（第55条）', 'Assessment triggers (Art. 55)'), children: shown.assessment_required ? triggerTags(shown.triggers) : tr('无', 'None') },
          ]} />
          <Divider orientation="left" plain>{tr('修订记录', 'Revisions')}</Divider>
          <Timeline items={revisions.map((r) => ({ key: r.revision, children: <><Typography.Text strong>{tr(`第 ${r.revision} 版`, `Revision ${r.revision}`)} · {CHANGE[r.change]?.[lang] ?? r.change}</Typography.Text> <Typography.Text type="secondary">{fmtTime(r.at, lang)} · {r.actor_type}:{r.actor_id}</Typography.Text>{r.changed.length > 0 && r.change === 'update' && <div>{tr('变更：', 'Changed: ')}{r.changed.join(', ')}</div>}</> }))} />
        </>}
      </Drawer>

      <Drawer width={760} open={Boolean(editing)} onClose={() => setEditing(null)} destroyOnClose title={editing === 'new' ? tr('登记处理活动', 'New processing activity') : tr('修改处理活动', 'Revise the activity')}
        extra={<Button type="primary" loading={busy} onClick={() => form.submit()}>{tr('保存', 'Save')}</Button>}>
        <Form form={form} layout="vertical" name="activity" onFinish={save} initialValues={{ legal_basis: 'contract', subject_categories: ['customers'], sources: ['subject'], operations: ['collect', 'store', 'use'], security_measures: ['encryption', 'access_control', 'audit_log'] }}>
          <Form.Item name="name" label={tr('处理活动名称', 'Activity name')} rules={[{ required: true, max: 200 }]}><Input placeholder={tr('例如：会员客户服务', 'e.g. Member customer service')} /></Form.Item>
          <Form.Item name="description" label={tr('说明', 'Description')}><Input.TextArea rows={2} /></Form.Item>
          <Space align="start" wrap>
            <Form.Item name="purposes" label={tr('处理目的', 'Purposes')} rules={[{ required: true }]} style={{ minWidth: 320 }}>
              <Select mode="multiple" options={(purposes.data?.purposes ?? []).map((p) => ({ value: p.name, label: `${p.title} (${p.name})` }))} />
            </Form.Item>
            <Form.Item name="legal_basis" label={tr('合法性基础（须与目的一致）', 'Legal basis (as the purposes)')} rules={[{ required: true }]} style={{ minWidth: 300 }}>
              <Select options={LEGAL_BASES.map((b) => ({ value: b, label: lbl(LEGAL_BASIS_LABELS[b], b) }))} />
            </Form.Item>
          </Space>
          <Space align="start" wrap>
            <Form.Item name="subject_categories" label={tr('个人信息主体类别', 'Categories of individuals')} style={{ minWidth: 380 }}><Select mode="multiple" options={options(SUBJECT_CATEGORIES, SUBJECT_CATEGORY_LABELS, lang)} /></Form.Item>
            <Form.Item name="estimated_subjects" label={tr('规模（人，估计）', 'Individuals (estimate)')}><InputNumber min={0} style={{ width: 180 }} /></Form.Item>
          </Space>
          <Divider orientation="left" plain>{tr('个人信息种类和字段', 'PI types and fields')}</Divider>
          <Form.List name="data">{(fields, { add, remove }) => <>
            {fields.map((f) => (
              <Space key={f.key} align="start" wrap>
                <Form.Item name={[f.name, 'collection']} rules={[{ required: true }]} style={{ width: 200 }}><Select placeholder={tr('集合', 'Collection')} options={cols.map((c) => ({ value: c.name, label: c.title ? `${c.title} (${c.name})` : c.name }))} /></Form.Item>
                <Form.Item noStyle shouldUpdate>{() => {
                  const c = cols.find((x) => x.name === form.getFieldValue(['data', f.name, 'collection']));
                  return <Form.Item name={[f.name, 'fields']} rules={[{ required: true }]} style={{ width: 420 }}>
                    <Select mode="multiple" placeholder={tr('字段', 'Fields')} options={[{ value: '*', label: tr('全部字段', 'All fields') }, ...(c?.fields ?? []).map((x) => ({ value: x.name, label: `${x.title ?? x.name}${x.sensitive ? tr('（敏感）', ' (sensitive)') : ''}` }))]} />
                  </Form.Item>;
                }}</Form.Item>
                <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={tr('移除', 'Remove')} style={{ marginTop: 8 }} />
              </Space>
            ))}
            <Button type="dashed" onClick={() => add({ fields: [] })} icon={<PlusOutlined />}>{tr('添加集合字段', 'Add vault fields')}</Button>
          </>}</Form.List>
          <Form.List name="other_pi">{(fields, { add, remove }) => <div style={{ marginTop: 8 }}>
            {fields.map((f) => (
              <Space key={f.key} align="start" wrap>
                <Form.Item name={[f.name, 'label']} rules={[{ required: true }]} style={{ width: 240 }}><Input placeholder={tr('库外个人信息，如纸质登记表', 'PI held elsewhere, e.g. paper forms')} /></Form.Item>
                <Form.Item name={[f.name, 'category']} rules={[{ required: true }]} style={{ width: 200 }}><Select placeholder={tr('类别', 'Category')} options={CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c][lang] }))} /></Form.Item>
                <Form.Item name={[f.name, 'sensitive']} valuePropName="checked"><Switch checkedChildren={tr('敏感', 'sensitive')} unCheckedChildren={tr('一般', 'general')} /></Form.Item>
                <MinusCircleOutlined onClick={() => remove(f.name)} style={{ marginTop: 8 }} />
              </Space>
            ))}
            <Button type="dashed" onClick={() => add({ category: 'basic' })} icon={<PlusOutlined />}>{tr('添加库外个人信息', 'Add PI held elsewhere')}</Button>
          </div>}</Form.List>
          <Divider orientation="left" plain>{tr('处理方式与来源', 'Manner and sources')}</Divider>
          <Space align="start" wrap>
            <Form.Item name="operations" label={tr('处理方式（第4条）', 'Operations (Art. 4)')} style={{ minWidth: 360 }}><Select mode="multiple" options={options(OPERATIONS, OPERATION_LABELS, lang)} /></Form.Item>
            <Form.Item name="sources" label={tr('来源', 'Sources')} style={{ minWidth: 260 }}><Select mode="multiple" options={options(SOURCES, SOURCE_LABELS, lang)} /></Form.Item>
          </Space>
          <Form.Item name="manner" label={tr('处理方式说明', 'How it is processed')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="automated_decision" label={tr('用于自动化决策', 'Automated decision-making')} valuePropName="checked"><Switch /></Form.Item>
          <Divider orientation="left" plain>{tr('接收方与出境', 'Recipients and export')}</Divider>
          <Form.List name="recipients">{(fields, { add, remove }) => <>
            {fields.map((f) => (
              <Space key={f.key} align="start" wrap>
                <Form.Item name={[f.name, 'name']} rules={[{ required: true }]} style={{ width: 180 }}><Input placeholder={tr('接收方名称', 'Recipient')} /></Form.Item>
                <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]} style={{ width: 220 }}><Select options={options(RECIPIENT_KINDS, RECIPIENT_KIND_LABELS, lang)} /></Form.Item>
                <Form.Item name={[f.name, 'country']} rules={[{ pattern: /^[A-Z]{2}$/, message: 'CN, HK, SG…' }]} style={{ width: 80 }}><Input placeholder="CN" /></Form.Item>
                <Form.Item name={[f.name, 'contract_ref']} style={{ width: 150 }}><Input placeholder={tr('合同编号', 'Contract ref.')} /></Form.Item>
                <MinusCircleOutlined onClick={() => remove(f.name)} style={{ marginTop: 8 }} />
              </Space>
            ))}
            <Button type="dashed" onClick={() => add({ kind: 'entrusted' })} icon={<PlusOutlined />}>{tr('添加接收方', 'Add a recipient')}</Button>
          </>}</Form.List>
          <Space align="start" wrap style={{ marginTop: 12 }}>
            <Form.Item name={['cross_border', 'countries']} label={tr('出境目的地（国家或地区代码）', 'Export destinations (codes)')} style={{ minWidth: 260 }}><Select mode="tags" tokenSeparators={[',', ' ']} placeholder="SG, US" /></Form.Item>
            <Form.Item name={['cross_border', 'mechanism']} label={tr('出境途径', 'Export route')} style={{ minWidth: 220 }}><Select allowClear options={options(TRANSFER_MECHANISMS, TRANSFER_MECHANISM_LABELS, lang)} /></Form.Item>
          </Space>
          <Divider orientation="left" plain>{tr('保存期限与安全措施', 'Retention and security')}</Divider>
          <Space align="start" wrap>
            <Form.Item name={['retention', 'period']} label={tr('保存期限', 'Retention period')} style={{ width: 260 }}><Input placeholder={tr('例如：服务结束后3年', 'e.g. 3 years after the service ends')} /></Form.Item>
            <Form.Item name={['retention', 'days']} label={tr('天数', 'Days')}><InputNumber min={0} max={36500} /></Form.Item>
            <Form.Item name={['retention', 'end_action']} label={tr('到期处理', 'At the end')} style={{ width: 160 }}><Select allowClear options={options(END_ACTIONS, END_ACTION_LABELS, lang)} /></Form.Item>
          </Space>
          <Form.Item name="security_measures" label={tr('安全保护措施', 'Security measures')}><Select mode="multiple" options={options(SECURITY_MEASURES, SECURITY_MEASURE_LABELS, lang)} /></Form.Item>
          <Form.Item name="security_notes" label={tr('其他措施', 'Other measures')}><Input.TextArea rows={2} /></Form.Item>
          <Space align="start" wrap>
            <Form.Item name="department" label={tr('负责部门', 'Department')}><Input style={{ width: 200 }} /></Form.Item>
            <Form.Item name="owner" label={tr('负责人', 'Responsible person')}><Input style={{ width: 160 }} /></Form.Item>
            <Form.Item name="owner_contact" label={tr('联系方式', 'Contact')}><Input style={{ width: 220 }} /></Form.Item>
          </Space>
          <Space align="start" wrap>
            <Form.Item name="systems" label={tr('涉及系统', 'Systems')} style={{ minWidth: 300 }}><Select mode="tags" /></Form.Item>
            <Form.Item name="notice" label={tr('告知文本', 'Notice')} style={{ minWidth: 200 }}><Select allowClear options={[...new Set((notices.data?.notices ?? []).map((n) => n.name))].map((n) => ({ value: n, label: n }))} /></Form.Item>
          </Space>
        </Form>
      </Drawer>
    </Card>
  );
}
